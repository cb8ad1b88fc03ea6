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
    """The synapses onto population ``target``: layer-local source index (source populations
    ``sources`` concatenated, each from ``offsets``), target index, quantised weight, delay in
    steps, receptor."""
    target: int
    sources: list[int]
    offsets: list[int]
    src: np.ndarray
    tgt: np.ndarray
    w: np.ndarray
    d: np.ndarray
    r: np.ndarray
    projections: list[int]

    @property
    def n_source(self) -> int:
        return int(self.offsets[-1]) if self.offsets else 0

    def density(self, n_target: int) -> float:
        return self.src.size / max(1, self.n_source * n_target)

    @property
    def delay_range(self) -> int:
        return int(self.d.max()) if self.d.size else 1


def layer(network: Network, target: int, qweights) -> Layer:
    projections = [j for j, p in enumerate(network.projections) if p.post == target and p.size]
    sources = sorted({network.projections[j].pre for j in projections})
    offsets = np.concatenate([[0], np.cumsum([network.populations[s].size for s in sources])]).astype(int)
    base = dict(zip(sources, offsets[:-1]))
    cat = (lambda arrays, dtype: np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype))
    projs = [network.projections[j] for j in projections]
    return Layer(target, sources, list(offsets),
                 src=cat([p.pre_index.astype(np.int64) + base[p.pre] for p in projs], np.int64),
                 tgt=cat([p.post_index for p in projs], np.int64),
                 w=cat([qweights[j] for j in projections], np.int64),
                 d=cat([p.delay for p in projs], np.int64),
                 r=cat([np.full(p.size, p.receptor) for p in projs], np.int64), projections=projections)


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
