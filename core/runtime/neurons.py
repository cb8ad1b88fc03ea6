"""Phase 1 on a neuron PE: read the synaptic input buffers, update the neurons, send spikes."""
import numpy as np
from numba import njit

from .dispatch import update
from .plastic import record_post
from .stats import SATURATED


@njit(cache=True, nogil=True, inline="always")
def read_input(v, t, m):
    """This step's slot of the PE's input buffers and those of the PEs sharing its rows: summed,
    cleared, saturated as the hardware's 32-bit entries would be, and scaled per receptor."""
    pes, ring, nrn = m.pes, m.ring, m.nrn
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
                off = pes.ring_start[m.feeds[f0 + k]] + (slot * n_types + r) * n + i
                acc += ring[off]
                ring[off] = 0
            if acc > limit:
                acc = limit
                m.stats[v, SATURATED] += 1
            nrn.syn_in[g0 + i, r] = np.float32(acc) * scale


@njit(cache=True, nogil=True, inline="always")
def sample(v, t, m):
    """Record the PE's neurons' share of every state variable due at the end of step t."""
    rec = m.rec
    g0, g1 = m.pes.g0[v], m.pes.g0[v] + m.pes.n[v]
    for r in range(rec.g0.size):
        lo, hi = max(g0, rec.g0[r]), min(g1, rec.g0[r] + rec.n[r])
        if lo < hi and (t + 1) % rec.interval[r] == 0:
            base = rec.base[r] + ((t + 1) // rec.interval[r] - rec.row0[r]) * rec.n[r] - rec.g0[r]
            for i in range(lo, hi):
                rec.samples[base + i] = m.nrn.fstate[i, rec.column[r]]


@njit(cache=True, nogil=True, inline="always")
def window(v, t0, steps, m):
    """The window's steps on one neuron PE: input, model update, one packet per spiking neuron."""
    pes, nrn, outbox = m.pes, m.nrn, m.outbox
    g0, n, key = pes.g0[v], pes.n[v], pes.key[v]
    k = outbox.start[v]
    for w in range(steps):
        t = t0 + w
        read_input(v, t, m)
        nrn.counts[g0:g0 + n] = 0
        update(pes.model[v], g0, g0 + n, t, nrn)
        for i in range(n):
            c = nrn.counts[g0 + i]
            if c > 0:
                outbox.step[k] = w
                outbox.key[k] = key | np.uint32(i)
                outbox.index[k] = i
                outbox.payload[k] = c
                k += 1
        record_post(v, t, m)
        sample(v, t, m)
    outbox.size[v] = k - outbox.start[v]
