"""Brunel network on the emulated SpiNNaker2 machine beside pyNN.nest, in one benchmark run.

``examples/brunel.py`` unchanged on both backends, in both Poisson styles (``shared``: one
source for all neurons; ``per-neuron``: one source per neuron, NEST's ``brunel_alpha``). Each
(style, scale, backend, threads, repeat) runs in a fresh process (PyNN keeps global state per
backend), backends alternating so both see the same machine load. Ours runs with each thread
count asked for; the spikes must be identical whatever the count (checked, by a hash of every
spike). Reported: PyNN build, translation, compile (mapping pipeline), load, emulation (ours)
beside NEST's run, peak resident memory, firing statistics; medians over repeats and ratios
(spinnaker2 / pyNN.nest: below 1, we are faster or smaller), and the goals at full scale.

    python benchmarks/brunel.py                                   # order 250 and full scale, both styles
    python benchmarks/brunel.py --scales 250 --styles per-neuron --repeats 3
    python benchmarks/brunel.py --scales 250 --json results.json  # also write every run
"""
import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STYLES = ("shared", "per-neuron")
FULL_SCALE = 2500
GOALS = {"emulate_ratio": 0.5, "seconds_per_simulated_second": 3.0, "peak_mb": 600.0, "build_compile_s": 5.0}


def spike_hash(trains):
    digest = hashlib.sha1()
    for name in sorted(trains):
        for t in trains[name]:
            digest.update(len(t).to_bytes(4, "little"))
            digest.update(t.astype("float64").tobytes())
    return digest.hexdigest()[:16]


def worker(backend, scale, duration, seed, style, threads):
    sys.path.insert(0, ROOT)
    from examples.brunel import simulate

    setup = {"threads": threads} if threads else {}
    if backend == "nest":
        setup["spike_precision"] = "on_grid"
    r = simulate(backend, scale, duration, 0.1, seed, style, **setup)
    out = {"build_s": r["build_s"], "run_s": r["run_s"], "rate_E": r["rate_E"], "rate_I": r["rate_I"],
           "cv_E": r["cv_E"], "synapses": sum(p.size() for p in r["net"]["projections"].values()),
           "spikes": spike_hash(r["trains"])}
    if backend == "spinnaker2":
        m = r["sim"].mapping()
        out.update(compile_s=sum(m.compile_seconds.values()), load_s=m.run_seconds["load"],
                   emulate_s=m.run_seconds["emulation"], pes=m.pes_used, chips=m.chips_used,
                   dropped=m.dropped_packets, threads=r["sim"].simulator.state.emulator.threads)
        out["translate_s"] = out["run_s"] - out["compile_s"] - out["load_s"] - out["emulate_s"]
    else:
        out.update(compile_s=0.0, load_s=0.0, translate_s=0.0, emulate_s=r["run_s"], threads=threads or 1)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    r["sim"].end()
    print("RESULT " + json.dumps(out))


