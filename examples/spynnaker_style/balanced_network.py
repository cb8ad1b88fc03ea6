"""A balanced network of excitatory and inhibitory neurons, written in sPyNNaker's style:
populations made from a cell type class and a parameter dict, a per-core neuron limit,
``sim.NativeRNG`` to seed numpy, random connectivity with negative inhibitory weights (PyNN's
sign convention for current-based synapses) and Poisson drive.

800 excitatory and 200 inhibitory IF_curr_exp neurons, 10% connectivity, each neuron driven by
its own Poisson source. Prints the mean rates and the mapping::

    pynn-spinnaker2 run examples/spynnaker_style/balanced_network.py
"""
import numpy as np
import pyNN.spiNNaker as sim

N_EXC, N_INH = 800, 200
P_CONNECT = 0.1
W_EXC, W_INH = 0.1, -0.5          # nA
DELAY = 2.0                       # ms
RATE = 2000.0                     # Hz, one Poisson source per neuron
RUN_TIME = 500.0                  # ms

sim.setup(timestep=1.0, min_delay=1.0)
sim.NativeRNG(4321)               # seeds numpy's generator, as in sPyNNaker
sim.set_number_of_neurons_per_core(sim.IF_curr_exp, 100)

cell_params = {"cm": 0.25, "i_offset": 0.0, "tau_m": 20.0, "tau_refrac": 2.0, "tau_syn_E": 5.0,
               "tau_syn_I": 5.0, "v_reset": -70.0, "v_rest": -65.0, "v_thresh": -50.0}
exc = sim.Population(N_EXC, sim.IF_curr_exp, cell_params, label="excitatory")
inh = sim.Population(N_INH, sim.IF_curr_exp, cell_params, label="inhibitory")
exc.initialize(v=np.random.uniform(-65.0, -55.0, N_EXC))
inh.initialize(v=np.random.uniform(-65.0, -55.0, N_INH))
noise = sim.Population(N_EXC + N_INH, sim.SpikeSourcePoisson, {"rate": RATE}, label="noise")

rng = sim.NumpyRNG(seed=1234)
for pre, weight, receptor in ((exc, W_EXC, "excitatory"), (inh, W_INH, "inhibitory")):
    for post in (exc, inh):
        sim.Projection(pre, post, sim.FixedProbabilityConnector(P_CONNECT, rng=rng),
                       sim.StaticSynapse(weight=weight, delay=DELAY), receptor_type=receptor)
sim.Projection(noise[:N_EXC], exc, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.05, delay=1.0),
               receptor_type="excitatory")
sim.Projection(noise[N_EXC:], inh, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.05, delay=1.0),
               receptor_type="excitatory")

exc.record("spikes")
inh.record("spikes")
sim.run(RUN_TIME)
for population in (exc, inh):
    n_spikes = sum(len(t) for t in population.get_data("spikes").segments[0].spiketrains)
    print(f"{population.label}: {1000.0 * n_spikes / (population.size * RUN_TIME):.2f} Hz")
if sim.name() == "SpiNNaker2":
    print(sim.mapping())
sim.end()
