"""Phase 2 on a serial-paradigm PE (paper III-A): a packet's key is looked up in the master
population table, the address list gives the synaptic rows of the sending neuron, and each
synapse adds weight x spike count into slot ``(t + delay) mod slots`` of the input buffer.

The loop over a PE's packets runs inside ``deliver``, one call per PE and window, and fetches
the rows of packets a few places ahead into the cache; what it calls per packet or row takes
arrays and numbers only. (Passing the machine's namedtuples per packet,
or inlining functions that take them, costs far more than the synapses themselves.)"""
import numpy as np
from numba import njit

from ..mapping.serial import DELAY_SHIFT, SLOT_WORDS, WEIGHT_SHIFT
from .plastic import plastic_row
from .prefetch import prefetch
from .stats import DELIVERED, DMA_READS, DMA_WORDS, SYNAPTIC_EVENTS, UNMATCHED

_FIELDS = np.uint32((1 << WEIGHT_SHIFT) - 1)       # delay | type | index: an entry of the input buffer
_U_SLOT, _U_WEIGHT = np.uint64(DELAY_SHIFT), np.uint32(WEIGHT_SHIFT)
_U0, _U1 = np.uint64(0), np.uint64(1)
LOOKAHEAD = 6       # packets between fetching a row and adding it: covers a memory miss
LINE_WORDS = 16     # row words per 64-byte cache line
ROW_LINES = 4       # lines fetched per row; the CPU streams the rest of a longer row itself


@njit(cache=True, nogil=True)
def search(key, table_key, table_mask, lo, hi):
    """First entry of ``[lo, hi)`` (sorted by key) whose masked key matches; -1 if none. Master
    population tables and the parallel paradigm's source tables are searched alike."""
    while lo < hi:
        mid = (lo + hi) // 2
        masked = key & table_mask[mid]
        if masked == table_key[mid]:
            return mid
        if masked < table_key[mid]:
            hi = mid
        else:
            lo = mid + 1
    return -1


@njit(cache=True, nogil=True, inline="always")
def row_weights(start, stride, wide):
    """Where the 32-bit weights of the row at ``start`` begin (a wide row: its synapse words, then
    their weights); 0 for a row of packed words."""
    return start + 1 + (stride - 1) // 2 if wide else 0


@njit(cache=True, nogil=True, inline="always")
def row_dma_words(length, weights):
    """Words a DMA reads for a row of ``length`` synapses: header, synapse words, any weights."""
    return 1 + (2 * length if weights else length)


@njit(cache=True, nogil=True, inline="always")
def synapse(words, row, wrow, j):
    """Synapse j of the row whose synapse words start at ``words[row]`` (32-bit weights from
    ``words[wrow]`` if ``wrow`` > 0): its input buffer entry in step 0 (its delay, type and index
    fields, ``mapping.serial.SLOT_WORDS``) and its weight. Unsigned arithmetic throughout: numba
    adds no negative-index wrap-around to each access, which with the register spills it causes
    doubled the cost of a synapse."""
    w = words[row + j]
    weight = np.int64(words[wrow + j]) if wrow != _U0 else np.int64(w >> _U_WEIGHT)
    return np.uint64(w & _FIELDS), weight


@njit(cache=True, nogil=True, inline="always")
def entry_mask(slots_mask):
    """The bits of an input buffer entry: slot (mod slots), type and index."""
    return (np.uint64(slots_mask) << _U_SLOT) | np.uint64(SLOT_WORDS - 1)


@njit(cache=True, nogil=True, inline="always")
def add_row(words, start, weights, count, t, ring, base, slots_mask):
    """One synaptic row at ``words[start]`` (header, then synapse words; 32-bit weights from
    ``weights`` if > 0): each synapse adds weight x ``count`` into slot ``(t + delay) mod slots``
    of the buffer at ``ring[base]``. Returns the row's synapse count."""
    row, wrow, u_base, mask = np.uint64(start) + _U1, np.uint64(weights), np.uint64(base), entry_mask(slots_mask)
    u_t = np.uint64(t) << _U_SLOT
    length = np.uint64(words[start])
    for j in range(length):
        at, weight = synapse(words, row, wrow, j)
        ring[u_base + ((at + u_t) & mask)] += weight * count
    return np.int64(length)


@njit(cache=True, nogil=True, inline="always")
def add_row_steps(words, start, weights, counts, g, steps, t0, ring, base, slots_mask):
    """``add_row`` for each step t0 + s of a window with the count ``counts[s, g]``, synapse by
    synapse: a row read and decoded once for the window. Returns the row's synapse count."""
    row, wrow, u_base, mask = np.uint64(start) + _U1, np.uint64(weights), np.uint64(base), entry_mask(slots_mask)
    length = np.uint64(words[start])
    for j in range(length):
        at, weight = synapse(words, row, wrow, j)
        for s in range(steps):
            count = counts[s, g]
            if count != 0:
                ring[u_base + ((at + (np.uint64(t0 + s) << _U_SLOT)) & mask)] += weight * np.int64(count)
    return np.int64(length)


