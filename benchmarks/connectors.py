"""Network construction (PyNN connectors) beside PyNN's generic path and pyNN.nest, in one run.

Three ways to build the same projections with the same seeds, each (way, case, repeat) in a
fresh process, alternating so all see the same machine load:

* ``vectorised``: this backend as it is (connectors expanded in one pass);
* ``generic``: this backend with the expansions turned off, i.e. PyNN's generic path, which
  calls the backend once per post-synaptic neuron from Python (what pyNN.nest runs);
* ``nest``: pyNN.nest (``--nest``; slow at full scale: minutes).

Every way must produce the same number of synapses (checked). Medians over repeats, and the
ratio vectorised / other.

    python benchmarks/connectors.py                          # Brunel full scale, 15.6 M synapses
    python benchmarks/connectors.py --cases brunel_250 fixed_probability --nest --repeats 3
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES = {"vectorised": "pynn_spinnaker2", "generic": "pynn_spinnaker2", "nest": "pyNN.nest"}


def build(sim, case):
    """Set up ``sim`` and make the case's projections; return the number of synapses."""
    if case.startswith("brunel_"):
        from examples.brunel import build as brunel
        net = brunel(sim, scale=int(case.split("_")[1]))
        return sum(p.size() for p in net["projections"].values())
    sim.setup(timestep=0.1)
    rng = sim.NumpyRNG(seed=1)
    weights = sim.RandomDistribution("uniform", (0.1, 0.2), rng=sim.NumpyRNG(seed=2))
    synapse = sim.StaticSynapse(weight=weights, delay=1.0)
    a = sim.Population(2000, sim.IF_curr_exp(), label="a")
    connector = {
        "fixed_probability": lambda: sim.FixedProbabilityConnector(0.1, rng=rng),
        "all_to_all": lambda: sim.AllToAllConnector(),
        "fixed_number_post": lambda: sim.FixedNumberPostConnector(200, with_replacement=True, rng=rng),
    }[case]()
    return sim.Projection(a, a, connector, synapse, receptor_type="excitatory").size()


def worker(way, case):
    sys.path.insert(0, ROOT)
    import importlib

    sim = importlib.import_module(MODULES[way])
    if way == "generic":
        from pynn_spinnaker2 import projections
        projections.expand = lambda connector, projection: None
    start = time.perf_counter()
    n = build(sim, case)
    print("RESULT " + json.dumps({"build_s": time.perf_counter() - start, "synapses": n}))


def measure(way, case):
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", way, "--cases", case],
                          capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        raise RuntimeError(f"{way} {case} failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][7:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="+", default=["brunel_2500"],
                        help="brunel_<scale>, fixed_probability, all_to_all, fixed_number_post")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--nest", action="store_true", help="also time pyNN.nest")
    parser.add_argument("--worker", choices=sorted(MODULES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.cases[0])
    ways = ["vectorised", "generic"] + (["nest"] if args.nest else [])
    print(f"command: python benchmarks/{os.path.basename(__file__)} {' '.join(sys.argv[1:])}")
    print("| case | synapses | " + " | ".join(f"{w} s" for w in ways) + " | "
          + " | ".join(f"vectorised / {w}" for w in ways[1:]) + " |")
    print("| --- | ---: |" + " ---: |" * (2 * len(ways) - 1))
    for case in args.cases:
        times = {w: [] for w in ways}
        sizes = set()
        for _ in range(args.repeats):
            for way in ways:
                result = measure(way, case)
                times[way].append(result["build_s"])
                sizes.add(result["synapses"])
        if len(sizes) != 1:
            raise RuntimeError(f"{case}: the ways built different numbers of synapses: {sizes}")
        median = {w: statistics.median(t) for w, t in times.items()}
        print(f"| {case} | {sizes.pop():,} | " + " | ".join(f"{median[w]:.2f}" for w in ways) + " | "
              + " | ".join(f"{median['vectorised'] / median[w]:.3f}" for w in ways[1:]) + " |")


if __name__ == "__main__":
    main()
