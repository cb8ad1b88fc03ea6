"""Processor cycles per time step of every PE, and which PEs would overrun a real-time step: the
temporal cost of a mapping, the second objective of paradigm switching (the paper's future work,
section IV-C).

A PE's work per step is counted from what the mapping put on it and the spike rates expected at
compile time (``expected_rates``): a source population's rate is known (a Poisson source's
``rate``, a spike array's spikes over its span); a neuron population's is not, and is taken as
``DEFAULT_RATE_HZ``. Costs per operation (:class:`CycleCosts`, every one overridable):

* serial paradigm, per synaptic word processed: 20 cycles, sPyNNaker's design target of 10,000
  synaptic events per ms on a 200 MHz ARM core, met within a factor of two (Rhodes et al. 2018,
  "sPyNNaker", Front. Neurosci. 12:816, abstract and section 5);
* delay PEs: a packet received and one sent per stage;
* per received spike packet: 12 cycles of interrupt entry and 10 of return (ARM Cortex-M4 technical
  reference manual: 12-cycle interrupt latency), 8 cycles per level of the master population
  table's binary search, and 10 per synaptic row read (address list entry, row header);
* per neuron and step: sPyNNaker's own estimate for its LIF neuron, 22 cycles of neuron loop plus
  its model components' ~200 (leaky integrate and reset, exponential synapse shaping, threshold:
  ``get_n_cpu_cycles`` of its neuron model classes), here scaled by the words a model reads and
  writes (15 cycles per constant or state word: 224 for IF_curr_exp's 14 words; a lookup table
  counts as one word), plus 4 cycles per receptor to read, clear and scale the synaptic input
  buffer, and 10 per spike packet sent;
* MAC array: 64 8-bit multiply-accumulates per cycle, or 16 in 16-bit mode (TU Dresden SpiNNaker2
  FAQ, "Details about MAC accelerator"), so one 4 x 16 tile of the weight-delay map takes 1 cycle
  with 8-bit and 4 cycles with 16-bit operands; the array multiplies every stored tile every step,
  whatever the input; 20 cycles for the ARM to start each MAC job (one stored segment; assumed);
* dominant PE: 6 cycles per (received spike, delay, map row) added into the stacked input, and
  4 per map column whose partial sum it adds into the synaptic input (assumed, the same loads,
  adds and stores as a synaptic word without its decoding).

The PE clock defaults to 150 MHz (``clock_hz``; a SpiNNaker2 PE scales its clock with load, see
Hoeppner et al. 2019, "Dynamic power management for neuromorphic many-core systems"). A real-time
step of ``dt`` ms has ``clock_hz * dt / 1000`` cycles; a PE needing more overruns it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..hardware import MAX_NEURONS_PER_PE
from ..network import Network

DEFAULT_RATE_HZ = 10.0


@dataclass(frozen=True)
class CycleCosts:
    clock_hz: float = 150e6
    synapse: int = 20             # per synaptic word processed (serial)
    packet: int = 22              # per received spike packet: interrupt entry and return
    table_level: int = 8          # per level of the master population table's binary search
    row: int = 10                 # per synaptic row read: address list entry and row header
    neuron_base: int = 22         # per neuron and step: the neuron loop
    neuron_word: int = 15         # per constant or state word of the model
    receptor: int = 4             # per neuron and receptor: read, clear, scale the input buffer
    send: int = 10                # per spike packet sent
    mac_tile_8: int = 1           # per 4 x 16 tile, 8-bit operands
    mac_tile_16: int = 4          # per 4 x 16 tile, 16-bit operands
    mac_job: int = 20             # per MAC job (stored segment) the ARM starts
    stacked: int = 6              # per (spike, delay, map row) added into the stacked input
    column: int = 4               # per map column added into the synaptic input

    def neuron(self, spec, n_receptors: int | None = None) -> float:
        """Cycles to update one neuron of ``spec`` for one step."""
        words = spec.n_constants - spec.table_columns + min(spec.table_columns, 1) + len(spec.state_columns) \
            + spec.int_columns
        receptors = 0 if spec.is_source else (len(spec.receptors) if n_receptors is None else n_receptors)
        return self.neuron_base + self.neuron_word * words + self.receptor * receptors

    def tile(self, weight_bits: int) -> int:
        return self.mac_tile_8 if weight_bits <= 8 else self.mac_tile_16

    def search(self, n_entries: int) -> float:
        return self.packet + self.table_level * math.ceil(math.log2(max(n_entries, 1) + 1))

    def budget(self, dt_ms: float) -> float:
        """Cycles in one real-time step."""
        return self.clock_hz * dt_ms / 1000.0


def expected_rates(network: Network, default_hz: float = DEFAULT_RATE_HZ):
    """Per population: each neuron's expected rate (Hz) and what it rests on."""
    rates, basis = [], []
    for pop in network.populations:
        if "rate" in pop.parameters and pop.spec.is_source:
            rates.append(np.asarray(pop.parameters["rate"], float))
            basis.append("its rate")
        elif pop.spike_times is not None:
            span = max((float(t[-1]) for t in pop.spike_times if t.size), default=0.0)
            counts = np.array([t.size for t in pop.spike_times], float)
            rates.append(counts / (max(span, network.timestep) / 1000.0))
            basis.append("its spike times")
        else:
            rates.append(np.full(pop.size, float(default_hz)))
            basis.append(f"default {default_hz:g} Hz (not known before running)")
    return rates, basis


