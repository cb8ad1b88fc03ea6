"""Place: machine vertices onto (chip, QPE, PE), a population's slices together.

PEs are filled in order; the PEs sharing one slice's synaptic matrix go into one QPE (they are
'adjacent' in the paper's sense), and a population that fits on one chip starts on a fresh chip
rather than straddling two when the machine has another chip to give.
"""
from __future__ import annotations

import numpy as np

from ..hardware import PES_PER_CHIP, PES_PER_QPE, Machine
from ..network import Network
from .partition import MachineGraph


class PlacementError(ValueError):
    pass


def _label(p, network, graph) -> str:
    """A population's label; a delay-stage pseudo-population is named after its source."""
    if p < len(network.populations):
        return network.populations[p].label
    source = next(q for q, pseudo in graph.delays.population.items() if pseudo == p)
    return f"delay stages of {network.populations[source].label}"


def place(graph: MachineGraph, network: Network, machine: Machine) -> np.ndarray:
    """Global PE number of each machine vertex."""
    groups: dict[int, list[int]] = {}
    for v, mv in enumerate(graph.vertices):
        groups.setdefault(mv.slice, []).append(v)
    demand = np.zeros(len(graph.pop_slices), dtype=int)
    for mv in graph.vertices:
        demand[graph.slices[mv.slice].population] += 1
    if demand.sum() > machine.n_pes:
        worst = ", ".join(f"{_label(p, network, graph)!r} {demand[p]}" for p in np.argsort(-demand)[:4])
        raise PlacementError(
            f"the network needs {demand.sum()} PEs ({worst}) but the machine has {machine.n_pes} "
            f"({machine.describe()}); use a larger machine, e.g. setup(n_chips=48) for a board")
    pe = np.full(len(graph.vertices), -1, dtype=np.int64)
    cursor = 0
    for p, slice_ids in enumerate(graph.pop_slices):
        room = PES_PER_CHIP - cursor % PES_PER_CHIP
        if demand[p] <= PES_PER_CHIP and demand[p] > room and cursor + room + demand[p] <= machine.n_pes:
            cursor += room
        for s in slice_ids:
            if s not in groups:          # a local spike source: it runs on its target's PEs
                continue
            k = len(groups[s])
            if k > 1 and cursor % PES_PER_QPE + k > PES_PER_QPE:
                cursor += PES_PER_QPE - cursor % PES_PER_QPE
            if cursor + k > machine.n_pes:
                raise PlacementError(
                    f"population {_label(p, network, graph)!r} does not fit: {machine.n_pes} PEs "
                    f"({machine.describe()}) are used up; use a larger machine (setup(n_chips=...))")
            pe[groups[s]] = np.arange(cursor, cursor + k)
            cursor += k
    return pe
