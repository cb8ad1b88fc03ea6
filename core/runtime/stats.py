"""The counters every PE keeps (summed over PEs in the report)."""
(SENT, SPIKES, DELIVERED, DROPPED, UNMATCHED, SYNAPTIC_EVENTS, DMA_READS, DMA_WORDS,
 SATURATED, LOCAL_SPIKES, MAC_TILES, STACKED_ROWS, STACKED_SATURATED, DELAYED, DELAY_SATURATED,
 PLASTIC_UPDATES, DMA_WRITES, DMA_WRITE_WORDS, HISTORY_OVERRUNS) = range(19)
STATS = ("packets sent", "spikes sent", "packets delivered to PEs", "packets dropped (no routing entry)",
         "packets with no master population table entry", "synaptic events", "DMA row reads",
         "DMA words read", "synaptic input saturations", "spikes of local sources", "MAC tiles multiplied",
         "stacked input rows with spikes", "stacked input saturations", "spikes re-sent by delay PEs",
         "delay ring saturations (spikes lost)",
         "plastic synapse updates", "DMA row write-backs", "DMA words written", "post-synaptic history overruns")