def measure(backend, scale, duration, seed, style, threads=None, timeout=None):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", backend, "--scales", str(scale),
           "--duration", str(duration), "--seed", str(seed), "--styles", style]
    if threads:
        cmd += ["--threads", str(threads)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode or not lines:
        raise RuntimeError(f"{backend} {style} scale {scale} failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][7:])


ROWS = (("build_s", "build (PyNN) s"), ("translate_s", "translate s"), ("compile_s", "compile s"),
        ("load_s", "load s"), ("emulate_s", "emulate / run s"), ("peak_mb", "peak memory MB"),
        ("rate_E", "rate E Hz"), ("cv_E", "CV(ISI) E"))


def table(style, scale, duration, runs, threads, repeats):
    """Our figures per thread count beside NEST's, with ratios; goals at full scale."""
    med = {key: {k: statistics.median(r[k] for r in rs) for k in rs[0] if isinstance(rs[0][k], (int, float))}
           for key, rs in runs.items()}
    nest = med["nest"]
    ours = [f"spinnaker2 t={t}" for t in threads]
    lines = [f"\nBrunel {style} Poisson input, NE={4 * scale} NI={scale}, {runs['nest'][0]['synapses']} synapses, "
             f"{duration:g} ms at dt 0.1 ms, median of {repeats}",
             f"{'':<20}" + "".join(f"{name:>16}" for name in ours) + f"{'pyNN.nest':>12}"
             + "".join(f"{'ratio t=' + str(t):>12}" for t in threads)]
    for key, label in ROWS:
        values = [med[name][key] for name in ours]
        ratio = "".join(f"{v / nest[key]:>12.3f}" if nest[key] else f"{'':>12}" for v in values)
        lines.append(f"{label:<20}" + "".join(f"{v:>16.3f}" for v in values)
                     + (f"{nest[key]:>12.3f}" if nest[key] or key in ("emulate_s", "build_s") else f"{'-':>12}") + ratio)
    totals = [sum(med[name][k] for k in ("build_s", "translate_s", "compile_s", "load_s", "emulate_s"))
              for name in ours]
    nest_total = nest["build_s"] + nest["emulate_s"]
    lines.append(f"{'total wall s':<20}" + "".join(f"{v:>16.3f}" for v in totals) + f"{nest_total:>12.3f}"
                 + "".join(f"{v / nest_total:>12.3f}" for v in totals))
    hashes = {name: {r["spikes"] for r in runs[name]} for name in ours}
    same = len({tuple(sorted(h)) for h in hashes.values()}) == 1      # same seeds per repeat
    lines.append(f"spikes identical for threads {', '.join(map(str, threads))}: {'yes' if same else 'NO'}; "
                 f"PEs {runs[ours[0]][0]['pes']} on {runs[ours[0]][0]['chips']} chip(s), "
                 f"dropped packets {runs[ours[0]][0]['dropped']}")
    best = min(ours, key=lambda name: med[name]["emulate_s"])
    b = med[best]
    seconds = duration / 1000.0
    goals = [("emulation / NEST run", b["emulate_s"] / nest["emulate_s"], GOALS["emulate_ratio"])]
    if scale >= FULL_SCALE:
        goals += [("emulation s per simulated s", b["emulate_s"] / seconds, GOALS["seconds_per_simulated_second"]),
                  ("peak memory MB", min(med[n]["peak_mb"] for n in ours), GOALS["peak_mb"]),
                  ("build + translate + compile s", b["build_s"] + b["translate_s"] + b["compile_s"],
                   GOALS["build_compile_s"])]
    for label, value, goal in goals:
        lines.append(f"goal ({best}): {label} {value:.3f} (goal <= {goal:g}): {'met' if value <= goal else 'NOT met'}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[250, FULL_SCALE])
    parser.add_argument("--styles", nargs="+", choices=STYLES, default=list(STYLES))
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="our thread counts")
    parser.add_argument("--nest-threads", type=int, default=1)
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--json", help="write every run's figures to this file")
    parser.add_argument("--worker", choices=["spinnaker2", "nest"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.scales[0], args.duration, args.seed, args.styles[0],
                      args.threads[0] if args.threads else None)

    everything = []
    for style in args.styles:
        for scale in args.scales:
            runs = {f"spinnaker2 t={t}": [] for t in args.threads}
            runs["nest"] = []
            for k in range(args.repeats):
                order = ["nest"] + list(runs)[:-1]
                for name in order if k % 2 == 0 else order[::-1]:
                    if name == "nest":
                        r = measure("nest", scale, args.duration, args.seed + k, style, args.nest_threads)
                    else:
                        r = measure("spinnaker2", scale, args.duration, args.seed + k, style, int(name.split("=")[1]))
                    runs[name].append(r)
                    everything.append(dict(r, backend=name, style=style, scale=scale, repeat=k))
            print(table(style, scale, args.duration, runs, args.threads, args.repeats))
            sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(everything, f, indent=1)


if __name__ == "__main__":
    main()
