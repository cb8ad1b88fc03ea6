"""nengo_spinnaker2 beside nengo's reference simulator, in one process run, alternating order:
build time (nengo's builder plus, for spinnaker2, translation, mapping and loading) and run time
per simulated second, for

* a 50-dimensional communication channel: input -> EnsembleArray(100 LIF x 50) -> probe
  (5,000 LIF);
* circular convolution of two 32-dimensional vectors (nengo.networks.CircularConvolution,
  13,600 LIF).

    python benchmarks/nengo.py [--repeats 3] [--duration 1.0] [--threads 1]

Prints a markdown table (medians over the repeats) with the PEs and chips the mapping used.
"""
import argparse
import os
import statistics
import sys
import time

# this file is named after the package it benchmarks: keep its folder from shadowing it
sys.path = [p for p in sys.path if os.path.abspath(p or os.curdir) != os.path.dirname(os.path.abspath(__file__))]

import nengo  # noqa: E402
import numpy as np  # noqa: E402

import nengo_spinnaker2  # noqa: E402


def channel(dimensions=50, neurons=100, seed=0):
    with nengo.Network(label="50-D communication channel", seed=seed) as net:
        stim = nengo.Node(lambda t: np.sin(2 * np.pi * t + np.arange(dimensions)))
        ea = nengo.networks.EnsembleArray(neurons, dimensions)
        nengo.Connection(stim, ea.input)
        probe = nengo.Probe(ea.output, synapse=0.01)
    return net, probe


def convolution(dimensions=32, seed=0):
    rng = np.random.RandomState(seed)
    with nengo.Network(label="circular convolution D=32", seed=seed) as net:
        a = nengo.Node(rng.normal(scale=np.sqrt(1 / dimensions), size=dimensions))
        b = nengo.Node(rng.normal(scale=np.sqrt(1 / dimensions), size=dimensions))
        cconv = nengo.networks.CircularConvolution(200, dimensions=dimensions)
        nengo.Connection(a, cconv.input_a)
        nengo.Connection(b, cconv.input_b)
        probe = nengo.Probe(cconv.output, synapse=0.03)
    return net, probe


def measure(Simulator, make, duration, **kwargs):
    net, probe = make()
    t0 = time.perf_counter()
    sim = Simulator(net, progress_bar=False, **kwargs)
    t1 = time.perf_counter()
    sim.run(duration)
    t2 = time.perf_counter()
    out = dict(build=t1 - t0, run=(t2 - t1) / duration, neurons=sum(e.n_neurons for e in net.all_ensembles),
               final=sim.data[probe][-1].copy())
    if isinstance(sim, nengo_spinnaker2.Simulator):
        report = sim.mapping()
        out.update(pes=report.pes_used, chips=report.chips_used)
    sim.close()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--duration", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    sims = {"nengo": (nengo.Simulator, {}), "spinnaker2": (nengo_spinnaker2.Simulator, {"threads": args.threads})}
    # warm-up: numba kernels load from the cache (or compile once) outside the timed runs
    measure(nengo_spinnaker2.Simulator, lambda: channel(2, 10), 0.01, threads=args.threads)
    rows = []
    for name, make in (("50-D communication channel", channel), ("circular convolution D=32", convolution)):
        results = {k: [] for k in sims}
        for r in range(args.repeats):
            order = list(sims) if r % 2 == 0 else list(sims)[::-1]
            for k in order:
                Sim, kw = sims[k]
                results[k].append(measure(Sim, make, args.duration, **kw))
        med = {k: {m: statistics.median(x[m] for x in v) for m in ("build", "run")} for k, v in results.items()}
        s = results["spinnaker2"][0]
        diff = float(np.sqrt(np.mean((results["spinnaker2"][0]["final"] - results["nengo"][0]["final"]) ** 2)))
        rows.append((name, s["neurons"], med, s["pes"], s["chips"], diff))
    print(f"\n`python benchmarks/nengo.py --repeats {args.repeats} --duration {args.duration} "
          f"--threads {args.threads}` (medians)\n")
    print("| model | neurons | PEs | chips | build s (spinnaker2 / nengo) | run s per simulated s "
          "(spinnaker2 / nengo) | run ratio | final-output RMS difference |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, n, med, pes, chips, diff in rows:
        s, r = med["spinnaker2"], med["nengo"]
        print(f"| {name} | {n} | {pes} | {chips} | {s['build']:.2f} / {r['build']:.2f} | "
              f"{s['run']:.3f} / {r['run']:.3f} | {s['run'] / r['run']:.2f} | {diff:.3f} |")


if __name__ == "__main__":
    main()
