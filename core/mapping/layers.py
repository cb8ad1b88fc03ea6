"""Layers: everything that projects onto one population, as the paradigms see it.

The paradigm-switching paper decides per *layer*, the synapses onto one target population; the
parallel paradigm compiles a layer as one weight-delay map whose rows are (source neuron, delay)
pairs over all the layer's source populations, numbered one after another.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..hardware import MAX_NEURONS_PER_PE
from ..network import Network
from .estimates import SerialBlocks


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


def serial_blocks(network: Network, lay: Layer) -> SerialBlocks:
    """The blocks the serial partition stores per target slice of the layer
    (``estimates.SerialBlocks``): each projection's source population in equal slices of at most
    255 neurons (as a source needing no finer slices is cut), a block per slice its source
    indices span (exact when they are contiguous, as for a population view; an upper bound
    otherwise); found from their least and largest alone."""
    n_target = network.populations[lay.target].size
    reached: dict[int, set] = {}
    blocks, rows, density, source = [], [], [], []
    for j in lay.projections:
        proj = network.projections[j]
        size = network.populations[proj.pre].size
        lo, hi = int(proj.pre_index.min()), int(proj.pre_index.max())
        if size <= MAX_NEURONS_PER_PE:
            spans, lengths = [0], [size]
        else:
            bounds = np.linspace(0, size, -(-size // MAX_NEURONS_PER_PE) + 1).round().astype(np.int64)
            spans = np.flatnonzero((bounds[:-1] <= hi) & (bounds[1:] > lo))
            lengths = bounds[spans + 1] - bounds[spans]
        blocks.append(len(spans))
        rows.append(int(sum(lengths)))
        density.append(proj.size / ((hi - lo + 1) * n_target))
        source.append(lay.sources.index(proj.pre))
        reached.setdefault(proj.pre, set()).update(int(k) for k in spans)
    return SerialBlocks.of(sum(map(len, reached.values())), blocks, rows, density, source)


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
