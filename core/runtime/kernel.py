"""The emulated chip's step loop, compiled with numba.

No spike acts before the network's shortest delay, so the machine advances in *windows* of that
many steps (NEST exchanges spikes once per min-delay for the same reason). Each window has two
phases, each parallel over PEs:

1. every neuron PE runs the window's steps: each step it sums its synaptic input buffers' slot
   (integer sums of quantised weights; the weight step is applied here), runs its model's update
   and puts one packet per spiking neuron, the spike count as payload, in its outbox;
2. every receiving PE takes the packets routed to it (routes resolved from the tables at load,
   ``routes.py``), looks each key up in its master population table, walks the address-list rows
   to the synaptic rows and adds weight x count into slot ``(t + delay) mod slots``.

A packet sent in step t lands in slot t + delay, at or after the window's end, so no PE reads
what phase 2 writes before the next window; a PE writes only its own buffers in phase 2, and
integer sums do not depend on order: the result is the same for any number of threads and equal,
step for step, to delivering every packet at once. Spikes sent in step t act from step t + delay,
as in NEST.
"""
import numpy as np
from numba import njit, prange

from ..mapping.serial import DELAY_SHIFT, INDEX_BITS, MAX_DELAY, WEIGHT_SHIFT
from .dispatch import update

(SENT, SPIKES, DELIVERED, DROPPED, UNMATCHED, SYNAPTIC_EVENTS, DMA_READS, DMA_WORDS,
 SATURATED) = range(9)
STATS = ("packets sent", "spikes sent", "packets delivered to PEs", "packets dropped (no routing entry)",
         "packets with no master population table entry", "synaptic events", "DMA row reads",
         "DMA words read", "synaptic input saturations")

_INDEX_MASK = np.uint32((1 << INDEX_BITS) - 1)
_TYPE_MASK = np.uint32(3)
_DELAY_MASK = np.uint32(MAX_DELAY)
_U_INDEX, _U_DELAY, _U_WEIGHT = np.uint32(INDEX_BITS), np.uint32(DELAY_SHIFT), np.uint32(WEIGHT_SHIFT)


@njit(cache=True, nogil=True)
def read_input(v, t, pes, feeds, ring, nrn, stats):
    """This step's slot of the PE's input buffers and those of the PEs sharing its rows: summed,
    cleared, saturated as the hardware's 32-bit entries would be, and scaled per receptor."""
    g0, n = pes.g0[v], pes.n[v]
    nrn.syn_in[g0:g0 + n, :] = 0.0
    slots = pes.slots[v]
    if slots == 0:
        return
    n_types = pes.n_types[v]
    slot = t & (slots - 1)
    limit = pes.saturation[v]
    f0, nf = pes.feed_start[v], pes.feed_count[v]
    for r in range(n_types):
        scale = pes.scale[v, r]
        for i in range(n):
            acc = np.int64(0)
            for k in range(nf):
                off = pes.ring_start[feeds[f0 + k]] + (slot * n_types + r) * n + i
                acc += ring[off]
                ring[off] = 0
            if acc > limit:
                acc = limit
                stats[v, SATURATED] += 1
            nrn.syn_in[g0 + i, r] = np.float32(acc) * scale