@dataclass
class Timing:
    """Cycles per step per machine vertex (``cycles[v]``, with their parts) and the budget."""
    cycles: np.ndarray
    parts: list = field(default_factory=list)
    budget: float = 0.0
    clock_hz: float = 0.0
    step_ms: float = 0.0
    rates: dict = field(default_factory=dict)          # population label -> (mean Hz, basis)

    @property
    def overrunning(self) -> np.ndarray:
        return np.flatnonzero(self.cycles > self.budget)


def _layer_source_rates(network, p, rates) -> np.ndarray:
    """Rates of a layer's sources in layer-local order (source populations ascending)."""
    sources = sorted({q.pre for q in network.projections if q.post == p and q.size})
    return np.concatenate([rates[s] for s in sources]) if sources else np.zeros(0)


def pe_cycles(network: Network, graph, costs: CycleCosts = CycleCosts(), rates=None) -> Timing:
    """Expected cycles per step of every machine vertex of ``graph`` (``partition.MachineGraph``)."""
    rates, basis = expected_rates(network) if rates is None else rates
    dt = network.timestep / 1000.0
    n_pops = len(network.populations)
    slice_rate = [float(rates[s.population][s.lo:s.hi].sum()) * dt if s.population < n_pops else 0.0
                  for s in graph.slices]                                            # spikes per step
    for mv in graph.vertices:                   # a delay PE's stage slices re-send its source slice's spikes
        if mv.role == "delay":
            for stage in mv.sends:
                slice_rate[stage] = slice_rate[mv.sources[0]]
    by_target: dict[int, list] = {}
    for b in graph.blocks:
        by_target.setdefault(b.target, []).append(b)
    cycles, parts = np.zeros(len(graph.vertices)), []
    for v, mv in enumerate(graph.vertices):
        work: dict[str, float] = {}
        if mv.role == "delay":                  # receives its source slice, sends every stage
            spikes = slice_rate[mv.sources[0]]
            work["packets"] = spikes * costs.search(1)
            work["spikes sent"] = spikes * len(mv.sends) * costs.send
            cycles[v] = sum(work.values())
            parts.append(work)
            continue
        sl = graph.slices[mv.slice]
        pop = network.populations[sl.population]
        if mv.holds_neurons:
            n_rec = len(getattr(pop, "receptors", pop.spec.receptors))
            work["neurons"] = sl.size * costs.neuron(pop.spec, n_rec)
            work["spikes sent"] = slice_rate[mv.slice] * costs.send
            for s in mv.local:
                local = graph.slices[s]
                work["neurons"] += local.size * costs.neuron(network.populations[local.population].spec)
        if mv.role in ("neurons", "synapses"):
            held = set(mv.sources) | set(mv.local)
            blocks = [b for b in by_target.get(mv.slice, []) if b.source in held]
            if blocks:
                spikes = sum(slice_rate[s] for s in mv.sources)
                work["packets"] = spikes * costs.search(len(mv.sources))
                per_row = [slice_rate[b.source] / max(graph.slices[b.source].size, 1) for b in blocks]
                work["rows"] = sum(r * b.n_rows for r, b in zip(per_row, blocks)) * costs.row
                work["synapses"] = sum(r * b.n_synapses for r, b in zip(per_row, blocks)) * costs.synapse
        elif mv.role in ("dominant", "subordinate"):
            plan = graph.plans[sl.population]
            ps = plan.slices[sl.index]
            q = mv.share - (0 if ps.dominant_multiplies else 1)      # its subordinate share
            if mv.role == "dominant":
                spikes = sum(slice_rate[s] for s in mv.sources)
                work["packets"] = spikes * costs.search(len(mv.sources))
                src_rate = _layer_source_rates(network, sl.population, rates) * dt
                fed = np.diff(ps.input_start).reshape(plan.n_source, plan.delay_range).sum(1)
                work["stacked input"] = float(src_rate @ fed) * costs.stacked
                work["columns"] = int(ps.col_start[-1]) * costs.column
            if 0 <= q < ps.n_sub and (mv.role == "subordinate" or ps.dominant_multiplies):
                jobs = int(ps.seg_start[q + 1] - ps.seg_start[q])
                work["MAC"] = int(ps.tiles[q]) * costs.tile(plan.weight_bits) + jobs * costs.mac_job
        cycles[v] = sum(work.values())
        parts.append(work)
    labelled = {pop.label: (float(np.mean(r)) if r.size else 0.0, b)
                for pop, r, b in zip(network.populations, rates, basis)}
    return Timing(cycles, parts, costs.budget(network.timestep), costs.clock_hz, network.timestep, labelled)


