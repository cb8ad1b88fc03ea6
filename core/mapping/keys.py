"""Keys: a 32-bit multicast key range per source vertex, zoned ``population | slice | neuron``
(PACMAN's scheme) so one mask covers a slice and a population's slices share a prefix that
routing-table compression can merge. The neuron field is 8 bits (a serial slice's 255 neurons)
or wider when a parallel-paradigm dominant holds more neurons."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .partition import MachineGraph
from .serial import INDEX_BITS


@dataclass(frozen=True)
class Keys:
    key: np.ndarray        # uint32 base key per slice
    mask: int              # selects population and slice fields
    slice_bits: int
    population_bits: int
    neuron_bits: int = INDEX_BITS


def _bits(n):
    return int(n - 1).bit_length() if n > 1 else 0


def assign_keys(graph: MachineGraph) -> Keys:
    slice_bits = _bits(max(len(s) for s in graph.pop_slices))
    pop_bits = _bits(len(graph.pop_slices))
    neuron_bits = max(INDEX_BITS, _bits(max(s.size for s in graph.slices)))
    if pop_bits + slice_bits + neuron_bits > 32:
        raise ValueError(f"{len(graph.pop_slices)} populations of up to {max(len(s) for s in graph.pop_slices)} "
                         f"slices of up to {max(s.size for s in graph.slices)} neurons do not fit 32-bit keys; "
                         "merge small populations into larger ones")
    pops = np.array([s.population for s in graph.slices], dtype=np.uint64)
    index = np.array([s.index for s in graph.slices], dtype=np.uint64)
    key = (pops << np.uint64(slice_bits + neuron_bits)) | (index << np.uint64(neuron_bits))
    return Keys(key.astype(np.uint32), 0xFFFFFFFF & ~((1 << neuron_bits) - 1), slice_bits, pop_bits, neuron_bits)
