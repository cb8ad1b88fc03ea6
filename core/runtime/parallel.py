"""The parallel paradigm on the emulated PEs (paper III-B; ``mapping/parallel``).

Phase 2: the dominant PE looks a packet's key up in its source table and adds the spike count to
its input spike buffer, a ring of per-step spike lists over the delay range.

Phase 1, each step t: the dominant builds the stacked input from the ring through its reversed
order and input merging table (row r gets the counts of every input (s, d) feeding it, source s
having spiked at t - d); its subordinates multiply it with their weight-delay map shares, 4 x 16
tiles of integer weights into 32-bit accumulators; the dominant adds each column's partial sum
into the synaptic input of the column's (receptor, target) and then updates its neurons like a
serial neuron PE (``neurons.step``). A dominant and its subordinates advance together, as they
exchange the stacked input and the sums every step through the QPE's shared SRAM. The sums are
the same integers the serial paradigm's synaptic rows produce, so spikes are bit-identical.
The MAC array multiplies every stored tile every step; the emulator skips rows whose input is
zero, which changes no sum, and counts the tiles the hardware multiplies.
"""
import numpy as np
from numba import njit

from . import neurons
from .serial import search
from .stats import DELIVERED, MAC_TILES, STACKED_ROWS, STACKED_SATURATED, UNMATCHED


@njit(cache=True, nogil=True)
def deliver(v, t0, par, hist, routes, outbox, stats):
    """Every packet routed to dominant v in the window from step t0: each count joins the spike
    list of the step it was sent in."""
    j = par.slice_of[v]
    n_source, depth = par.n_source[j], hist.depth[j]
    delivered = unmatched = 0
    for s in range(routes.src_start[v], routes.src_start[v + 1]):
        u = routes.src[s]
        for e in range(outbox.start[u], outbox.start[u] + outbox.size[u]):
            if not outbox.packet[e]:
                continue
            delivered += 1
            key = outbox.key[e]
            found = search(key, par.src_key, par.src_mask, par.src_start[j], par.src_start[j + 1])
            if found < 0:
                unmatched += 1
                continue
            source = par.src_base[found] + np.int64(key & ~par.src_mask[found])
            line = (t0 + outbox.step[e]) & (depth - 1)
            slot = hist.off[j] + line * n_source
            if hist.count[slot + source] == 0:
                length = hist.length[hist.len_off[j] + line]
                hist.sources[slot + length] = source
                hist.length[hist.len_off[j] + line] = length + 1
            hist.count[slot + source] += outbox.payload[e]
    stats[v, DELIVERED] += delivered
    stats[v, UNMATCHED] += unmatched


@njit(cache=True, nogil=True)
def clear(j, t, par, hist):
    """Empty the spike list of step t before the window's packets fill it (it held step t - depth,
    older than any delay reads)."""
    n_source = par.n_source[j]
    line = hist.len_off[j] + (t & (hist.depth[j] - 1))
    slot = hist.off[j] + (t & (hist.depth[j] - 1)) * n_source
    for e in range(hist.length[line]):
        hist.count[slot + hist.sources[slot + e]] = 0
    hist.length[line] = 0


@njit(cache=True, nogil=True)
def multiply(v, t, pes, par, hist, ring, stats):
    """Stacked input of step t, times the weight-delay map, into the dominant's input buffer."""
    j = par.slice_of[v]
    n_source, D = par.n_source[j], par.delay_range[j]
    rows, row0 = hist.rows, par.row_off[j]
    touched = hist.touched
    n_touched = 0
    in0, inrow0 = par.input_off[j], par.input_row_off[j]
    for d in range(1, D + 1):
        step = t - d
        line = hist.len_off[j] + (step & (hist.depth[j] - 1))
        slot = hist.off[j] + (step & (hist.depth[j] - 1)) * n_source
        for e in range(hist.length[line]):
            s = hist.sources[slot + e]
            c = hist.count[slot + s]
            k = s * D + d - 1
            for q in range(par.input_start[in0 + k], par.input_start[in0 + k + 1]):
                r = row0 + par.input_row[inrow0 + q]
                if rows[r] == 0:
                    touched[row0 + n_touched] = r
                    n_touched += 1
                rows[r] += c
    acc, col0 = hist.acc, par.col_off[j]
    g0 = par.group_off[j]
    limit = par.max_input[j]
    for e in range(n_touched):
        r = touched[row0 + e]
        x = rows[r]
        rows[r] = 0
        if x > limit:                              # the operand cannot hold it: saturate, count
            x = limit
            stats[v, STACKED_SATURATED] += 1
        group = (r - row0) // 4
        for g in range(par.group_seg[g0 + group], par.group_seg[g0 + group + 1]):
            width = par.seg_width[g]
            w0 = par.seg_weight[g] + (r - row0 - par.seg_row[g]) * width
            c0 = par.seg_col[g]
            for i in range(width):
                acc[c0 + i] += x * par.weights[w0 + i]
    stats[v, STACKED_ROWS] += n_touched
    for q in range(par.sub_start[j], par.sub_start[j + 1]):
        stats[par.sub_pe[q], MAC_TILES] += par.sub_tiles[q]
    # the dominant adds the partial sums into its one-slot synaptic input buffer
    base, type_words = pes.ring_start[v], pes.type_words[v]
    for c in range(col0, col0 + par.n_cols[j]):
        if acc[c] != 0:
            ring[base + par.col_type[c] * type_words + par.col_target[c]] += acc[c]
            acc[c] = 0


@njit(cache=True, nogil=True, inline="always")
def window(v, t0, steps, m):
    """The window's steps on a dominant PE and its subordinates."""
    pes, feeds, nrn, outbox, rec, ring, stats, cur = m.pes, m.feeds, m.nrn, m.outbox, m.rec, m.ring, m.stats, m.currents
    par, hist = m.parallel, m.stacked
    j = par.slice_of[v]
    k = outbox.start[v]
    for w in range(steps):
        t = t0 + w
        clear(j, t, par, hist)
        multiply(v, t, pes, par, hist, ring, stats)
        k = neurons.step(v, t, w, k, pes, feeds, nrn, outbox, rec, ring, stats, cur, m.plastic)
    if m.local.local_start[v] < m.local.local_start[v + 1]:
        k = neurons.local_sources(v, t0, steps, k, pes, m.serial, m.local, nrn, outbox, rec, ring, stats)
    outbox.size[v] = k - outbox.start[v]