# -- before compiling: a layer's busiest PE under each paradigm -----------------------------------

def serial_layer_cycles(layout, n_source: int, density: float, spec, rate_hz: float, dt_ms: float,
                        costs: CycleCosts = CycleCosts()) -> float:
    """The busiest PE of a serial layout (``switching.serial_layout``): a neuron PE of ``m``
    neurons holding 1/k of the source slices' rows, each spike reading a row of ~m * density
    synaptic words."""
    spikes = n_source * rate_hz * dt_ms / 1000.0 / layout.pes_per_slice
    per_spike = costs.search(max(1, layout.source_vertices // layout.pes_per_slice)) + costs.row \
        + layout.neurons * density * costs.synapse
    return layout.neurons * costs.neuron(spec) + spikes * per_spike + layout.neurons * rate_hz * dt_ms / 1000.0 \
        * costs.send


def parallel_layer_cycles(layout, n_source: int, delay_range: int, spec, weight_bits: int, rate_hz: float,
                          dt_ms: float, costs: CycleCosts = CycleCosts()) -> float:
    """The busiest PE of a parallel layout (``switching.parallel_layout``): a dominant with its
    neurons, every source's packets and stacked-input rows, or a subordinate with its share of
    the map's tiles (the dominant's too when it multiplies its own map)."""
    spikes = n_source * rate_hz * dt_ms / 1000.0
    n = layout.neurons
    dominant = (n * costs.neuron(spec) + spikes * costs.search(max(1, -(-n_source // MAX_NEURONS_PER_PE)))
                + spikes * delay_range * layout.rows_per_input * costs.stacked + layout.columns * costs.column
                + n * rate_hz * dt_ms / 1000.0 * costs.send)
    mac = layout.tiles_per_subordinate * costs.tile(weight_bits) + layout.jobs_per_subordinate * costs.mac_job
    return dominant + mac if layout.subordinates == 0 else max(dominant, mac)
