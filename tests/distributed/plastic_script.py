"""A PyNN script with plastic synapses run by the distributed tests, alone or under ``mpiexec -n K``:
STDP (SpikePairRule, additive), Tsodyks-Markram and stochastic projections onto a population cut
into many slices, so that each rank holds some of every projection's rows. It runs, reads the
learned weights, sets new ones, runs on, and changes the network mid-run (a new projection,
carried over without reset); rank 0 writes what it read back to ``argv[1]`` (pickle), rank r > 0 to ``argv[1].rank<r>``.

    python tests/distributed/plastic_script.py out.pkl
"""
import os
import pickle
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import numpy as np  # noqa: E402

import pynn_spinnaker2 as sim  # noqa: E402


def main(out):
    sim.setup(timestep=0.1, seed=11)
    sim.set_number_of_neurons_per_core(sim.IF_curr_exp, 10)
    rng = sim.NumpyRNG(seed=5)
    cell = sim.IF_curr_exp(tau_m=20.0, tau_refrac=2.0, v_thresh=-55.0, tau_syn_E=2.0, tau_syn_I=2.0)
    post = sim.Population(60, cell, initial_values={"v": sim.RandomDistribution("uniform", (-65.0, -56.0), rng=rng)},
                          label="post")
    other = sim.Population(30, cell, label="other")
    source = sim.Population(40, sim.SpikeSourcePoisson(rate=30.0), label="source")
    stdp = sim.STDPMechanism(sim.SpikePairRule(tau_plus=16.8, tau_minus=33.7, A_plus=0.01, A_minus=0.012),
                             sim.AdditiveWeightDependence(w_min=0.0, w_max=1.0), weight=0.4, delay=1.0)
    learn = sim.Projection(source, post, sim.FixedProbabilityConnector(0.5, rng=rng), stdp, label="stdp")
    tm = sim.Projection(source, post, sim.FixedProbabilityConnector(0.2, rng=rng),
                        sim.TsodyksMarkramSynapse(U=0.5, tau_rec=200.0, tau_facil=0.0, weight=0.5, delay=1.5),
                        receptor_type="excitatory", label="tm")
    noisy = sim.Projection(source, post, sim.FixedProbabilityConnector(0.3, rng=rng),
                           sim.SimpleStochasticSynapse(p=0.5, weight=0.6, delay=2.0), label="stochastic")
    sim.Projection(post, other, sim.FixedProbabilityConnector(0.2, rng=rng), sim.StaticSynapse(weight=0.8, delay=1.0))
    for p in (post, other, source):
        p.record("spikes")
    post.record("v")
    sim.run(150.0)
    result = {"rank": sim.rank(), "num_processes": sim.num_processes()}
    result["learned"] = learn.get("weight", format="array")
    result["learned_list"] = np.array(learn.get("weight", format="list"))
    result["tm_weights"] = tm.get("weight", format="array")
    learn.set(weight=0.3)
    result["set"] = learn.get("weight", format="array")
    sim.run(100.0)
    result["learned_again"] = learn.get("weight", format="array")
    # a change without reset: the run goes on, carrying the state and the input under way over
    sim.Projection(other, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=-0.5, delay=3.0),
                   receptor_type="inhibitory", label="late")
    sim.run(100.0)
    result["after_change"] = learn.get("weight", format="array")
    result["spikes"] = {p.label: [np.asarray(t) for t in p.get_data().segments[0].spiketrains]
                        for p in (post, other, source)}
    result["v"] = np.asarray(post.get_data().segments[0].filter(name="v")[0])
    emulator = sim.simulator.state.emulator
    result["statistics"] = sim.mapping().runtime
    result["exchange"] = getattr(emulator, "exchange_summary", lambda: None)()
    result["local_plastic"] = sum(info["weight_word"].size for info in emulator.program.images.plastic.projections.values())
    sim.reset()                    # a second trial: initial weights again, fresh streams
    sim.run(80.0)
    result["after_reset"] = [np.asarray(t) for t in post.get_data().segments[-1].spiketrains]
    result["weights_after_reset"] = learn.get("weight", format="array")
    with open(out if sim.rank() == 0 else f"{out}.rank{sim.rank()}", "wb") as f:    # every rank answers as one
        pickle.dump(result, f)
    sim.end()


if __name__ == "__main__":
    main(sys.argv[1])
