"""The serial paradigm (paper section III-A): data structures a PE holds for event-driven
synaptic processing on its ARM core, and their byte costs (paper Table I).

A synaptic row is one header word (its synapse count) followed by 32-bit synapse words
``weight(16) | delay(6) | synapse type(2) | target index(8)``; with 32-bit weights the weight
field is empty and a second block of words, one weight per synapse, follows the synapse words.
Rows of a block are padded to the block's longest row, so the row of source neuron ``k`` sits at
``k * (1 + words_per_synapse * row_length)``. The costs follow Table I item by item, with three
differences that the built images have and the table's estimate does not: one header word per
row, 32-bit integer synaptic input buffers (64-bit with 32-bit weights), and neuron constants,
state and random stream stored per neuron, since PyNN parameters may differ per neuron.
"""
from __future__ import annotations

import numpy as np

from ..hardware import DATA_SRAM_BYTES

WEIGHT_BITS, DELAY_BITS, TYPE_BITS, INDEX_BITS = 16, 6, 2, 8
WEIGHT_SHIFT = DELAY_BITS + TYPE_BITS + INDEX_BITS
DELAY_SHIFT = TYPE_BITS + INDEX_BITS
MAX_WEIGHT = (1 << WEIGHT_BITS) - 1
MAX_DELAY = (1 << DELAY_BITS) - 1          # time steps a row word and the ring buffer can hold
N_SYNAPSE_TYPES = 2
# The emulator lays out a PE's synaptic input buffer (slots x receptors x neurons) by the synaptic
# word's own fields, slot s, type r, neuron i at entry ``s << DELAY_SHIFT | r << INDEX_BITS | i``
# (sPyNNaker indexes its ring buffers so): a synapse's entry in step t is its word's low bits plus
# ``t << DELAY_SHIFT``, masked. The hardware's dense buffer is what ``pe_bytes`` counts.
SLOT_WORDS, TYPE_WORDS, BUFFER_TYPES = 1 << DELAY_SHIFT, 1 << INDEX_BITS, 1 << TYPE_BITS
OS_BYTES = 6000


def ring_slots(max_delay: int) -> int:
    """Synaptic input buffer slots: the next power of two above the longest delay, so that
    ``(t + delay) mod slots`` never lands on the slot being read."""
    return 1 << int(max_delay).bit_length() if max_delay > 0 else 0


def pack_words(weight_q, delay, synapse_type, index) -> np.ndarray:
    """Synaptic words; each field an array or one value for all (numpy broadcasting)."""
    u32 = (lambda a: np.asarray(a).astype(np.uint32))
    return ((u32(weight_q) << WEIGHT_SHIFT) | (u32(delay) << DELAY_SHIFT)
            | (u32(synapse_type) << INDEX_BITS) | u32(index))


def unpack_words(words):
    words = np.asarray(words, dtype=np.uint32)
    return (words >> WEIGHT_SHIFT, (words >> DELAY_SHIFT) & MAX_DELAY,
            (words >> INDEX_BITS) & ((1 << TYPE_BITS) - 1), words & ((1 << INDEX_BITS) - 1))


def neuron_words(spec) -> int:
    """32-bit words a PE holds per neuron of ``spec``: constants, float and int state, and a
    64-bit random stream."""
    return spec.n_constants + len(spec.state_columns) + spec.int_columns + 2


def ring_word_bytes(weight_bits: int) -> int:
    """A synaptic input buffer entry: 32-bit sums of up to 16-bit weights, 64-bit for 32-bit ones."""
    return 8 if weight_bits > 16 else 4


def words_per_synapse(weight_bits: int) -> int:
    return 2 if weight_bits > WEIGHT_BITS else 1


def pe_bytes(*, n_neurons, n_source_vertices=0, n_address_rows=0, matrix_words=0, slots=0,
             n_types=N_SYNAPSE_TYPES, neuron_words=0, holds_neurons=True, weight_bits=16, dram=False,
             max_row_words=0):
    """Bytes per Table I item for one PE. ``matrix_words`` live in DRAM when ``dram`` (then the
    SRAM holds a double DMA buffer of the longest row instead)."""
    n = n_neurons
    return {
        "input spike buffer": 4 * n,
        "DMA buffer": 2 * 4 * max_row_words if dram else 0,
        "master population table": 12 * n_source_vertices,
        "address list": 4 * n_address_rows,
        "synaptic matrix": 0 if dram else 4 * matrix_words,
        "synaptic input buffer": ring_word_bytes(weight_bits) * n * slots * n_types,
        "neuron and synapse model": (4 * n * neuron_words + 4 * n_types) if holds_neurons else 0,
        "output recording": 4 * (-(-n // 32) + 1) + 4 * n * 3 if holds_neurons else 0,
        "stack & heap": 12 * n_source_vertices,
        "hw mgmt & OS": OS_BYTES,
    }


def local_source_bytes(spec, n_sources, blocks) -> int:
    """A local spike source on its target's PE: its neurons' words, its rows (kept in SRAM) and
    their address-list entries."""
    return 4 * (n_sources * neuron_words(spec) + sum(b.words + 1 for b in blocks))


def fits(items: dict) -> bool:
    return sum(items.values()) <= DATA_SRAM_BYTES


def max_neurons_per_pe(slots: int, spec, weight_bits: int = 16) -> int:
    """Neurons one PE can hold before anything else: the 255 limit of the paper, lowered when
    long delays make each neuron's synaptic input buffer large."""
    per_neuron = sum(pe_bytes(n_neurons=1, slots=slots, n_types=len(spec.receptors), weight_bits=weight_bits,
                              neuron_words=neuron_words(spec)).values()) - OS_BYTES
    room = DATA_SRAM_BYTES - OS_BYTES - 2048  # keep room for tables and a DMA buffer
    return max(1, min(255, room // per_neuron))
