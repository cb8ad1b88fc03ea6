"""Spikes given as lists and connections given as lists, in sPyNNaker's style: a
SpikeSourceArray drives a small population through a FromListConnector whose entries carry
their own weights and delays, and ``set_max_atoms_per_core`` cuts the population across PEs.

Each of four input neurons fires at its own times; input i connects to neuron i with delay
1 + i ms. Each neuron's spike times therefore follow its input's by a known delay::

    pynn-spinnaker2 run examples/spynnaker_style/spike_source_array.py
"""
import pyNN.spiNNaker as p

p.setup(timestep=1.0, min_delay=1.0)
spike_times = [[10, 50], [20, 60], [30], [40, 80]]
source = p.Population(4, p.SpikeSourceArray(spike_times=spike_times), label="input")
target = p.Population(4, p.IF_curr_exp(tau_syn_E=2.0), label="target")
target.set_max_atoms_per_core(2)                       # two PEs of two neurons each
connections = [(i, i, 12.0, 1.0 + i) for i in range(4)]  # (pre, post, weight nA, delay ms)
p.Projection(source, target, p.FromListConnector(connections, column_names=["weight", "delay"]),
             receptor_type="excitatory")
target.record(["spikes", "v"])
p.run(100)
for i, train in enumerate(target.get_data("spikes").segments[0].spiketrains):
    print(f"neuron {i}: input at {spike_times[i]} ms, output at {[float(t) for t in train.magnitude]} ms")
print(f"PEs used by target: {len(p.mapping().population('target').pes)}")
p.end()
