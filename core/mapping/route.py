"""Route: each chip's multicast routing table, entries ``(key, mask) -> links + PEs``.

A source slice's packets must reach exactly the PEs holding its synaptic rows. Its route is the
shortest-path tree from its chip to those PEs' chips (breadth-first over the chip links); every
chip on the tree gets one entry. Tables larger than the router are compressed (``compress``);
one that still does not fit is an error.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from ..hardware import PES_PER_CHIP, ROUTER_ENTRIES, Machine
from .compress import compress
from .keys import Keys
from .partition import MachineGraph

ROUTE_WORDS = 3   # 152 PE bits in three 64-bit words


@dataclass
class RoutingTable:
    key: np.ndarray      # uint32
    mask: np.ndarray     # uint32
    links: np.ndarray    # uint8, bit l: send out of link l
    pes: np.ndarray      # (n, 3) uint64, bit p: deliver to PE p of this chip
    uncompressed: int = 0

    def __len__(self):
        return len(self.key)


def targets(graph: MachineGraph, placement: np.ndarray) -> dict[int, list[int]]:
    """Source slice -> global PEs holding its rows."""
    out: dict[int, list[int]] = {}
    for v, mv in enumerate(graph.vertices):
        for src in mv.sources:
            out.setdefault(src, []).append(int(placement[v]))
    return out


def neuron_pes(graph: MachineGraph, placement: np.ndarray) -> np.ndarray:
    """The PE sending each source slice's packets."""
    pe = np.full(len(graph.slices), -1, dtype=np.int64)
    for v, mv in enumerate(graph.vertices):
        if mv.holds_neurons:
            pe[mv.slice] = placement[v]
        pe[mv.sends] = placement[v]          # a delay PE sends its stages
    return pe


def _tree(source_chip, chips, neighbours):
    """Per chip on the shortest-path tree: the set of links it forwards on."""
    parent = {source_chip: None}
    queue = deque([source_chip])
    while queue and not chips <= parent.keys():
        c = queue.popleft()
        for link, n in enumerate(neighbours[c]):
            if n >= 0 and n not in parent:
                parent[n] = (c, link)
                queue.append(n)
    out = {source_chip: 0}
    for c in chips:
        if c not in parent:
            raise ValueError(f"chip {c} cannot be reached from chip {source_chip}")
        while parent[c] is not None:
            up, link = parent[c]
            out[c] = out.get(c, 0)
            out[up] = out.get(up, 0) | (1 << link)
            c = up
    return out


def route(graph: MachineGraph, placement: np.ndarray, keys: Keys, machine: Machine) -> list[RoutingTable]:
    neighbours = machine.neighbours
    rows: list[list[tuple]] = [[] for _ in range(machine.n_chips)]
    src_pe = neuron_pes(graph, placement)
    for src, pes in sorted(targets(graph, placement).items()):
        by_chip: dict[int, list[int]] = {}
        for pe in pes:
            by_chip.setdefault(pe // PES_PER_CHIP, []).append(pe % PES_PER_CHIP)
        for chip, links in _tree(int(src_pe[src] // PES_PER_CHIP), set(by_chip), neighbours).items():
            words = [0] * ROUTE_WORDS
            for local in by_chip.get(chip, []):
                words[local // 64] |= 1 << (local % 64)
            rows[chip].append((int(keys.key[src]), keys.mask, links, *words))
    tables = []
    for chip, r in enumerate(rows):
        a = np.array(r, dtype=np.uint64).reshape(-1, 3 + ROUTE_WORDS)
        table = RoutingTable(a[:, 0].astype(np.uint32), a[:, 1].astype(np.uint32),
                             a[:, 2].astype(np.uint8), a[:, 3:].copy(), uncompressed=len(a))
        if len(table) > ROUTER_ENTRIES:
            table = compress(table)
        if len(table) > ROUTER_ENTRIES:
            raise ValueError(f"chip {chip}: the routing table needs {len(table)} entries after compression "
                             f"({table.uncompressed} before), more than the router's {ROUTER_ENTRIES}; "
                             "spread the network over more chips or use fewer, larger populations")
        tables.append(table)
    return tables



