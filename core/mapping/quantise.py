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
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

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
    whole = np.array([p.spec.integer_weights for p in network.populations])[:, None]
    return np.where((wmax > 0) & ~whole, wmax / levels, 1.0).astype(np.float32)


@njit(cache=True, nogil=True)
def level(w, scale, top):
    """One weight's integer level: the nearest multiple of ``scale`` (half to even, as
    ``np.rint``), clipped to ``top`` (the float32 step can put the largest weight a hair above
    it). Shared by :func:`levels` and the row writer (``images._fill_rows``), so both store the
    same integers."""
    return np.uint32(min(np.rint(w / scale), top))


@njit(cache=True, nogil=True)
def _levels(weight, scale, top, out):
    for k in range(weight.size):
        out[k] = level(weight[k], scale, top)


@njit(cache=True, nogil=True)
def _errors(weight, scale, top):
    """(index of the worst relative error among non-zero weights (-1: none), that error, how
    many non-zero weights quantise to zero), in one pass and no temporaries."""
    worst, error, zeroed = -1, 0.0, 0
    for k in range(weight.size):
        w = weight[k]
        if w > 0:
            q = level(w, scale, top)
            rel = abs(w - q * scale) / w
            if worst < 0 or rel > error:
                worst, error = k, rel
            if q == 0:
                zeroed += 1
    return worst, error, zeroed


def levels(weight: np.ndarray, scale: float, weight_bits: int) -> np.ndarray:
    """uint32 integer levels of ``weight`` (a broadcast view of one weight stays one)."""
    top = float((1 << weight_bits) - 1)
    if uniform(weight):
        out = np.zeros(min(weight.size, 1), dtype=np.uint32)
        _levels(np.ascontiguousarray(weight[:1], dtype=np.float64), scale, top, out)
        return np.broadcast_to(out.reshape(()), weight.shape) if weight.size else out
    out = np.empty(weight.size, dtype=np.uint32)
    _levels(np.ascontiguousarray(weight, dtype=np.float64), scale, top, out)
    return out


class QuantisedWeights(Sequence):
    """Each projection's integer weights, made when asked for (``qweights[j]``). At 10^8
    synapses a copy of them all beside the float weights costs gigabytes, so the serial rows
    quantise while they are written (``images._fill_rows``, with :func:`level`) and only the
    parallel compiler and plastic rows ask for arrays."""

    def __init__(self, network: Network, scales: np.ndarray):
        self.network, self.scales = network, scales

    def step(self, j: int) -> tuple[float, int]:
        """Projection ``j``'s weight step and weight bits."""
        proj = self.network.projections[j]
        return float(self.scales[proj.post, proj.receptor]), self.network.populations[proj.post].weight_bits

    def __len__(self):
        return len(self.network.projections)

    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self[k] for k in range(*j.indices(len(self)))]
        return levels(self.network.projections[j].weight, *self.step(j))


def quantise(network: Network, stacklevel: int = 3):
    """The scales, every projection's integer weights (:class:`QuantisedWeights`, made when
    read) and one :class:`Quantisation` per projection. Warns, naming the projection, when a
    weight is stored more than 1% off or becomes zero."""
    scales = receptor_scales(network)
    qweights = QuantisedWeights(network, scales)
    report = []
    for j, proj in enumerate(network.projections):
        post = network.populations[proj.post]
        scale, bits = qweights.step(j)
        # a projection of one weight is quantised once (``arrays.uniform``)
        weight = np.ascontiguousarray(proj.weight[:1] if uniform(proj.weight) else proj.weight, dtype=np.float64)
        if post.spec.integer_weights:
            _check_whole(proj.label, post, weight)
        worst, error, zeroed = _errors(weight, scale, float((1 << bits) - 1))
        zeroed *= proj.size if weight.size < proj.size else 1
        entry = Quantisation(proj.label, post.label, post.receptors[proj.receptor], post.weight_bits,
                             scale, float(error), float(weight[worst]) if worst >= 0 else 0.0, zeroed)
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
        report.append(entry)
    return scales, qweights, report


def _check_whole(label, post, weight):
    """A model that computes in whole units (``ModelSpec.integer_weights``) takes weights that are
    whole numbers its weight bits hold; its weight step is one unit, so nothing is rounded."""
    top = (1 << post.weight_bits) - 1
    bad = (weight != np.round(weight)) | (weight > top)
    if bad.any():
        raise ValueError(f"projection {label!r}: {post.model} {post.label!r} takes whole-number weights "
                         f"(energy quanta) up to {top} ({post.weight_bits}-bit), got {weight[bad][0]}; "
                         f"scale the problem to integers or raise weight_bits")
