"""The emulated chip's step loop, compiled with numba.

Each step: every neuron PE sums its synaptic input buffers' current slot, runs its model's
update and sends one multicast packet per spike; routers forward each packet by table lookup
(first matching entry: links to neighbour chips, local PEs); a receiving PE looks the key up in
its master population table, walks the address-list rows to the synaptic rows and adds each
synapse's weight into slot ``(t + delay) mod slots`` of its input buffer. Spikes sent in step
t therefore act from step t + delay, as in NEST.
"""
import numpy as np
from numba import njit

from ..hardware import N_LINKS, PES_PER_CHIP
from ..models import if_cond_exp, if_curr_alpha, if_curr_exp, spike_source_array, spike_source_poisson
from ..mapping.serial import DELAY_SHIFT, INDEX_BITS, MAX_DELAY, WEIGHT_SHIFT

SENT, DELIVERED, DROPPED, UNMATCHED, SYNAPTIC_EVENTS, DMA_READS, DMA_WORDS = range(7)
STATS = ("packets sent", "packets delivered to PEs", "packets dropped (no routing entry)",
         "packets with no master population table entry", "synaptic events", "DMA row reads",
         "DMA words read")

_INDEX_MASK = np.uint32((1 << INDEX_BITS) - 1)
_TYPE_MASK = np.uint32(3)
_DELAY_MASK = np.uint32(MAX_DELAY)
_U_INDEX, _U_DELAY, _U_WEIGHT = np.uint32(INDEX_BITS), np.uint32(DELAY_SHIFT), np.uint32(WEIGHT_SHIFT)


@njit(cache=True, nogil=True)
def _update(kernel, lo, hi, t, c, fs, is_, events, syn_in, counts, rng, v):
    if kernel == 0:
        if_curr_exp.update(lo, hi, t, c, fs, is_, events, syn_in, counts, rng, v)
    elif kernel == 1:
        if_curr_alpha.update(lo, hi, t, c, fs, is_, events, syn_in, counts, rng, v)
    elif kernel == 2:
        if_cond_exp.update(lo, hi, t, c, fs, is_, events, syn_in, counts, rng, v)
    elif kernel == 3:
        spike_source_poisson.update(lo, hi, t, c, fs, is_, events, syn_in, counts, rng, v)
    elif kernel == 4:
        spike_source_array.update(lo, hi, t, c, fs, is_, events, syn_in, counts, rng, v)


@njit(cache=True, nogil=True)
def _synaptic_processing(v, key, t, img, mpt_key, mpt_mask, mpt_first, mpt_rows, al_offset,
                         al_row_length, al_scale, words, scales, ring, stats):
    lo = img[v, 5]
    hi = lo + img[v, 6]
    # binary search of the master population table (sorted by key)
    found = -1
    while lo < hi:
        mid = (lo + hi) // 2
        masked = key & mpt_mask[mid]
        if masked == mpt_key[mid]:
            found = mid
            break
        if masked < mpt_key[mid]:
            hi = mid
        else:
            lo = mid + 1
    if found < 0:
        stats[UNMATCHED] += 1
        return
    neuron = np.int64(key & ~mpt_mask[found])
    n = img[v, 2]
    slots_mask = img[v, 8] - 1
    base = img[v, 7]
    for a in range(mpt_first[found], mpt_first[found] + mpt_rows[found]):
        start = al_offset[a] + neuron * (1 + al_row_length[a])
        count = np.int64(words[start])
        scale = scales[al_scale[a]]
        if img[v, 9]:
            stats[DMA_READS] += 1
            stats[DMA_WORDS] += 1 + count
        for j in range(start + 1, start + 1 + count):
            w = words[j]
            index = np.int64(w & _INDEX_MASK)
            stype = np.int64((w >> _U_INDEX) & _TYPE_MASK)
            delay = np.int64((w >> _U_DELAY) & _DELAY_MASK)
            ring[base + (((t + delay) & slots_mask) * 2 + stype) * n + index] += np.float32(w >> _U_WEIGHT) * scale
        stats[SYNAPTIC_EVENTS] += count


