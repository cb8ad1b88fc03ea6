"""The Potjans-Diesmann cortical microcircuit (``examples/microcircuit.py``) on the emulated
SpiNNaker2 machine: population rates beside pyNN.nest on the same script, and where time and
memory go at any scale, full scale included.

* ``--compare SCALE`` (default 0.1): both backends, each in its own process, same seeds (so the
  same connectome: PyNN draws it identically on both); per-population rates after the
  transient, their relative differences (goal: within 10 %), and wall times and peak memory
  side by side.
* ``--profile SCALE``: ours alone, with the wall time and peak resident memory of every stage
  (``stages.py``: PyNN build, translation, each mapping stage, load, emulation, reading the
  spikes back) and the mapping (PEs, chips, routing entries, DRAM). A watchdog kills the run
  when it passes ``--memory-limit`` GB and reports the stage it was in.

    python benchmarks/microcircuit.py --compare 0.1
    python benchmarks/microcircuit.py --profile 1.0 --duration 100     # full scale
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RATE_TOLERANCE = 0.10


def worker(backend, scale, duration, transient, seed, background, n_chips, threads, profile):
    sys.path.insert(0, ROOT)
    warnings.filterwarnings("ignore", message=".*(not multiples of the time step|initial value for)")
    import importlib

    from examples import microcircuit as mc

    sim = importlib.import_module(mc.BACKENDS[backend])
    setup = {"threads": threads} if threads else {}
    if backend == "nest":
        setup["spike_precision"] = "on_grid"
    else:
        setup["n_chips"] = n_chips
    if profile:
        from benchmarks.stages import Profile
        context = Profile(log=sys.stderr)
    else:
        import contextlib
        context = contextlib.nullcontext()
    with context as prof:
        t0 = time.perf_counter()
        net = mc.build(sim, scale, background, 0.1, seed, **setup)
        t1 = time.perf_counter()
        sim.run(duration)
        t2 = time.perf_counter()
        trains = {name: mc.spike_trains(pop) for name, pop in net["populations"].items()}
        t3 = time.perf_counter()
    out = {"build_s": t1 - t0, "run_s": t2 - t1, "data_s": t3 - t2,
           "rates": mc.population_rates(trains, transient if transient < duration else 0.0, duration),
           "neurons": int(sum(p.size for p in net["populations"].values())),
           "synapses": int(sum(len(p) for p in net["projections"].values())),
           "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if backend == "spinnaker2":
        m = sim.mapping()
        entries = [a for a, b in m.routing_entries.values() if b]
        out.update(compile_s=sum(m.compile_seconds.values()), compile_stages=m.compile_seconds,
                   load_s=m.run_seconds["load"], emulate_s=m.run_seconds["emulation"], pes=m.pes_used,
                   chips=m.chips_used, routing_entries_max=max(entries, default=0),
                   routing_entries_total=sum(entries), dram_mb=sum(p.dram_bytes for p in m.populations) / 2**20,
                   sram_mb=sum(p.sram_bytes for p in m.populations) / 2**20, dropped=m.dropped_packets,
                   runtime=m.runtime, threads=sim.simulator.state.emulator.threads)
    if profile:
        out["stages"] = prof.as_dict()
        out["stage_table"] = prof.table()
    sim.end()
    print("RESULT " + json.dumps(out))


def measure(backend, args, scale, profile=False):
    """One run in a fresh process; a watchdog ends it above the memory limit."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", backend, "--scale", str(scale),
           "--duration", str(args.duration), "--transient", str(args.transient), "--seed", str(args.seed),
           "--background", args.background, "--n-chips", str(args.n_chips)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    if profile:
        cmd.append("--with-profile")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))
    with tempfile.TemporaryFile("w+") as err, tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, env=env, text=True)
        peak, killed = 0.0, False
        while proc.poll() is None:
            time.sleep(0.5)
            rss = _tree_rss_mb(proc.pid)
            peak = max(peak, rss)
            if rss > args.memory_limit * 1024:
                proc.kill()
                killed = True
        proc.wait()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    if killed:
        stages = [line for line in stderr.splitlines() if line.startswith("[")]
        raise MemoryError(f"{backend} scale {scale}: resident memory passed {args.memory_limit:g} GB "
                          f"({peak:.0f} MB sampled); the last stages:\n" + "\n".join(stages[-8:]))
    if proc.returncode or not lines:
        raise RuntimeError(f"{backend} scale {scale} failed:\n{stderr[-4000:]}")
    return json.loads(lines[-1][7:])


