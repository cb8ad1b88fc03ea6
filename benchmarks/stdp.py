"""An STDP network on the emulated SpiNNaker2 chip beside pyNN.nest, in one benchmark run.

1,000 IF_curr_exp neurons (800 excitatory, 200 inhibitory), 10% random connectivity among them
and from 1,000 Poisson inputs (10 Hz); the input and excitatory synapses learn with additive
pair STDP (Song, Miller & Abbott 2000: A- slightly above A+), inhibition is static. The same
PyNN script runs on both backends with the same connectivity (PyNN's RNG, same seed); only the
Poisson realisations differ. Each (backend, repeat) runs in a fresh process, alternating
backends so both see the same machine load. Reported: build (PyNN network construction),
compile, load, emulation/run wall time, peak resident memory, rates and the learnt weights;
medians over repeats and ratios.

    python benchmarks/stdp.py                         # 10 s simulated, dt 0.1 ms
    python benchmarks/stdp.py --duration 2000 --repeats 3 --threads 1
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = {"spinnaker2": "pynn_spinnaker2", "nest": "pyNN.nest"}
N_E, N_I, N_INPUT = 800, 200, 1000
P_CONNECT = 0.1
INPUT_RATE = 10.0         # Hz
NEURON = dict(tau_m=20.0, cm=1.0, tau_syn_E=5.0, tau_syn_I=5.0, tau_refrac=2.0, v_rest=-65.0,
              v_reset=-65.0, v_thresh=-50.0, i_offset=0.0)
W_INPUT, W_EXC, W_INH, W_MAX = 0.2, 0.1, -0.6, 0.4      # nA
DELAY = 1.0               # ms


def build(sim, timestep, seed):
    setup = {"spike_precision": "on_grid"} if sim.__name__ == "pyNN.nest" else {}
    sim.setup(timestep=timestep, min_delay=DELAY, rng_seed=seed, **setup)
    rng = sim.NumpyRNG(seed=seed)
    cell = sim.IF_curr_exp(**NEURON)
    v_init = sim.RandomDistribution("uniform", low=-65.0, high=-50.0, rng=rng)
    cells = sim.Population(N_E + N_I, cell, initial_values={"v": v_init}, label="cells")
    exc, inh = cells[:N_E], cells[N_E:]
    inputs = sim.Population(N_INPUT, sim.SpikeSourcePoisson(rate=INPUT_RATE), label="input")

    def stdp(weight):
        return sim.STDPMechanism(
            sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.0105),
            sim.AdditiveWeightDependence(w_min=0.0, w_max=W_MAX), weight=weight, delay=DELAY)

    def connector():
        return sim.FixedProbabilityConnector(P_CONNECT, rng=rng)

    projections = {
        "input": sim.Projection(inputs, cells, connector(), stdp(W_INPUT), receptor_type="excitatory"),
        "E": sim.Projection(exc, cells, connector(), stdp(W_EXC), receptor_type="excitatory"),
        "I": sim.Projection(inh, cells, connector(), sim.StaticSynapse(weight=W_INH, delay=DELAY),
                            receptor_type="inhibitory"),
    }
    cells.record("spikes")
    return cells, projections


def worker(backend, duration, timestep, seed):
    sys.path.insert(0, ROOT)
    import importlib
    sim = importlib.import_module(BACKENDS[backend])
    t = time.perf_counter()
    cells, projections = build(sim, timestep, seed)
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    sim.run(duration)
    run_s = time.perf_counter() - t
    trains = cells.get_data().segments[0].spiketrains[:N_E]
    rate = sum(len(s) for s in trains) / N_E / (duration / 1000.0)
    out = {"build_s": build_s, "run_s": run_s, "rate_E": rate,
           "synapses": sum(p.size() for p in projections.values()),
           "plastic": sum(p.size() for k, p in projections.items() if k != "I")}
    for name in ("input", "E"):
        w = np.asarray(projections[name].get("weight", format="list", with_address=False), dtype=float)
        out[f"w_{name}_mean"], out[f"w_{name}_top"] = float(w.mean()), float(np.mean(w > 0.9 * W_MAX))
    if backend == "spinnaker2":
        m = sim.mapping()
        out.update(compile_s=sum(m.compile_seconds.values()), load_s=m.run_seconds["load"],
                   emulate_s=m.run_seconds["emulation"], pes=m.pes_used, dropped=m.dropped_packets,
                   overruns=m.runtime["post-synaptic history overruns"],
                   updates=m.runtime["plastic synapse updates"])
    else:
        out.update(compile_s=0.0, load_s=0.0, emulate_s=run_s)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sim.end()
    print("RESULT " + json.dumps(out))


def measure(backend, args, seed):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", backend, "--duration", str(args.duration),
           "--timestep", str(args.timestep), "--seed", str(seed)]
    env = dict(os.environ, NUMBA_NUM_THREADS=str(args.threads)) if args.threads else None
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode or not lines:
        raise RuntimeError(f"{backend} failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][7:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10_000.0)
    parser.add_argument("--timestep", type=float, default=0.1)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2468)
    parser.add_argument("--threads", type=int, default=0, help="NUMBA_NUM_THREADS for spinnaker2 (0: numba's)")
    parser.add_argument("--worker", choices=list(BACKENDS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.duration, args.timestep, args.seed)

    runs = {"spinnaker2": [], "nest": []}
    for k in range(args.repeats):
        for backend in ("nest", "spinnaker2") if k % 2 == 0 else ("spinnaker2", "nest"):
            runs[backend].append(measure(backend, args, args.seed))
    rows = (("build_s", "build (PyNN) s"), ("compile_s", "compile s"), ("load_s", "load s"),
            ("emulate_s", "emulate / run s"), ("peak_mb", "peak memory MB"), ("rate_E", "rate E Hz"),
            ("w_input_mean", "mean input weight nA"), ("w_input_top", "input weights > 0.9 w_max"),
            ("w_E_mean", "mean E weight nA"), ("w_E_top", "E weights > 0.9 w_max"))
    med = {b: {key: statistics.median(r[key] for r in rs) for key, _ in rows} for b, rs in runs.items()}
    s2, nest = med["spinnaker2"], med["nest"]
    first = runs["spinnaker2"][0]
    print(f"\nSTDP network: {N_E}+{N_I} neurons, {N_INPUT} Poisson inputs at {INPUT_RATE:g} Hz, "
          f"{first['synapses']} synapses ({first['plastic']} plastic), {args.duration:g} ms at dt "
          f"{args.timestep:g} ms, median of {args.repeats}; spinnaker2 on {first['pes']} PEs, "
          f"{first['updates']} plastic updates, {first['overruns']} history overruns, "
          f"{first['dropped']} dropped packets")
    print(f"{'':<28}{'spinnaker2':>12}{'pyNN.nest':>12}{'ratio':>9}")
    for key, label in rows:
        ratio = s2[key] / nest[key] if nest[key] else float("nan")
        print(f"{label:<28}{s2[key]:>12.4g}{nest[key]:>12.4g}{ratio:>9.3f}")
    total_s2 = s2["build_s"] + s2["compile_s"] + s2["load_s"] + s2["emulate_s"]
    total_nest = nest["build_s"] + nest["emulate_s"]
    print(f"{'total wall s':<28}{total_s2:>12.4g}{total_nest:>12.4g}{total_s2 / total_nest:>9.3f}")


if __name__ == "__main__":
    main()
