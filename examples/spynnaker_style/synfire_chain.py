"""A synfire chain written as sPyNNaker users write it (after sPyNNaker's synfire example):
``import pyNN.spiNNaker``, a per-core neuron limit, cell types given as classes with a parameter
dict, FromListConnector chains and one input spike at t = 0.

Ten populations of 100 IF_curr_exp neurons; every neuron of population k excites every neuron
of population k + 1 after 17 ms. One spike at t = 0 starts a volley that travels down the
chain. Runs unchanged on sPyNNaker and here::

    pynn-spinnaker2 run examples/spynnaker_style/synfire_chain.py
"""
import pyNN.spiNNaker as p

N_POPULATIONS = 10
N_NEURONS = 100
WEIGHT = 0.03          # nA: a volley of 100 spikes fires each neuron about once
DELAY = 17.0           # ms
RUN_TIME = 250.0       # ms

p.setup(timestep=1.0, min_delay=1.0)
p.set_number_of_neurons_per_core(p.IF_curr_exp, 50)

cell_params = {"cm": 0.25, "i_offset": 0.0, "tau_m": 20.0, "tau_refrac": 2.0, "tau_syn_E": 5.0,
               "tau_syn_I": 5.0, "v_reset": -70.0, "v_rest": -65.0, "v_thresh": -50.0}

chain = [p.Population(N_NEURONS, p.IF_curr_exp, cell_params, label=f"pop_{k}")
         for k in range(N_POPULATIONS)]
stimulus = p.Population(1, p.SpikeSourceArray, {"spike_times": [[0]]}, label="stimulus")

links = [(i, j, WEIGHT, DELAY) for i in range(N_NEURONS) for j in range(N_NEURONS)]
for pre, post in zip(chain[:-1], chain[1:]):
    p.Projection(pre, post, p.FromListConnector(links), receptor_type="excitatory")
p.Projection(stimulus, chain[0], p.FromListConnector([(0, j, 2.0, 1.0) for j in range(N_NEURONS)]),
             receptor_type="excitatory")

for population in chain:
    population.record("spikes")
p.run(RUN_TIME)
p.end()

# recorded data stay readable after end(), as in sPyNNaker
for population in chain:
    trains = population.get_data("spikes").segments[0].spiketrains
    times = [float(t) for train in trains for t in train.magnitude]
    first = min(times) if times else float("nan")
    print(f"{population.label}: {len(times)} spikes, first at {first:g} ms")
