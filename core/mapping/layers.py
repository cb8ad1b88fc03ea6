"""Layers: everything that projects onto one population, as the paradigms see it.

The paradigm-switching paper decides per *layer*, the synapses onto one target population; the
parallel paradigm compiles a layer as one weight-delay map whose rows are (source neuron, delay)
pairs over all the layer's source populations, numbered one after another.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..network import Network


@dataclass
class Layer:
    """The shape of the synapses onto population ``target``: its projections, its source
    populations (concatenated, each from its offset, into layer-local source indices), synapse
    count, longest delay and receptors — what the paradigm choice needs, cheap to get."""
    target: int
    projections: list[int]
    sources: list[int]
    offsets: list[int]
    n_synapses: int
    delay_range: int
    receptors: list[int]

    @property
    def n_source(self) -> int:
        return int(self.offsets[-1]) if self.offsets else 0

    def density(self, n_target: int) -> float:
        return self.n_synapses / max(1, self.n_source * n_target)

    def synapses(self, network: Network, qweights):
        """Every synapse as arrays (layer-local source, target, quantised weight, delay in steps,
        receptor), for the parallel compiler."""
        projs = [network.projections[j] for j in self.projections]
        base = dict(zip(self.sources, self.offsets[:-1]))
        cat = (lambda arrays: np.concatenate(arrays).astype(np.int64) if arrays else np.zeros(0, np.int64))
        return (cat([p.pre_index.astype(np.int64) + base[p.pre] for p in projs]), cat([p.post_index for p in projs]),
                cat([qweights[j] for j in self.projections]), cat([p.delay for p in projs]),
                cat([np.full(p.size, p.receptor) for p in projs]))


def layer(network: Network, target: int) -> Layer:
    projections = [j for j, p in enumerate(network.projections) if p.post == target and p.size]
    projs = [network.projections[j] for j in projections]
    sources = sorted({p.pre for p in projs})
    offsets = np.concatenate([[0], np.cumsum([network.populations[s].size for s in sources])]).astype(int)
    return Layer(target, projections, sources, [int(o) for o in offsets], sum(p.size for p in projs),
                 max((int(p.delay.max()) for p in projs), default=1), sorted({p.receptor for p in projs}))


def max_count(network: Network, sources: list[int]) -> int:
    """The most spikes a layer's source emits in one step, as the parallel paradigm's stacked
    input must hold them: one for neurons; for a Poisson source, its mean plus six standard
    deviations (beyond, the stacked input saturates and the emulator counts it)."""
    most = 1
    for s in sources:
        pop = network.populations[s]
        if pop.model == "SpikeSourcePoisson":
            lam = float(pop.parameters["rate"].max()) * network.timestep / 1000.0
            most = max(most, int(np.ceil(lam + 6 * np.sqrt(lam))) + 1)
    return most
