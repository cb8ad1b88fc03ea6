"""The emulated chip's step loop, compiled with numba.

No spike acts before the network's shortest delay, so the machine advances in *windows* of that
many steps (NEST exchanges spikes once per min-delay for the same reason). Each window has two
phases, each parallel over PEs:

1. every computing PE runs the window's steps (a neuron PE: input buffers, model update, one
   packet per spiking neuron with the spike count as payload, ``neurons.py``) and fills its outbox;
2. every receiving PE takes the packets routed to it (routes resolved from the tables at load,
   ``routes.py``) and processes them (a serial PE: master population table, address list,
   synaptic rows, ``serial.py``).

A packet sent in step t lands in slot t + delay, at or after the window's end, so no PE reads
what phase 2 writes before the next window; a PE writes only its own buffers in phase 2, and
integer sums do not depend on order: the result is the same for any number of threads and equal,
step for step, to delivering every packet at once. Spikes sent in step t act from step t + delay,
as in NEST. What a PE does in each phase depends on its kind (``mapping.images``); this module
is the one place that dispatches on it.
"""
import types

from numba import njit, prange

from ..mapping.images import DELAY, DOMINANT, NEURONS, SYNAPSES, VALUES
from . import delays, neurons, parallel, serial, values
from .fpu import flush_to_zero, restore
from .state import Machine
from .workqueue import take

from .stats import DROPPED, SENT, SPIKES, STATS  # noqa: F401  (STATS re-exported)


# ``compute`` and ``deliver`` are not inlined (``inline="always"``): numba's parallel passes lose
# array writes made by code inlined into a parallel function. Each is called once per thread and
# phase and takes PEs from the phase's work queue (``workqueue.py``) until none is left, because a
# call that passes the machine (some 200 arrays, each several words) costs about a microsecond;
# what they call per PE is inlined, and what is called per packet or synapse takes only the units
# it touches.

@njit(cache=True, nogil=True)
def compute(pes, queue, t0, steps, m):
    """Phase 1 on the PEs of ``pes`` this thread takes from ``queue``, in the PEs' flush-to-zero
    mode (``fpu.py``)."""
    saved = flush_to_zero()
    k = take(queue)
    while k < pes.size:
        v = pes[k]
        kind = m.pes.kind[v]
        if kind == NEURONS:
            neurons.window(v, t0, steps, m)
        elif kind == DOMINANT:
            parallel.window(v, t0, steps, m)
        elif kind == DELAY:
            delays.window(v, t0, steps, m.pes, m.delays, m.ring, m.outbox, m.stats)
        elif kind == VALUES:
            values.window(v, t0, steps, m)
        k = take(queue)
    restore(saved)


@njit(cache=True, nogil=True)
def deliver(pes, queue, t0, m):
    """Phase 2 on the PEs of ``pes`` this thread takes from ``queue``: every packet routed to
    each in this window, processed as its kind does (in flush-to-zero mode)."""
    saved = flush_to_zero()
    k = take(queue)
    while k < pes.size:
        v = pes[k]
        kind = m.pes.kind[v]
        if kind == NEURONS or kind == SYNAPSES:
            serial.deliver(v, t0, m.pes, m.serial, m.routes, m.outbox, m.ring, m.stats, m.plastic)
        elif kind == DOMINANT:
            parallel.deliver(v, t0, m.parallel, m.stacked, m.routes, m.outbox, m.stats)
        elif kind == DELAY:
            delays.deliver(v, t0, m.pes, m.routes, m.outbox, m.ring, m.stats)
        elif kind == VALUES:
            values.deliver(v, t0, m)
        k = take(queue)
    restore(saved)


