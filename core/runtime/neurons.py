"""Phase 1 on a neuron PE: read the synaptic input buffers, update the neurons, send spikes."""
import numpy as np
from numba import njit

from .dispatch import update
from .serial import add_rows
from .stats import LOCAL_SPIKES, SATURATED


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
def local_sources(v, t, w, k, m):
    """The spike sources PE v runs itself: their spikes go straight through their rows into the
    PE's own input buffer; recorded ones are noted in the outbox (as no packet). Returns the
    outbox cursor."""
    loc, nrn, outbox = m.local, m.nrn, m.outbox
    for j in range(loc.local_start[v], loc.local_start[v + 1]):
        g0, n = loc.g0[j], loc.n[j]
        nrn.counts[g0:g0 + n] = 0
        update(loc.model[j], g0, g0 + n, t, nrn)
        for i in range(n):
            c = nrn.counts[g0 + i]
            if c > 0:
                add_rows(v, loc.al_first[j], loc.al_count[j], np.int64(i), np.int64(c), t, m)
                m.stats[v, LOCAL_SPIKES] += c
                if m.rec.spiking[g0 + i]:
                    outbox.step[k] = w
                    outbox.key[k] = 0
                    outbox.neuron[k] = g0 + i
                    outbox.payload[k] = c
                    outbox.packet[k] = False
                    k += 1
    return k


@njit(cache=True, nogil=True, inline="always")
def step(v, t, w, k, m):
    """One step on neuron PE v (step ``w`` of the window): local sources, input, model update, one
    packet per spiking neuron in the outbox from entry ``k``; returns the next free entry."""
    pes, nrn, outbox = m.pes, m.nrn, m.outbox
    g0, n, key = pes.g0[v], pes.n[v], pes.key[v]
    k = local_sources(v, t, w, k, m)
    read_input(v, t, m)
    nrn.counts[g0:g0 + n] = 0
    update(pes.model[v], g0, g0 + n, t, nrn)
    for i in range(n):
        c = nrn.counts[g0 + i]
        if c > 0:
            outbox.step[k] = w
            outbox.key[k] = key | np.uint32(i)
            outbox.neuron[k] = g0 + i
            outbox.payload[k] = c
            outbox.packet[k] = True
            k += 1
    sample(v, t, m)
    return k


@njit(cache=True, nogil=True, inline="always")
def window(v, t0, steps, m):
    """The window's steps on one serial neuron PE."""
    k = m.outbox.start[v]
    for w in range(steps):
        k = step(v, t0 + w, w, k, m)
    m.outbox.size[v] = k - m.outbox.start[v]
