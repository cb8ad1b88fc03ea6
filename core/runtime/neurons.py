"""Phase 1 on a neuron PE, each step: its synaptic input buffers and current sources
(``currents.py``), its neurons' update, one packet per spiking neuron, the recorded state; then,
once per window, the spike sources it runs itself (``local_sources``).

The machine is unpacked once per window (``window``); the per-step function takes the units it
touches and calls only the model's update and the row routine, which take arrays and numbers.
"""
import numpy as np
from numba import njit

from ..mapping.serial import BUFFER_TYPES
from .currents import advance, inject
from .dispatch import update, update_window
from .plastic import record_post
from .serial import add_row_steps, row_dma_words, row_weights
from .stats import DMA_READS, DMA_WORDS, LOCAL_SPIKES, SATURATED, SYNAPTIC_EVENTS


@njit(cache=True, nogil=True, inline="always")
def step(v, t, w, k, pes, feeds, nrn, outbox, rec, ring, stats, cur, plastic):
    """Step ``t`` (``w`` of the window) on neuron PE v; its packets go into the outbox from entry
    ``k``. Returns the next free entry."""
    g0, n, key = pes.g0[v], pes.n[v], pes.key[v]
    n_types, slots = pes.n_types[v], pes.slots[v]
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
            scale, row = pes.scale[v, r], (slot * BUFFER_TYPES + r) * pes.type_words[v]
            if nf == 1 and not carry:           # its own buffer alone, the common case: no per-neuron
                off = np.uint64(pes.ring_start[feeds[f0]] + row)       # offsets or branches, and
                for i in range(np.uint64(n)):                          # unsigned indices (``serial.synapse``)
                    acc = ring[off + i]
                    ring[off + i] = 0
                    saturated += acc > limit
                    nrn.syn_in[np.uint64(g0) + i, r] = np.float32(min(acc, limit)) * scale
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
def local_sources(v, t0, steps, k, pes, syn, local, nrn, outbox, rec, ring, stats):
    """The window's steps of the spike sources PE v runs itself (``mapping/local_sources.py``):
    their spikes go straight through their rows into the PE's input buffer, no packet sent.

    Run after the PE's neuron steps, a window at a time: a source's spike in step t acts from
    step t + delay, at or after the window's end (delay >= window, as for packets), so adding it
    once the neurons have read this window's slots lands where adding it in step t would. A
    source draws its steps in one go and its rows are read once per window."""
    slots, base = pes.slots[v], pes.ring_start[v]
    counts = nrn.window_counts
    for j in range(local.local_start[v], local.local_start[v + 1]):
        s0, ns = local.g0[j], local.n[j]
        update_window(local.model[j], s0, s0 + ns, t0, steps, nrn)
        events = spikes = dma_words = rows = 0
        for i in range(ns):
            spiking = 0                         # steps the source spikes in: a row read (DMA) each
            for w in range(steps):
                spiking += counts[w, s0 + i] != 0
            if spiking == 0:
                continue
            for a in range(local.al_first[j], local.al_first[j] + local.al_count[j]):
                start = syn.al_offset[a] + i * syn.al_stride[a]
                weights = row_weights(start, syn.al_stride[a], syn.al_wide[a])
                length = add_row_steps(syn.words, start, weights, counts, s0 + i, steps, t0, ring, base, slots - 1)
                events += spiking * length
                rows += spiking
                dma_words += spiking * row_dma_words(length, weights)
        for w in range(steps):
            for i in range(ns):
                c = counts[w, s0 + i]
                spikes += c
                if c != 0 and rec.spiking[s0 + i]:      # noted for recording, sent as no packet
                    outbox.step[k], outbox.key[k], outbox.neuron[k] = w, 0, s0 + i
                    outbox.payload[k], outbox.packet[k] = c, False
                    k += 1
        stats[v, SYNAPTIC_EVENTS] += events
        stats[v, LOCAL_SPIKES] += spikes
        if pes.dram[v]:
            stats[v, DMA_READS] += rows
            stats[v, DMA_WORDS] += dma_words
    return k


@njit(cache=True, nogil=True, inline="always")
def window(v, t0, steps, m):
    """The window's steps on one serial neuron PE, then its local spike sources'."""
    k = m.outbox.start[v]
    pes, feeds, nrn, outbox, rec, ring, stats, cur, plastic = (
        m.pes, m.feeds, m.nrn, m.outbox, m.rec, m.ring, m.stats, m.currents, m.plastic)
    for w in range(steps):
        k = step(v, t0 + w, w, k, pes, feeds, nrn, outbox, rec, ring, stats, cur, plastic)
    if m.local.local_start[v] < m.local.local_start[v + 1]:
        k = local_sources(v, t0, steps, k, pes, m.serial, m.local, nrn, outbox, rec, ring, stats)
    outbox.size[v] = k - outbox.start[v]
