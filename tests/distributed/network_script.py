"""A PyNN script run by the distributed tests, alone or under ``mpiexec -n K``: a small Brunel-style
network cut into many slices (so that every rank has PEs), with a shared Poisson source, a local
spike source, long delays (delay PEs), a recorded noisy current, recorded membrane potential and
synaptic conductance-free currents, and a projection added mid-run; rank 0 writes what it reads back to ``argv[1]`` (pickle).

    python tests/distributed/network_script.py out.pkl [raise|exit|hang|differ|parallel]
"""
import os
import pickle
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import numpy as np  # noqa: E402

import pynn_spinnaker2 as sim  # noqa: E402


def build(differ=False, paradigm="serial"):
    sim.setup(timestep=0.1, seed=7)
    sim.set_number_of_neurons_per_core(sim.IF_curr_exp, 20)
    rng = sim.NumpyRNG(seed=3 + (sim.rank() if differ else 0))     # "differ": an unseeded script
    cell = sim.IF_curr_exp(tau_m=20.0, cm=0.25, tau_refrac=2.0, v_rest=0.0, v_reset=10.0, v_thresh=20.0,
                           tau_syn_E=0.5, tau_syn_I=0.5)
    exc = sim.Population(120, cell, initial_values={"v": sim.RandomDistribution("uniform", (0.0, 20.0), rng=rng)},
                         label="E")
    inh = sim.Population(30, cell, initial_values={"v": sim.RandomDistribution("uniform", (0.0, 20.0), rng=rng)},
                         label="I")
    if paradigm == "parallel":          # E's rows as weight-delay maps on dominant and subordinate PEs
        exc.set_paradigm("parallel")
    noise = sim.Population(1, sim.SpikeSourcePoisson(rate=12000.0), label="noise")
    kick = sim.Population(30, sim.SpikeSourceArray(spike_times=[[5.0 + i, 40.0 + i] for i in range(30)]),
                          label="kick")
    sim.Projection(noise, exc, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.12, delay=1.5))
    sim.Projection(noise, inh, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.12, delay=1.5))
    sim.Projection(kick, inh, sim.OneToOneConnector(), sim.StaticSynapse(weight=1.0, delay=1.0))
    sim.Projection(exc, exc, sim.FixedProbabilityConnector(0.1, rng=rng),
                   sim.StaticSynapse(weight=0.05, delay=sim.RandomDistribution("uniform", (1.5, 3.0), rng=rng)))
    sim.Projection(exc, inh, sim.FixedProbabilityConnector(0.1, rng=rng), sim.StaticSynapse(weight=0.05, delay=1.5))
    sim.Projection(inh, exc, sim.FixedProbabilityConnector(0.1, rng=rng), sim.StaticSynapse(weight=-0.25, delay=1.5),
                   receptor_type="inhibitory")
    sim.Projection(inh, inh, sim.FixedProbabilityConnector(0.1, rng=rng), sim.StaticSynapse(weight=-0.2, delay=12.0),
                   receptor_type="inhibitory")        # beyond a row's delays: delay PEs
    current = sim.NoisyCurrentSource(mean=0.05, stdev=0.2, start=10.0, stop=80.0, dt=1.0)
    current.inject_into(exc[100:110])
    current.record()
    exc.record(["spikes", "v"])
    inh.record("spikes")
    kick.record("spikes")
    return exc, inh, kick, current


def main(out, fail=None):
    exc, inh, kick, current = build(differ=fail == "differ", paradigm="parallel" if fail == "parallel" else "serial")
    sim.run(50.0)
    if fail == "raise" and sim.rank() == 1:
        raise ValueError("deliberate failure on rank 1")
    if fail == "exit" and sim.rank() == 1:
        os._exit(3)
    if fail == "hang" and sim.rank() == 1:
        import time
        time.sleep(3600)
    exc.set(i_offset=0.01)
    sim.run(50.0)
    # a projection added mid-run: the run goes on with the state and the input under way (rows,
    # delay PEs and senders on other ranks) carried over
    sim.Projection(exc, inh, sim.FixedProbabilityConnector(0.05, rng=sim.NumpyRNG(seed=9)),
                   sim.StaticSynapse(weight=0.1, delay=2.0))
    sim.run(20.0)
    out_data = {"rank": sim.rank(), "num_processes": sim.num_processes()}
    blocks = {p.label: p.get_data() for p in (exc, inh, kick)}
    out_data["spikes"] = {label: [np.asarray(t) for t in b.segments[0].spiketrains] for label, b in blocks.items()}
    out_data["v"] = np.asarray(blocks["E"].segments[0].filter(name="v")[0])
    out_data["current"] = np.asarray(current.get_data())
    out_data["i_offset"] = np.asarray(exc.get("i_offset"))
    out_data["mean_spike_count"] = exc.mean_spike_count()
    out_data["local_E"] = len(exc.get_data(gather=False).segments[0].spiketrains)
    report = sim.mapping()
    out_data["report"] = {k: v for k, v in vars(report).items() if k not in ("compile_seconds", "run_seconds")}
    out_data["statistics"] = report.runtime
    emulator = sim.simulator.state.emulator
    out_data["exchange"] = getattr(emulator, "exchange_summary", lambda: None)()
    sim.reset()                          # a second trial after reset: same answers on any number of ranks
    sim.run(30.0)
    out_data["after_reset"] = [np.asarray(t) for t in exc.get_data().segments[-1].spiketrains]
    exc.write_data(out + ".E.pkl")       # PyNN writes from rank 0 only
    if sim.rank() == 0:
        with open(out, "wb") as f:
            pickle.dump(out_data, f)
    sim.end()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
