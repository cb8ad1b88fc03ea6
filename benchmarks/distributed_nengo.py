"""Nengo models on the emulated machine spread over MPI ranks: the communication channel and the
circular convolution of ``examples/``, each in a fresh job of 1 process and of ``mpiexec -n K``.

Reported per run: build seconds (nengo's builder, translation, mapping, loading), emulation
seconds per simulated second (the slowest rank), of which exchanging, bytes this rank sent per
step, and a digest of every probe's data (equal digests: the same answers as one process).

    python benchmarks/distributed_nengo.py                       # channel 16-D, convolution 8-D; 1 and 2 ranks
    python benchmarks/distributed_nengo.py --ranks 1 2 4 --duration 0.5
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worker(model, size, duration):
    here = os.path.dirname(os.path.abspath(__file__))    # its nengo.py is not nengo
    sys.path[:] = [ROOT] + [p for p in sys.path if os.path.abspath(p or ".") != here]
    import numpy as np

    import nengo_spinnaker2
    from examples import nengo_circular_convolution, nengo_communication_channel

    if model == "channel":
        net, probes = nengo_communication_channel.build(dimensions=size, neurons=100)
    else:
        net, probes = nengo_circular_convolution.build(dimensions=size, neurons_per_product=200)[:2]
    t0 = time.perf_counter()
    sim = nengo_spinnaker2.Simulator(net, progress_bar=False)
    t1 = time.perf_counter()
    sim.run(duration)
    emulator = sim.emulator
    data = b"".join(np.ascontiguousarray(sim.data[p]).tobytes() for p in probes.values())
    exchange = getattr(emulator, "exchange_summary", lambda: {"bytes sent": 0, "exchange seconds": 0.0,
                                                                  "rank": 0})()
    mine = {"rank": exchange["rank"], "build_s": t1 - t0, "emulate_s": emulator.emulation_seconds,
            "exchange_s": exchange["exchange seconds"], "bytes_per_step": exchange["bytes sent"] / sim.n_steps,
            "neurons": int(sum(e.n_neurons for e in net.all_ensembles)),
            "digest": hashlib.sha1(data).hexdigest()[:16]}
    sim.close()
    comm = getattr(emulator, "comm", None)
    rows = comm.gather(mine, root=0) if comm is not None else [mine]
    if mine["rank"] == 0:
        print("RESULT " + json.dumps(rows), flush=True)


def run(model, size, ranks, duration):
    cmd = [sys.executable, "-W", "ignore", __file__, "--worker", model, str(size), str(duration)]
    if ranks > 1:
        cmd = ["mpiexec", "-n", str(ranks)] + cmd
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT),
                         check=True).stdout
    (line,) = [line for line in out.splitlines() if line.startswith("RESULT ")]
    return json.loads(line[7:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--duration", type=float, default=1.0)
    parser.add_argument("--channel", type=int, default=16, help="dimensions of the communication channel")
    parser.add_argument("--convolution", type=int, default=8, help="dimensions of the circular convolution")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), float(args.worker[2]))
        return
    print("| model | neurons | ranks | build s | emulate s per simulated s | of which exchange s | "
          "bytes/step sent per rank | probe digest |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for model, size in (("channel", args.channel), ("convolution", args.convolution)):
        for k in args.ranks:
            rows = run(model, size, k, args.duration)
            slowest = max(rows, key=lambda r: r["emulate_s"])
            sent = " / ".join(f"{r['bytes_per_step']:.0f}" for r in rows)
            print(f"| {model} {size}-D | {rows[0]['neurons']:,} | {k} | {max(r['build_s'] for r in rows):.2f} | "
                  f"{slowest['emulate_s'] / args.duration:.2f} | {slowest['exchange_s'] / args.duration:.2f} | "
                  f"{sent} | {rows[0]['digest']} |", flush=True)


if __name__ == "__main__":
    main()