@njit(cache=True, nogil=True, inline="always")
def entry(key, last, syn, lo, hi):
    """The master population table entry of ``key``: one source's packets share one, so the
    entry found last is tried before searching (entries are disjoint key ranges)."""
    if last >= 0 and (key & syn.mpt_mask[last]) == syn.mpt_key[last]:
        return last
    return search(key, syn.mpt_key, syn.mpt_mask, lo, hi)


@njit(cache=True, nogil=True, inline="always")
def following(s, e, s_end, src, outbox):
    """The outbox entry after entry ``e`` of source ``src[s]`` among a PE's sources ``[s, s_end)``."""
    e += 1
    while s < s_end and e >= outbox.start[src[s]] + outbox.size[src[s]]:
        s += 1
        if s < s_end:
            e = outbox.start[src[s]]
    return s, e


@njit(cache=True, nogil=True, inline="always")
def fetch_ahead(s, e, last, s_end, src, outbox, syn, lo, hi):
    """Prefetch the static rows that entry ``e`` of source ``src[s]`` names, if the PE's sources
    are not exhausted (``prefetch.py``); returns the entry after it and its table entry."""
    if s < s_end:
        key = outbox.key[e]
        last = entry(key, last, syn, lo, hi)
        if last >= 0:
            neuron = np.int64(key & ~syn.mpt_mask[last])
            for a in range(syn.mpt_first[last], syn.mpt_first[last] + syn.mpt_rows[last]):
                start = syn.al_offset[a] + neuron * syn.al_stride[a]
                for line in range(0, min(syn.al_stride[a], ROW_LINES * LINE_WORDS), LINE_WORDS):
                    prefetch(syn.words, start + line)
        s, e = following(s, e, s_end, src, outbox)
    return s, e, last


@njit(cache=True, nogil=True)
def deliver(v, t0, pes, syn, routes, outbox, ring, stats, plastic):
    """Every packet routed to serial PE v in the window that starts at step t0, in order of
    source and then of sending; the rows of the packet ``LOOKAHEAD`` places on are fetched
    meanwhile."""
    slots_mask, base, dram = pes.slots[v] - 1, pes.ring_start[v], pes.dram[v]
    lo, hi = pes.mpt_start[v], pes.mpt_start[v] + pes.mpt_count[v]
    words, al_offset, al_stride, al_wide = syn.words, syn.al_offset, syn.al_stride, syn.al_wide
    src, s_end = routes.src, routes.src_start[v + 1]
    delivered = events = dma_reads = dma_words = unmatched = 0
    s = routes.src_start[v]
    e = outbox.start[src[s]] - 1 if s < s_end else 0
    s, e = following(s, e, s_end, src, outbox)
    ahead_s, ahead_e, ahead_found, found = s, e, -1, -1
    for _ in range(LOOKAHEAD):
        ahead_s, ahead_e, ahead_found = fetch_ahead(ahead_s, ahead_e, ahead_found, s_end, src, outbox, syn, lo, hi)
    while s < s_end:
        u = src[s]
        if outbox.packet[e] and (routes.src_stages[s] == -1 or (      # a delay PE's stages routed here
                routes.src_stages[s] >> ((np.int64(outbox.key[e]) - np.int64(pes.key[u])) >> routes.stage_shift[0])) & 1):
            delivered += 1
            key = outbox.key[e]
            found = entry(key, found, syn, lo, hi)
            if found < 0:
                unmatched += 1
            else:
                neuron = np.int64(key & ~syn.mpt_mask[found])
                count, t = np.int64(outbox.payload[e]), t0 + outbox.step[e]
                for a in range(syn.mpt_first[found], syn.mpt_first[found] + syn.mpt_rows[found]):
                    start = al_offset[a] + neuron * al_stride[a]
                    if plastic.al_rule[a] >= 0:             # plastic rows: ``plastic.py``
                        events += plastic_row(plastic, a, start, count, t, pes.g0[v], al_wide[a], ring, base,
                                              slots_mask, dram, stats[v])
                        continue
                    weights = row_weights(start, al_stride[a], al_wide[a])
                    length = add_row(words, start, weights, count, t, ring, base, slots_mask)
                    events += length
                    if dram:
                        dma_reads += 1
                        dma_words += row_dma_words(length, weights)
        s, e = following(s, e, s_end, src, outbox)
        ahead_s, ahead_e, ahead_found = fetch_ahead(ahead_s, ahead_e, ahead_found, s_end, src, outbox, syn, lo, hi)
    stats[v, DELIVERED] += delivered
    stats[v, SYNAPTIC_EVENTS] += events
    stats[v, DMA_READS] += dma_reads
    stats[v, DMA_WORDS] += dma_words
    stats[v, UNMATCHED] += unmatched
