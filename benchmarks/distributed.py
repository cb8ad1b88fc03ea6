"""The Brunel network on the emulated machine spread over MPI ranks: weak and strong scaling.

Weak scaling: ``--per-rank`` x K Brunel cells' worth of network on K ranks (the machine grows with
the ranks). Strong scaling: one network (``--strong``, default full scale) on 1 and 2 ranks.
Each configuration runs ``examples/brunel.py``'s network under ``mpiexec -n K`` in a fresh job;
reported per configuration: wall times (build, compile + load, emulation; the slowest rank),
peak resident memory per rank, synaptic-row bytes per rank, bytes the ranks exchanged per time
step, that figure as the model below predicts it, and whether the spike trains equal those of
one process (a digest over every spike).

Model of the exchange: in every window of W steps (the minimum delay) a rank sends, to each other
rank holding targets of one of its sending PEs, one 4-byte count per such (PE, rank) pair and 12
bytes per packet (step, key, payload), plus a 16-byte header per rank pair:

    bytes/step = 12 * sum over PEs u of (ranks other than u's holding u's targets) * spikes_u/step
                 + (4 * (PE, other-rank) pairs + 16 * K * (K - 1)) / W

For Brunel's random connectivity every PE has targets on every rank, so with N neurons firing
at rate nu and time step dt: bytes/step = 12 N nu dt (K - 1) + (4 S (K - 1) + 16 K (K - 1)) / W,
S the sending PEs (about N / 255).

    python benchmarks/distributed.py                         # weak 1000/rank x 1, 2; strong full scale on 1, 2
    python benchmarks/distributed.py --per-rank 250 --ranks 1 2 4 --strong 0
"""
import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worker(scale, duration, seed):
    sys.path.insert(0, ROOT)
    import numpy as np

    import pynn_spinnaker2 as sim
    from examples.brunel import build, rates

    t0 = time.perf_counter()
    net = build(sim, scale, 0.1, seed)
    t1 = time.perf_counter()
    sim.run(duration)
    t2 = time.perf_counter()
    state = sim.simulator.state
    emulator = state.emulator
    trains = {name: [np.asarray(t) for t in net[name].get_data("spikes").segments[0].spiketrains] for name in ("E", "I")}
    digest = hashlib.sha1(b"".join(t.tobytes() for name in ("E", "I") for t in trains[name])).hexdigest()[:16]
    exchange = getattr(emulator, "exchange_summary", lambda: {"bytes sent": 0, "windows": 0,
                                                                  "exchange seconds": 0.0})()
    mine = {"rank": sim.rank(), "build_s": t1 - t0, "run_s": t2 - t1,
            "compile_s": sum(state.program.report.compile_seconds.values()), "load_s": emulator.load_seconds,
            "emulate_s": emulator.emulation_seconds, "exchange_s": exchange["exchange seconds"],
            "bytes_sent": exchange["bytes sent"], "windows": exchange["windows"],
            "row_mb": state.program.images.serial.words.nbytes / 2**20,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    ranks = [mine]
    if sim.num_processes() > 1:
        from mpi4py import MPI
        ranks = MPI.COMM_WORLD.gather(mine, root=0)
    if sim.rank() == 0:
        report = sim.mapping()
        n = sum(p.size for p in (net["E"], net["I"]))
        spikes_per_step = sum(len(t) for name in ("E", "I") for t in trains[name]) / (duration / 0.1)
        out = {"ranks": ranks, "digest": digest, "neurons": n, "pes": report.pes_used,
               "rate_E": rates(trains["E"], duration), "spikes_per_step": spikes_per_step,
               "window": emulator.window, "steps": int(round(duration / 0.1)),
               "senders": int(emulator.routes.senders.size)}
        print("RESULT " + json.dumps(out))
    sim.end()


def measure(n_ranks, scale, duration, seed):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--scale", str(scale),
           "--duration", str(duration), "--seed", str(seed)]
    if n_ranks > 1:
        cmd = ["mpiexec", "-n", str(n_ranks)] + cmd
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode or not lines:
        raise RuntimeError(f"{n_ranks} ranks, scale {scale} failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][7:])


def model_bytes(r, n_ranks):
    """Bytes per step the model predicts for Brunel's all-to-all-ranks connectivity."""
    k, w = n_ranks, r["window"]
    return 12 * r["spikes_per_step"] * (k - 1) + (4 * r["senders"] * (k - 1) + 16 * k * (k - 1)) / w


def row(label, n_ranks, r):
    ranks = r["ranks"]
    sent = sum(x["bytes_sent"] for x in ranks) / r["steps"]
    slowest = max(ranks, key=lambda x: x["emulate_s"])
    peak = " / ".join(f"{x['peak_mb']:.0f}" for x in ranks)
    rows = " / ".join(f"{x['row_mb']:.1f}" for x in ranks)
    return (f"| {label} | {n_ranks} | {r['neurons']:,} | {r['pes']} | {max(x['build_s'] for x in ranks):.2f} | "
            f"{max(x['compile_s'] + x['load_s'] for x in ranks):.2f} | {slowest['emulate_s']:.2f} | "
            f"{slowest['exchange_s']:.2f} | {peak} | {rows} | {sent:,.0f} | {model_bytes(r, n_ranks):,.0f} | "
            f"{r['rate_E']:.1f} | {r['digest']} |")


HEADER = ("| run | ranks | neurons | PEs | build s | compile+load s | emulate s | of which exchange s | "
          "peak MB per rank | rows MB per rank | bytes/step sent | model bytes/step | rate E Hz | spike digest |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-rank", type=int, default=250, help="weak scaling: Brunel scale per rank (NE = 4x)")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--strong", type=int, default=2500, help="strong scaling: Brunel scale (0: skip)")
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.scale, args.duration, args.seed)
    print(f"Brunel, {args.duration:g} ms at dt 0.1 ms; {os.cpu_count()} cores\n\n{HEADER}")
    for k in args.ranks:
        print(row(f"weak, scale {args.per_rank}/rank", k, measure(k, args.per_rank * k, args.duration, args.seed)),
              flush=True)
    if args.strong:
        for k in args.ranks[:2]:
            print(row(f"strong, scale {args.strong}", k, measure(k, args.strong, args.duration, args.seed)), flush=True)


if __name__ == "__main__":
    main()
