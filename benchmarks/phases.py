"""Where the step loop's time goes: phase 1 (every PE computes), the bookkeeping between the
phases, and phase 2 (every receiving PE takes its packets), and how busy each thread is in each.

`examples/brunel.py`'s network in either Poisson style runs 50 ms, then a copy of the kernel's
step loop (``core.runtime.kernel._run_steps``, the same ``compute``, ``bookkeeping`` and
``deliver``) reads the CPU's cycle counter around each phase and each thread's share of it,
for ``--steps`` steps; then ``Emulator.run`` itself runs as many steps, for comparison. Run it
from two checkouts (``PYTHONPATH``) one after the other, repeatedly, to compare code on a host
whose speed drifts.

    python benchmarks/phases.py --style per-neuron --threads 2            # full scale
    python benchmarks/phases.py --style shared --threads 1 --scale 250
"""
import argparse
import importlib
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed_loop():
    """The step loop with cycle counts: ``acc`` = [compute, bookkeeping, deliver, each thread's
    compute, each thread's deliver]."""
    import numba
    from llvmlite import ir
    from numba import njit, prange, types
    from numba.core import cgutils
    from numba.extending import intrinsic

    from core.runtime import kernel
    from core.runtime.state import Machine

    @intrinsic
    def cycles(typingctx):
        def codegen(context, builder, signature, args):
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.IntType(64), []),
                                                "llvm.readcyclecounter")
            return builder.call(fn, [])
        return types.int64(), codegen

    @njit(_nrt=False, parallel=True)
    def loop(t, t_end, window, computing, threads, queue, acc, pes, feeds, syn, local, par, stacked, routes, nrn,
             outbox, rec, ring, stats, currents, dly, plastic, vals):
        m = Machine(pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats, currents, dly,
                    plastic, vals)
        while t < t_end:
            steps = min(window, t_end - t)
            a = cycles()
            queue[0] = 0
            for c in prange(threads):
                c0 = cycles()
                kernel.compute(computing, queue, t, steps,
                               Machine(pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats,
                                       currents, dly, plastic, vals))
                acc[3 + c] += cycles() - c0
            b = cycles()
            kernel.bookkeeping(t, computing, m)
            d = cycles()
            queue[0] = 0
            for c in prange(threads):
                c0 = cycles()
                kernel.deliver(routes.receivers, queue, t,
                               Machine(pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats,
                                       currents, dly, plastic, vals))
                acc[3 + threads + c] += cycles() - c0
            e = cycles()
            acc[0] += b - a
            acc[1] += d - b
            acc[2] += e - d
            t += steps
        return t

    return loop, numba


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--style", choices=["shared", "per-neuron"], default="per-neuron")
    parser.add_argument("--scale", type=int, default=2500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5000)
    args = parser.parse_args(argv)
    sys.path.insert(0, ROOT)
    from examples.brunel import BACKENDS, build

    sim = importlib.import_module(BACKENDS["spinnaker2"])
    build(sim, args.scale, 0.1, 12345, args.style, threads=args.threads)
    sim.run(50.0)
    em = sim.simulator.state.emulator
    loop, numba = timed_loop()
    t0, n = em.step, args.steps
    rec, _ = em._recording_plan(t0, t0 + 2 * n, 1024)
    room = 4 * int(rec.n_spiking) * (2 * n + em.window) + 1024     # every spike recorded, with room
    rec = rec._replace(step=np.zeros(room, np.int64), neuron=np.zeros(room, np.int64),
                       count=np.zeros(room, np.int32))
    machine = em._machine(rec, np.zeros((2 * n + 1, em._current_image.n_recorded), np.float32), t0)
    acc = np.zeros(3 + 2 * args.threads, np.int64)
    previous = numba.get_num_threads()
    numba.set_num_threads(args.threads)
    loop(t0, t0 + em.window, em.window, em._computing, args.threads, em._queue, acc, *machine)    # compiles
    acc[:] = 0
    start = time.perf_counter()
    loop(t0 + em.window, t0 + em.window + n, em.window, em._computing, args.threads, em._queue, acc, *machine)
    wall = (time.perf_counter() - start) / n * 1e4            # s per simulated second at dt 0.1 ms
    numba.set_num_threads(previous)
    em.step = t0 + em.window + n
    start = time.perf_counter()
    em.run(n)
    run = (time.perf_counter() - start) / n * 1e4
    total = acc[:3].sum()
    share = [wall * acc[k] / total for k in range(3)]
    busy = lambda k0, phase: " ".join(f"{acc[k0 + c] / acc[phase]:.2f}" for c in range(args.threads))
    print(f"{args.style} scale {args.scale}, {args.threads} thread(s), {n} steps after 50 ms (s per simulated s):")
    print(f"  step loop {wall:.3f}: compute {share[0]:.3f}, bookkeeping {share[1]:.3f}, deliver {share[2]:.3f}")
    print(f"  threads busy: compute {busy(3, 0)}; deliver {busy(3 + args.threads, 2)}")
    print(f"  Emulator.run of as many steps: {run:.3f}")
    sim.end()


if __name__ == "__main__":
    main()
