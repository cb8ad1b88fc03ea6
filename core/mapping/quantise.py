"""Weight quantisation: the integers the machine stores, and how far they are from the weights.

Synaptic input buffers of both paradigms hold integer sums of quantised weights, and the neuron
applies one scale per (population, receptor) when it reads them, as sPyNNaker's ring buffers do.
So every projection onto one receptor of a population shares a weight step: the largest weight
onto it maps to ``2**weight_bits - 1``. The serial and parallel paradigms store the same integers,
which makes them give bit-identical spikes. The damage is reported per projection as the worst
*relative* error of any non-zero weight, so a small weight beside a large one cannot hide.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..arrays import uniform
from ..models.plasticity import STDP_PAIR, STDP_VOGELS
from ..network import Network

WEIGHT_BITS = (8, 16, 32)           # 8/16: one synaptic word; 32: a second word per synapse
RELATIVE_ERROR_WARNING = 0.01       # warn when a non-zero weight is stored this far off


@dataclass
class Quantisation:
    """Per projection: the weight step shared with its receptor, the worst relative error of a
    non-zero weight (and that weight), and how many non-zero weights became zero."""
    projection: str
    target: str
    receptor: str
    weight_bits: int
    scale: float
    relative_error: float
    worst_weight: float
    zeroed: int

    def describe(self) -> str:
        text = (f"{self.projection[:30]:<31} {self.weight_bits:>2}-bit, step {self.scale:.3g} "
                f"({self.target} {self.receptor}); worst relative error {100 * self.relative_error:.3g}%")
        if self.relative_error:
            text += f" (at weight {self.worst_weight:.3g})"
        if self.zeroed:
            text += f"; {self.zeroed} non-zero weights became zero"
        return text


def receptor_scales(network: Network) -> np.ndarray:
    """float32 (n_populations, max receptors) weight step per population and receptor."""
    n_receptors = max(len(p.receptors) for p in network.populations)
    wmax = np.zeros((len(network.populations), n_receptors))
    for proj in network.projections:
        if proj.size:
            # a plastic projection's weights may grow up to its rule's bound
            top = proj.synapse.max_weight(proj.weight) if proj.synapse is not None else float(proj.weight.max())
            wmax[proj.post, proj.receptor] = max(wmax[proj.post, proj.receptor], top)
    levels = np.array([(1 << p.weight_bits) - 1 for p in network.populations], dtype=float)[:, None]
    return np.where(wmax > 0, wmax / levels, 1.0).astype(np.float32)


def quantise(network: Network, stacklevel: int = 3):
    """Integer weights per projection, the scales, and one :class:`Quantisation` per projection.
    Warns, naming the projection, when a weight is stored more than 1% off or becomes zero."""
    scales = receptor_scales(network)
    qweights, report = [], []
    for proj in network.projections:
        post = network.populations[proj.post]
        scale = float(scales[proj.post, proj.receptor])
        # a projection of one weight is quantised once (``arrays.uniform``)
        weight = proj.weight[:1] if uniform(proj.weight) else proj.weight
        # the float32 step can put the largest weight a hair above the top level: clip to it
        q = np.minimum(np.rint(weight / scale), (1 << post.weight_bits) - 1).astype(np.uint32)
        nonzero = weight > 0
        rel = np.abs(weight - q * scale)[nonzero] / weight[nonzero]
        worst = int(np.argmax(rel)) if rel.size else -1
        zeroed = int(np.count_nonzero(nonzero & (q == 0))) * (proj.size if weight.size < proj.size else 1)
        entry = Quantisation(proj.label, post.label, post.receptors[proj.receptor], post.weight_bits,
                             scale, float(rel[worst]) if rel.size else 0.0,
                             float(weight[nonzero][worst]) if rel.size else 0.0, zeroed)
        if weight.size < proj.size:
            q = np.broadcast_to(q.reshape(()), (proj.size,))
        learning = proj.synapse is not None and proj.synapse.kind in (STDP_PAIR, STDP_VOGELS)
        if not learning and (entry.zeroed or entry.relative_error > RELATIVE_ERROR_WARNING):
            lost = (f"{entry.zeroed} of {proj.size} non-zero weights quantise to zero and stay as "
                    "zero-weight synapses" if entry.zeroed else
                    f"weight {entry.worst_weight:.3g} is stored {100 * entry.relative_error:.3g}% off")
            way_out = ("set weight_bits=32 on that population" if post.weight_bits < 32 else
                       "rescale the model so that weights onto one receptor span fewer decades")
            warnings.warn(f"projection {proj.label!r}: {lost} ({post.weight_bits}-bit weights; the step "
                          f"{scale:.3g} is set by the largest {entry.receptor} weight onto {post.label!r}); "
                          f"{way_out}", stacklevel=stacklevel)
        qweights.append(q)
        report.append(entry)
    return scales, qweights, report