@njit(cache=True, nogil=True)
def _route(key, chip, t, img, tab_start, tab_count, tab_key, tab_mask, tab_links, tab_pes, neighbours,
           pe_vertex, mpt_key, mpt_mask, mpt_first, mpt_rows, al_offset, al_row_length, al_scale,
           words, scales, ring, stats, stack):
    stack[0] = chip
    sp = 1
    while sp > 0:
        sp -= 1
        c = stack[sp]
        entry = -1
        for e in range(tab_start[c], tab_start[c] + tab_count[c]):
            if (key & tab_mask[e]) == tab_key[e]:
                entry = e
                break
        if entry < 0:
            stats[DROPPED] += 1
            continue
        for word in range(tab_pes.shape[1]):
            bits = tab_pes[entry, word]
            b = 0
            while bits:
                if bits & np.uint64(1):
                    v = pe_vertex[c * PES_PER_CHIP + word * 64 + b]
                    stats[DELIVERED] += 1
                    _synaptic_processing(v, key, t, img, mpt_key, mpt_mask, mpt_first, mpt_rows, al_offset,
                                         al_row_length, al_scale, words, scales, ring, stats)
                bits >>= np.uint64(1)
                b += 1
        links = tab_links[entry]
        for link in range(N_LINKS):
            if (links >> link) & 1 and neighbours[c, link] >= 0:
                stack[sp] = neighbours[c, link]
                sp += 1


@njit(cache=True, nogil=True)
def run_steps(t, t_end, img, feeds, keys,
              tab_start, tab_count, tab_key, tab_mask, tab_links, tab_pes, neighbours, pe_vertex,
              mpt_key, mpt_mask, mpt_first, mpt_rows, al_offset, al_row_length, al_scale, words, scales,
              ring, constants, fstate, istate, events, syn_in, counts, rng,
              record_spikes, n_recording, spike_step, spike_neuron, spike_count, n_spikes,
              rv_g0, rv_n, rv_col, rv_interval, rv_base, rv_row0, samples, stats):
    """Advance from step ``t`` to ``t_end``; returns the step reached (earlier when the spike
    record buffer is full, so the caller can grow it and call again). ``img`` holds one row per
    PE: kernel, first neuron, n, sends, chip, mpt start, mpt count, ring start, slots, dram,
    feed start, feed count."""
    stack = np.empty(4 * neighbours.shape[0] + 8, dtype=np.int64)
    n_vertices = img.shape[0]
    while t < t_end:
        if n_spikes[0] + n_recording > spike_step.size:
            return t
        for v in range(n_vertices):
            kernel = img[v, 0]
            if kernel < 0:
                continue
            g0 = img[v, 1]
            n = img[v, 2]
            syn_in[g0:g0 + n, :] = 0.0
            counts[g0:g0 + n] = 0
            slots = img[v, 8]
            if slots > 0:
                slot = t & (slots - 1)
                for f in feeds[img[v, 10]:img[v, 10] + img[v, 11]]:
                    for stype in range(2):
                        off = img[f, 7] + (slot * 2 + stype) * n
                        for i in range(n):
                            syn_in[g0 + i, stype] += ring[off + i]
                            ring[off + i] = 0.0
            _update(kernel, g0, g0 + n, t, constants, fstate, istate, events, syn_in, counts, rng, v)
            for i in range(n):
                c = counts[g0 + i]
                if c == 0:
                    continue
                if record_spikes[g0 + i]:
                    k = n_spikes[0]
                    spike_step[k] = t
                    spike_neuron[k] = g0 + i
                    spike_count[k] = c
                    n_spikes[0] = k + 1
                if img[v, 3]:
                    key = keys[v] | np.uint32(i)
                    for _ in range(c):
                        stats[SENT] += 1
                        _route(key, img[v, 4], t, img, tab_start, tab_count, tab_key, tab_mask, tab_links,
                               tab_pes, neighbours, pe_vertex, mpt_key, mpt_mask, mpt_first, mpt_rows,
                               al_offset, al_row_length, al_scale, words, scales, ring, stats, stack)
        for r in range(rv_g0.size):
            if (t + 1) % rv_interval[r] == 0:
                row = (t + 1) // rv_interval[r] - rv_row0[r]
                base = rv_base[r] + row * rv_n[r]
                for i in range(rv_n[r]):
                    samples[base + i] = fstate[rv_g0[r] + i, rv_col[r]]
        t += 1
    return t