def _tree_rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def compare(args):
    from examples.microcircuit import POPULATIONS

    runs = {"spinnaker2": [], "nest": []}
    for k in range(args.repeats):
        for backend in ("nest", "spinnaker2") if k % 2 == 0 else ("spinnaker2", "nest"):
            runs[backend].append(measure(backend, args, args.compare))
    med = {b: {name: float(np.median([r["rates"][name] for r in rs])) for name in POPULATIONS}
           for b, rs in runs.items()}
    s2, nest = runs["spinnaker2"][0], runs["nest"][0]
    print(f"\nPotjans-Diesmann microcircuit, scale {args.compare:g}: {s2['neurons']} neurons, "
          f"{s2['synapses']} synapses, {args.background} background, {args.duration:g} ms at dt 0.1 ms, "
          f"rates after {args.transient:g} ms, median of {args.repeats}")
    print(f"{'population':<12}{'spinnaker2 Hz':>15}{'pyNN.nest Hz':>14}{'difference':>12}")
    worst = 0.0
    for name in POPULATIONS:
        ours, ref = med["spinnaker2"][name], med["nest"][name]
        diff = (ours - ref) / ref if ref else (0.0 if ours == 0 else float("inf"))   # a silent population
        worst = max(worst, abs(diff))
        print(f"{name:<12}{med['spinnaker2'][name]:>15.3f}{med['nest'][name]:>14.3f}{100 * diff:>11.1f}%")
    print(f"largest difference {100 * worst:.1f}% (goal <= {100 * RATE_TOLERANCE:g}%): "
          f"{'met' if worst <= RATE_TOLERANCE else 'NOT met'}")
    rows = (("build_s", "build (PyNN) s"), ("run_s", "run s (ours: compile, load, emulate)"),
            ("data_s", "get_data s"), ("peak_mb", "peak memory MB"))
    print(f"\n{'':<38}{'spinnaker2':>12}{'pyNN.nest':>12}{'ratio':>8}")
    for key, label in rows:
        a = float(np.median([r[key] for r in runs["spinnaker2"]]))
        b = float(np.median([r[key] for r in runs["nest"]]))
        print(f"{label:<38}{a:>12.2f}{b:>12.2f}{a / b:>8.3f}")
    em = float(np.median([r["emulate_s"] for r in runs["spinnaker2"]]))
    print(f"of ours: compile {s2['compile_s']:.2f} s, load {s2['load_s']:.2f} s, emulation {em:.2f} s "
          f"({em / (args.duration / 1000):.2f} s per simulated second); {s2['pes']} PEs on {s2['chips']} chip(s)")
    return worst <= RATE_TOLERANCE


def profile(args):
    r = measure("spinnaker2", args, args.profile, profile=True)
    seconds = args.duration / 1000.0
    print(f"\nPotjans-Diesmann microcircuit on spinnaker2, scale {args.profile:g}: {r['neurons']} neurons, "
          f"{r['synapses']} synapses, {args.background} background, {args.duration:g} ms at dt 0.1 ms, "
          f"{r['threads']} thread(s)")
    print(r["stage_table"])
    print(f"\nPyNN build {r['build_s']:.1f} s; compile {r['compile_s']:.1f} s "
          f"({', '.join(f'{k} {v:.1f}' for k, v in r['compile_stages'].items())}); load {r['load_s']:.1f} s; "
          f"emulation {r['emulate_s']:.1f} s = {r['emulate_s'] / seconds:.1f} s per simulated second; "
          f"get_data {r['data_s']:.1f} s")
    print(f"peak resident memory {r['peak_mb']:.0f} MB; {r['pes']} PEs on {r['chips']} chip(s); routing entries "
          f"{r['routing_entries_total']} in all, at most {r['routing_entries_max']} on a chip; synaptic rows in "
          f"DRAM {r['dram_mb']:.0f} MB, SRAM used {r['sram_mb']:.1f} MB; dropped packets {r['dropped']}")
    print("rates (Hz): " + ", ".join(f"{k} {v:.2f}" for k, v in r["rates"].items()))
    return r


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", type=float, help="scale to run on both backends (e.g. 0.1)")
    parser.add_argument("--profile", type=float, help="scale to profile on this backend (e.g. 1.0)")
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")
    parser.add_argument("--transient", type=float, default=100.0, help="ms left out of the rates")
    parser.add_argument("--background", choices=("poisson", "dc"), default="poisson")
    parser.add_argument("--n-chips", type=int, default=48)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--memory-limit", type=float, default=16.0, help="GB of resident memory (profile runs)")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--worker", choices=["spinnaker2", "nest"], help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--with-profile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.scale, args.duration, args.transient, args.seed, args.background,
                      args.n_chips, args.threads, args.with_profile)
    if args.compare is None and args.profile is None:
        args.compare = 0.1
    results = {}
    if args.compare is not None:
        results["compare"] = compare(args)
    if args.profile is not None:
        try:
            results["profile"] = profile(args)
        except MemoryError as error:
            print(f"\n{error}")
            results["profile"] = {"error": str(error)}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