@njit(cache=True, nogil=True)
def sample(v, t, pes, nrn, rec):
    """Record the PE's neurons' share of every state variable due at the end of step t."""
    g0, g1 = pes.g0[v], pes.g0[v] + pes.n[v]
    for r in range(rec.g0.size):
        lo, hi = max(g0, rec.g0[r]), min(g1, rec.g0[r] + rec.n[r])
        if lo < hi and (t + 1) % rec.interval[r] == 0:
            base = rec.base[r] + ((t + 1) // rec.interval[r] - rec.row0[r]) * rec.n[r] - rec.g0[r]
            for i in range(lo, hi):
                rec.samples[base + i] = nrn.fstate[i, rec.column[r]]


@njit(cache=True, nogil=True)
def neuron_window(v, t0, steps, window, pes, feeds, ring, nrn, outbox, rec, stats):
    """Phase 1 on one neuron PE: for each step, input, model update, outgoing packets."""
    g0, n = pes.g0[v], pes.n[v]
    k = g0 * window
    for w in range(steps):
        t = t0 + w
        read_input(v, t, pes, feeds, ring, nrn, stats)
        nrn.counts[g0:g0 + n] = 0
        update(pes.model[v], g0, g0 + n, t, nrn)
        for i in range(n):
            c = nrn.counts[g0 + i]
            if c > 0:
                outbox.step[k] = w
                outbox.index[k] = i
                outbox.payload[k] = c
                k += 1
        sample(v, t, pes, nrn, rec)
    outbox.size[v] = k - g0 * window


@njit(cache=True, nogil=True)
def receive(v, key, count, t, pes, syn, ring, stats):
    """Phase 2 for one packet on a serial PE: master population table, address list, rows."""
    lo = pes.mpt_start[v]
    hi = lo + pes.mpt_count[v]
    found = -1
    while lo < hi:                                   # the table is sorted by key
        mid = (lo + hi) // 2
        masked = key & syn.mpt_mask[mid]
        if masked == syn.mpt_key[mid]:
            found = mid
            break
        if masked < syn.mpt_key[mid]:
            hi = mid
        else:
            lo = mid + 1
    if found < 0:
        stats[v, UNMATCHED] += 1
        return
    neuron = np.int64(key & ~syn.mpt_mask[found])
    n, n_types = pes.n[v], pes.n_types[v]
    slots_mask = pes.slots[v] - 1
    base = pes.ring_start[v]
    words = syn.words
    for a in range(syn.mpt_first[found], syn.mpt_first[found] + syn.mpt_rows[found]):
        start = syn.al_offset[a] + neuron * syn.al_stride[a]
        m = np.int64(words[start])
        wide = syn.al_wide[a]
        weights = start + 1 + (syn.al_stride[a] - 1) // 2      # 32-bit weights follow the synapse words
        if pes.dram[v]:
            stats[v, DMA_READS] += 1
            stats[v, DMA_WORDS] += 1 + (2 * m if wide else m)
        for j in range(m):
            w = words[start + 1 + j]
            index = np.int64(w & _INDEX_MASK)
            stype = np.int64((w >> _U_INDEX) & _TYPE_MASK)
            delay = np.int64((w >> _U_DELAY) & _DELAY_MASK)
            weight = np.int64(words[weights + j]) if wide else np.int64(w >> _U_WEIGHT)
            ring[base + (((t + delay) & slots_mask) * n_types + stype) * n + index] += weight * count
        stats[v, SYNAPTIC_EVENTS] += m


@njit(cache=True, nogil=True)
def deliver(v, t0, window, pes, syn, routes, ring, outbox, stats):
    """Phase 2 on one receiving PE: every packet routed to it in this window."""
    for s in range(routes.src_start[v], routes.src_start[v + 1]):
        u = routes.src[s]
        m = outbox.size[u]
        stats[v, DELIVERED] += m
        first, key = pes.g0[u] * window, pes.key[u]
        for e in range(first, first + m):
            receive(v, key | np.uint32(outbox.index[e]), np.int64(outbox.payload[e]), t0 + outbox.step[e],
                    pes, syn, ring, stats)


@njit(cache=True, nogil=True)
def bookkeeping(t0, window, neuron_pes, pes, outbox, routes, rec, stats):
    """Between the phases, on one thread: spike recording and packet counts."""
    for v in neuron_pes:
        m = outbox.size[v]
        if m == 0:
            continue
        g0 = pes.g0[v]
        first = g0 * window
        for e in range(first, first + m):
            c = outbox.payload[e]
            stats[v, SPIKES] += c
            if rec.spiking[g0 + outbox.index[e]]:
                k = rec.n_spikes[0]
                rec.step[k] = t0 + outbox.step[e]
                rec.neuron[k] = g0 + outbox.index[e]
                rec.count[k] = c
                rec.n_spikes[0] = k + 1
        if pes.sends[v]:
            stats[v, SENT] += m
            stats[v, DROPPED] += m * routes.drops[v]


@njit(cache=True, parallel=True)
def run_steps(t, t_end, window, neuron_pes, pes, feeds, syn, routes, nrn, ring, outbox, rec, stats):
    """Advance from step ``t`` to ``t_end`` in windows of at most ``window`` steps; returns the
    step reached (earlier when the spike record buffer is full, so the caller can grow it and call
    again)."""
    receivers = routes.receivers
    while t < t_end:
        steps = min(window, t_end - t)
        if rec.n_spikes[0] + rec.n_spiking * steps > rec.step.size:
            return t
        for k in prange(neuron_pes.size):
            neuron_window(neuron_pes[k], t, steps, window, pes, feeds, ring, nrn, outbox, rec, stats)
        bookkeeping(t, window, neuron_pes, pes, outbox, routes, rec, stats)
        for k in prange(receivers.size):
            deliver(receivers[k], t, window, pes, syn, routes, ring, outbox, stats)
        t += steps
    return t
