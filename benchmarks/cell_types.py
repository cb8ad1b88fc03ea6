"""What each cell type costs to run, on the emulated SpiNNaker2 chip beside pyNN.nest, in one
benchmark run.

For each cell type: 1,000 neurons driven by a constant current and by 100 Poisson sources at
20 Hz (10% connection probability), dt 0.1 ms, 1 s simulated. Each (cell type, backend, repeat)
runs in a fresh process, alternating backends so both see the same machine load. Reported: the
run's wall time (emulation on ours, ``sim.run`` on NEST), medians over repeats, their ratio, and
the mean firing rates (the two simulate the same neurons, so the rates must agree).

    python benchmarks/cell_types.py                       # every cell type, 3 repeats
    python benchmarks/cell_types.py --cells IF_cond_exp HH_cond_exp --repeats 5
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# cell type: (parameters, excitatory weight)
CELLS = {
    "IF_curr_exp": (dict(i_offset=0.6, tau_refrac=2.0), 0.2),
    "IF_curr_delta": (dict(i_offset=0.6, tau_refrac=2.0), 0.5),
    "IF_cond_exp": (dict(i_offset=0.6, tau_refrac=2.0), 0.004),
    "IF_cond_alpha": (dict(i_offset=0.6, tau_refrac=2.0), 0.002),
    "EIF_cond_exp_isfa_ista": (dict(i_offset=0.4, tau_refrac=2.0), 0.002),
    "HH_cond_exp": (dict(i_offset=0.2), 0.01),
    "Izhikevich": (dict(i_offset=0.005), 1.0),
}


def worker(backend, cell, duration, seed):
    sys.path.insert(0, ROOT)
    import numpy as np
    import importlib
    sim = importlib.import_module({"spinnaker2": "pynn_spinnaker2", "nest": "pyNN.nest"}[backend])
    extra = {"spike_precision": "on_grid"} if backend == "nest" else {}
    sim.setup(timestep=0.1, min_delay=1.0, **extra)
    parameters, weight = CELLS[cell]
    cells = sim.Population(1000, getattr(sim, cell)(**parameters))
    noise = sim.Population(100, sim.SpikeSourcePoisson(rate=20.0))
    sim.Projection(noise, cells, sim.FixedProbabilityConnector(0.1, rng=sim.NumpyRNG(seed)),
                   sim.StaticSynapse(weight=weight, delay=1.0))
    cells.record("spikes")
    sim.run(0.1)                         # compile and load (ours) outside the timed run
    start = time.perf_counter()
    sim.run(duration)
    run_s = time.perf_counter() - start
    spikes = sum(len(st) for st in cells.get_data().segments[0].spiketrains)
    print("RESULT " + json.dumps({"run_s": run_s, "rate": spikes / 1000 / (duration / 1000.0)}))
    sim.end()


def measure(backend, cell, duration, seed):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", backend, "--cells", cell,
           "--duration", str(duration), "--seed", str(seed)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=ROOT))
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode or not lines:
        raise RuntimeError(f"{backend} {cell} failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][7:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", nargs="+", default=list(CELLS))
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", choices=["spinnaker2", "nest"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.cells[0], args.duration, args.seed)
    print(f"| cell type | spinnaker2 run s | pyNN.nest run s | ratio | rate ours Hz | rate NEST Hz |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for cell in args.cells:
        runs = {"spinnaker2": [], "nest": []}
        for _ in range(args.repeats):
            for backend in runs:
                runs[backend].append(measure(backend, cell, args.duration, args.seed))
        ours = statistics.median(r["run_s"] for r in runs["spinnaker2"])
        nest = statistics.median(r["run_s"] for r in runs["nest"])
        print(f"| {cell} | {ours:.3f} | {nest:.3f} | {ours / nest:.2f} | "
              f"{runs['spinnaker2'][0]['rate']:.2f} | {runs['nest'][0]['rate']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
