"""Phase 1 on a neuron PE, each step: the spike sources it runs itself, its synaptic input
buffers and current sources (``currents.py``), its neurons' update, one packet per spiking
neuron, the recorded state.

The machine is unpacked once per window (``window``); the per-step function takes the units it
touches and calls only the model's update and the row routine, which take arrays and numbers.
"""
import numpy as np
from numba import njit

from .currents import advance, inject
from .dispatch import update
from .plastic import record_post
from .serial import add_row
from .stats import DMA_READS, DMA_WORDS, LOCAL_SPIKES, SATURATED, SYNAPTIC_EVENTS


@njit(cache=True, nogil=True, inline="always")
def step(v, t, w, k, pes, feeds, syn, local, nrn, outbox, rec, ring, stats, cur, plastic):
    """Step ``t`` (``w`` of the window) on neuron PE v; its packets go into the outbox from entry
    ``k``. Returns the next free entry."""
    g0, n, key = pes.g0[v], pes.n[v], pes.key[v]
    n_types, slots, base = pes.n_types[v], pes.slots[v], pes.ring_start[v]
    # spike sources run here: their spikes go straight through their rows into this PE's buffer
    for j in range(local.local_start[v], local.local_start[v + 1]):
        s0, ns = local.g0[j], local.n[j]
        a0, a1 = local.al_first[j], local.al_first[j] + local.al_count[j]
        nrn.counts[s0:s0 + ns] = 0
        update(local.model[j], s0, s0 + ns, t, nrn)
        events = spikes = dma_words = rows = 0
        for i in range(ns):
            c = nrn.counts[s0 + i]
            if c == 0:
                continue
            spikes += c
            for a in range(a0, a1):
                start = syn.al_offset[a] + i * syn.al_stride[a]
                weights = start + 1 + (syn.al_stride[a] - 1) // 2 if syn.al_wide[a] else 0
                length = add_row(syn.words, start, weights, np.int64(c), t, ring, base, slots - 1, n_types, n)
                events += length
                rows += 1
                dma_words += 1 + (2 * length if weights else length)
            if rec.spiking[s0 + i]:             # noted for recording, sent as no packet
                outbox.step[k], outbox.key[k], outbox.neuron[k] = w, 0, s0 + i
                outbox.payload[k], outbox.packet[k] = c, False
                k += 1
        stats[v, SYNAPTIC_EVENTS] += events
        stats[v, LOCAL_SPIKES] += spikes
        if pes.dram[v]:
            stats[v, DMA_READS] += rows
            stats[v, DMA_WORDS] += dma_words
    # this step's slot of its input buffers and those of the PEs sharing its rows: summed,
    # cleared, saturated as the hardware's 32-bit entries would be, scaled per receptor
    nrn.syn_in[g0:g0 + n, :] = 0.0
    if slots > 0:
        slot = t & (slots - 1)
        limit = pes.saturation[v]
        f0, nf = pes.feed_start[v], pes.feed_count[v]
        d = t - nrn.carried_from
        carry = 0 <= d < nrn.carried.shape[0] and g0 < nrn.carried.shape[1]
        saturated = 0
        for r in range(n_types):
            scale, row = pes.scale[v, r], (slot * n_types + r) * n
            if nf == 1 and not carry:           # its own buffer alone, the common case: no
                off = pes.ring_start[feeds[f0]] + row      # per-neuron offsets or branches
                for i in range(n):
                    acc = ring[off + i]
                    ring[off + i] = 0
                    saturated += acc > limit
                    nrn.syn_in[g0 + i, r] = np.float32(min(acc, limit)) * scale
                continue
            for i in range(n):
                acc = nrn.carried[d, g0 + i, r] if carry else np.int64(0)
                for q in range(nf):
                    off = pes.ring_start[feeds[f0 + q]] + row + i
                    acc += ring[off]
                    ring[off] = 0
                saturated += acc > limit
                nrn.syn_in[g0 + i, r] = np.float32(min(acc, limit)) * scale
        stats[v, SATURATED] += saturated
    inject(g0, n, cur, nrn.i_inject)
    nrn.counts[g0:g0 + n] = 0
    update(pes.model[v], g0, g0 + n, t, nrn)
    advance(g0, n, t, cur, nrn.rng)
    for i in range(n):
        c = nrn.counts[g0 + i]
        if c != 0:                              # a binary neuron's -1 (``signed_events``) is sent too
            outbox.step[k], outbox.key[k], outbox.neuron[k] = w, key | np.uint32(i), g0 + i
            outbox.payload[k], outbox.packet[k] = c, True
            k += 1
    if plastic.pe_history[v]:                  # the spikes STDP rows will pair with
        record_post(plastic, g0, n, t, nrn.counts)
    # the PE's neurons' share of every state variable due at the end of the step
    for r in range(rec.g0.size):
        lo, hi = max(g0, rec.g0[r]), min(g0 + n, rec.g0[r] + rec.n[r])
        if lo < hi and (t + 1) % rec.interval[r] == 0:
            at = rec.base[r] + ((t + 1) // rec.interval[r] - rec.row0[r]) * rec.n[r] - rec.g0[r]
            for i in range(lo, hi):
                rec.samples[at + i] = nrn.fstate[i, rec.column[r]]
    return k


@njit(cache=True, nogil=True, inline="always")
def window(v, t0, steps, m):
    """The window's steps on one serial neuron PE."""
    k = m.outbox.start[v]
    pes, feeds, syn, local, nrn, outbox, rec, ring, stats, cur, plastic = (
        m.pes, m.feeds, m.serial, m.local, m.nrn, m.outbox, m.rec, m.ring, m.stats, m.currents, m.plastic)
    for w in range(steps):
        k = step(v, t0 + w, w, k, pes, feeds, syn, local, nrn, outbox, rec, ring, stats, cur, plastic)
    outbox.size[v] = k - outbox.start[v]
