"""Phase 2 on a serial-paradigm PE (paper III-A): a packet's key is looked up in the master
population table, the address list gives the synaptic rows of the sending neuron, and each
synapse adds weight x spike count into slot ``(t + delay) mod slots`` of the input buffer."""
import numpy as np
from numba import njit

from ..mapping.serial import DELAY_SHIFT, INDEX_BITS, MAX_DELAY, WEIGHT_SHIFT
from .stats import DMA_READS, DMA_WORDS, SYNAPTIC_EVENTS, UNMATCHED

_INDEX_MASK = np.uint32((1 << INDEX_BITS) - 1)
_TYPE_MASK = np.uint32(3)
_DELAY_MASK = np.uint32(MAX_DELAY)
_U_INDEX, _U_DELAY, _U_WEIGHT = np.uint32(INDEX_BITS), np.uint32(DELAY_SHIFT), np.uint32(WEIGHT_SHIFT)


@njit(cache=True, nogil=True, inline="always")
def lookup(v, key, m):
    """Binary search of the PE's master population table (sorted by key); -1 if no entry."""
    syn = m.serial
    lo = m.pes.mpt_start[v]
    hi = lo + m.pes.mpt_count[v]
    while lo < hi:
        mid = (lo + hi) // 2
        masked = key & syn.mpt_mask[mid]
        if masked == syn.mpt_key[mid]:
            return mid
        if masked < syn.mpt_key[mid]:
            hi = mid
        else:
            lo = mid + 1
    return -1


@njit(cache=True, nogil=True, inline="always")
def add_rows(v, first, n_rows, neuron, count, t, m):
    """The synaptic rows of source ``neuron`` in address-list entries [first, first + n_rows):
    each synapse adds weight x ``count`` into slot ``(t + delay) mod slots`` of PE v's buffer."""
    pes, syn, ring = m.pes, m.serial, m.ring
    n, n_types = pes.n[v], pes.n_types[v]
    slots_mask = pes.slots[v] - 1
    base = pes.ring_start[v]
    words = syn.words
    for a in range(first, first + n_rows):
        start = syn.al_offset[a] + neuron * syn.al_stride[a]
        count_row = np.int64(words[start])
        wide = syn.al_wide[a]
        weights = start + 1 + (syn.al_stride[a] - 1) // 2      # 32-bit weights follow the synapse words
        if pes.dram[v]:
            m.stats[v, DMA_READS] += 1
            m.stats[v, DMA_WORDS] += 1 + (2 * count_row if wide else count_row)
        for j in range(count_row):
            w = words[start + 1 + j]
            index = np.int64(w & _INDEX_MASK)
            stype = np.int64((w >> _U_INDEX) & _TYPE_MASK)
            delay = np.int64((w >> _U_DELAY) & _DELAY_MASK)
            weight = np.int64(words[weights + j]) if wide else np.int64(w >> _U_WEIGHT)
            ring[base + (((t + delay) & slots_mask) * n_types + stype) * n + index] += weight * count
        m.stats[v, SYNAPTIC_EVENTS] += count_row


@njit(cache=True, nogil=True, inline="always")
def receive(v, key, count, t, m):
    """One packet (spike count ``count``, sent in step ``t``) arriving at serial PE ``v``."""
    found = lookup(v, key, m)
    if found < 0:
        m.stats[v, UNMATCHED] += 1
        return
    syn = m.serial
    add_rows(v, syn.mpt_first[found], syn.mpt_rows[found], np.int64(key & ~syn.mpt_mask[found]), count, t, m)