@njit(cache=True, nogil=True)
def bookkeeping(t0, computing, m):
    """Between the phases, on one thread: spike recording and packet counts."""
    pes, outbox, rec, stats = m.pes, m.outbox, m.rec, m.stats
    for v in computing:
        packets = 0
        for e in range(outbox.start[v], outbox.start[v] + outbox.size[v]):
            g = outbox.neuron[e]
            c = outbox.payload[e]
            if outbox.packet[e]:
                packets += 1
                if g >= 0:      # a spike (a delay PE re-sends counted spikes; a value packet carries a value)
                    stats[v, SPIKES] += abs(c)
            if g >= 0 and rec.spiking[g]:
                k = rec.n_spikes[0]
                rec.step[k] = t0 + outbox.step[e]
                rec.neuron[k] = g
                rec.count[k] = c
                rec.n_spikes[0] = k + 1
        if pes.sends[v]:
            routes = m.routes
            stats[v, SENT] += packets
            stats[v, DROPPED] += packets * routes.drops[v]
            for c in range(routes.visit_start[v], routes.visit_start[v + 1]):
                routes.router_load[routes.visit[c]] += packets
            for h in range(routes.hop_start[v], routes.hop_start[v + 1]):
                routes.link_load[routes.hop[h]] += packets


def _run_steps(t, t_end, window, computing, threads, queue, pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring,
               stats, currents, dly, plastic, vals):
    """Advance from step ``t`` to ``t_end`` in windows of at most ``window`` steps; returns the
    step reached (earlier when the spike record buffer is full, so the caller can grow it and call
    again). Each of ``threads`` threads takes PEs of ``computing``, then of the receivers, from
    ``queue`` (int64 (1,), ``workqueue.py``); the arguments after it are the fields of a
    :data:`state.Machine`, which is built inside each parallel loop because numba's parallel
    loops take only flat tuples."""
    m = Machine(pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats, currents, dly,
                plastic, vals)
    receivers = m.routes.receivers
    while t < t_end:
        steps = min(window, t_end - t)
        if m.rec.n_spikes[0] + m.rec.n_spiking * steps > m.rec.step.size:
            return t
        queue[0] = 0
        for _ in prange(threads):
            compute(computing, queue, t, steps,
                    Machine(pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats, currents, dly,
                            plastic, vals))
        bookkeeping(t, computing, m)
        queue[0] = 0
        for _ in prange(threads):
            deliver(receivers, queue, t,
                    Machine(pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats, currents, dly,
                            plastic, vals))
        t += steps
    return t


def _run_stage(t, computing, receivers, threads, queue, pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring,
               stats, currents, dly, plastic, vals):
    """One stage of one step: phase 1 on ``computing``, bookkeeping, phase 2 on ``receivers``.
    A step split in two stages lets the host act between them (``Emulator.run(between=...)``):
    stage 1 runs the PEs the host reads from, stage 2 the ones it writes to."""
    m = Machine(pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats, currents, dly, plastic,
                vals)
    queue[0] = 0
    for _ in prange(threads):
        compute(computing, queue, t, 1,
                Machine(pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats, currents, dly, plastic,
                vals))
    bookkeeping(t, computing, m)
    queue[0] = 0
    for _ in prange(threads):
        deliver(receivers, queue, t,
                Machine(pes, feeds, syn, local, par, stacked, routes, nrn, outbox, rec, ring, stats, currents, dly, plastic,
                vals))


def _twin(function, name):
    """``function`` under another name, so numba caches a second compilation of it separately."""
    twin = types.FunctionType(function.__code__, function.__globals__, name)
    twin.__qualname__ = name
    return twin


# Compiled without numba's reference counting (``_nrt=False``, inherited by every function they
# call): the arrays belong to the emulator for the whole call, and counting references costs
# about 30 ns per array each time a unit of the machine is passed on (some 200 arrays, per PE and
# window). So nothing in the step loop allocates: working memory is ``Neurons.scratch``.
LOOP = dict(cache=True, _nrt=False)
run_steps_parallel = njit(parallel=True, **LOOP)(_twin(_run_steps, "run_steps_parallel"))
run_steps = njit(**LOOP)(_twin(_run_steps, "run_steps"))     # one thread: no parallel-region overhead
run_stage_parallel = njit(parallel=True, **LOOP)(_twin(_run_stage, "run_stage_parallel"))
run_stage = njit(**LOOP)(_twin(_run_stage, "run_stage"))
