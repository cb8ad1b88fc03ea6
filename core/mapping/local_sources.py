"""Local spike sources: a spike source that drives only the matching neurons of one population
runs on the PEs of those neurons, as sPyNNaker runs one-to-one Poisson input on SpiNNaker1.

The PE draws the source's spikes from the source neurons' own random streams and adds them
straight into its synaptic input buffer through the source's synaptic rows, so no packet is sent,
routed or looked up, and the result is bit for bit what the same source would give on a PE of its
own (same streams, same quantised weights, same slots). The common case is NEST's style of
Brunel network: one Poisson generator per neuron, connected one to one.
"""
from __future__ import annotations

import numpy as np

from ..network import Network


def local_sources(network: Network) -> dict[int, tuple[int, int]]:
    """Spike-source populations that can run on their targets' PEs: source population ->
    (target population, offset), for sources all of whose synapses go from neuron i to neuron
    i + offset of one population (one offset for all their projections)."""
    out: dict[int, tuple[int, int]] = {}
    outgoing: dict[int, list] = {}
    for proj in network.projections:
        outgoing.setdefault(proj.pre, []).append(proj)
    for p, projections in outgoing.items():
        if not network.populations[p].spec.is_source or p in (q.post for q in network.projections):
            continue
        targets = {proj.post for proj in projections}
        if len(targets) != 1 or any(proj.synapse is not None for proj in projections):
            continue                       # plastic rows are processed on arrival, with the histories
        offsets = np.concatenate([proj.post_index.astype(np.int64) - proj.pre_index for proj in projections])
        if offsets.size and np.all(offsets == offsets[0]):
            out[p] = (targets.pop(), int(offsets[0]))
    return out


def source_bounds(target_bounds: np.ndarray, offset: int, size: int) -> np.ndarray:
    """Slice bounds of a local source whose neuron i drives target i + offset: the target's
    slices shifted, the first and last stretched to cover neurons that drive nobody."""
    bounds = np.clip(np.asarray(target_bounds) - offset, 0, size)
    bounds[0], bounds[-1] = 0, size
    return bounds
