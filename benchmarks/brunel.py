"""Brunel network on the emulated SpiNNaker2 chip beside pyNN.nest, in one benchmark run.

Each (scale, backend, repeat) runs ``examples/brunel.py``'s ``simulate`` in a fresh process (PyNN
keeps global state per backend), alternating backends so both see the same machine load.
Reported: build (PyNN network construction), compile (mapping pipeline), emulation/run wall
time, peak resident memory, and the firing statistics; medians over repeats and ratios.

    python benchmarks/brunel.py                      # NE=1000 and full scale (NE=10,000), 1 s
    python benchmarks/brunel.py --scales 250 --repeats 5
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worker(backend, scale, duration, seed):
    sys.path.insert(0, ROOT)
    from examples.brunel import simulate

    r = simulate(backend, scale, duration, 0.1, seed)
    out = {"build_s": r["build_s"], "run_s": r["run_s"], "rate_E": r["rate_E"], "rate_I": r["rate_I"],
           "cv_E": r["cv_E"], "synapses": sum(p.size() for p in r["net"]["projections"].values())}
    if backend == "spinnaker2":
        m = r["sim"].mapping()
        out.update(compile_s=sum(m.compile_seconds.values()), load_s=m.run_seconds["load"],
                   emulate_s=m.run_seconds["emulation"], pes=m.pes_used, dropped=m.dropped_packets)
    else:
        out.update(compile_s=0.0, load_s=0.0, emulate_s=r["run_s"])
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    r["sim"].end()
    print("RESULT " + json.dumps(out))


def measure(backend, scale, duration, seed):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", backend, "--scales", str(scale),
           "--duration", str(duration), "--seed", str(seed)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    lines = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")]
    if proc.returncode or not lines:
        raise RuntimeError(f"{backend} scale {scale} failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][7:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[250, 2500])
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--worker", choices=["spinnaker2", "nest"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.scales[0], args.duration, args.seed)

    keys = ("build_s", "compile_s", "load_s", "emulate_s", "peak_mb", "rate_E", "cv_E")
    for scale in args.scales:
        runs = {"spinnaker2": [], "nest": []}
        for k in range(args.repeats):
            for backend in ("nest", "spinnaker2") if k % 2 == 0 else ("spinnaker2", "nest"):
                runs[backend].append(measure(backend, scale, args.duration, args.seed + k))
        med = {b: {key: statistics.median(r[key] for r in rs) for key in keys} for b, rs in runs.items()}
        s2, nest = med["spinnaker2"], med["nest"]
        print(f"\nBrunel NE={4 * scale} NI={scale}, {runs['nest'][0]['synapses']} synapses, "
              f"{args.duration:g} ms at dt 0.1 ms, median of {args.repeats}")
        print(f"{'':<22}{'spinnaker2':>12}{'pyNN.nest':>12}{'ratio':>9}")
        for key, label in (("build_s", "build (PyNN) s"), ("compile_s", "compile s"), ("load_s", "load s"),
                           ("emulate_s", "emulate / run s"), ("peak_mb", "peak memory MB"),
                           ("rate_E", "rate E Hz"), ("cv_E", "CV(ISI) E")):
            ratio = s2[key] / nest[key] if nest[key] else float("nan")
            print(f"{label:<22}{s2[key]:>12.3f}{nest[key]:>12.3f}{ratio:>9.3f}")
        total_s2 = s2["build_s"] + s2["compile_s"] + s2["load_s"] + s2["emulate_s"]
        total_nest = nest["build_s"] + nest["emulate_s"]
        print(f"{'total wall s':<22}{total_s2:>12.3f}{total_nest:>12.3f}{total_s2 / total_nest:>9.3f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
