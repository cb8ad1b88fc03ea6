"""Paradigm switching (paper section IV): decide per layer, before compiling, which paradigm,
serial or parallel, needs fewer PEs (or, with ``objective="time"``, gives the faster busiest PE).

``choose_paradigm`` decides in microseconds, in this order:

1. a layer that one serial PE certainly holds (every row full would still fit) is serial: no
   paradigm needs fewer PEs (``estimates.serial_fits_one_pe``), and compiling such a small
   layer is cheap enough that a classifier would not pay;
2. inside the grid the shipped model was trained on (sizes 50-500, density 10-100 %, delay
   range 1-16, 8- or 16-bit weights, one or two receptor types, IF_curr_exp), the trained tree
   ensemble (``paradigm_model.json``, rebuilt by ``benchmarks/classifiers.py``) over the
   layer's features and the cost models' estimates of both paradigms (``estimates.py``),
   evaluated by numba from flat arrays;
3. elsewhere, comparing the cost models' PE estimates, and saying so in its answer.

PEs the parallel paradigm would need beyond the layer's own (spike sources that run on the
serial PEs) are counted against it. Serial PEs are counted as the pipeline partitions a layer:
a synaptic matrix beyond four PEs' SRAM stays in DRAM (the paper counts without DRAM; the
dataset keeps both). ``exact_pes`` compiles a layer both ways to its exact PE counts: the labels
the model learns.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numba import njit

from ..hardware import MAX_NEURONS_PER_PE
from ..models import MODELS
from ..network import Network, Population, Projection
from . import cycles, estimates
from .estimates import (FEATURES, SerialBlocks, default_blocks, features, neuron_bytes,  # noqa: F401
                        parallel_estimate, parallel_layout, serial_estimate, serial_fits_one_pe, serial_layout)
from .parallel import compile_layer
from .partition import partition

MODEL_PATH = Path(__file__).with_name("paradigm_model.json")


def layer_network(src, tgt, d, n_source: int, n_target: int, model: str = "IF_curr_exp", r=None) -> Network:
    """A spike source array -> ``model`` network, one projection per receptor type ``r``
    (default: all excitatory): one layer as the partition sees it."""
    net = Network(timestep=1.0)
    a = net.add_population(Population("source", "SpikeSourceArray", n_source))
    b = net.add_population(Population("target", model, n_target))
    r = np.zeros(len(src), np.int64) if r is None else np.asarray(r)
    for k in np.flatnonzero(np.bincount(r, minlength=1)):
        mine = r == k
        net.add_projection(Projection(f"layer {k}", a, b, src[mine], tgt[mine], 1.0, d[mine], receptor=int(k)))
    return net


def _target_pes(graph) -> tuple[int, int, bool]:
    mine = [v for v in graph.vertices if graph.slices[v.slice].population == 1]     # the target
    return len(mine), sum(sum(v.bytes.values()) for v in mine), any(v.dram for v in mine)


def serial_graph_bytes(src, tgt, d, n_source: int, n_target: int, model: str = "IF_curr_exp", r=None,
                       dram: bool = True):
    """(PEs, SRAM bytes) of the layer's target population under the serial partition: with
    ``dram`` as the pipeline partitions it, without as the paper counts (IV-A)."""
    return _target_pes(partition(layer_network(src, tgt, d, n_source, n_target, model, r), dram=dram))[:2]


class SerialCounts(NamedTuple):
    pes: int                 # without DRAM, as the paper counts
    bytes: int               # their SRAM bytes
    dram_pes: int            # as the pipeline partitions
    dram_bytes: int
    in_dram: bool            # some of the layer's rows stay in DRAM


def serial_counts(src, tgt, d, n_source: int, n_target: int, model: str = "IF_curr_exp", r=None) -> SerialCounts:
    """``serial_graph_bytes`` with and without DRAM, from one partition where they agree: the
    partition with DRAM tries whole-SRAM shares of 1-4 PEs first and cuts slices finer on the
    same failures as without, so a layer none of whose PEs keeps its rows in DRAM is partitioned
    the same both ways; only one that does is partitioned again, without."""
    net = layer_network(src, tgt, d, n_source, n_target, model, r)
    pes, n_bytes, in_dram = _target_pes(partition(net))
    without = _target_pes(partition(net, dram=False))[:2] if in_dram else (pes, n_bytes)
    return SerialCounts(*without, pes, n_bytes, in_dram)


def serial_pes(src, tgt, d, n_source: int, n_target: int, model: str = "IF_curr_exp", r=None, dram=True) -> int:
    return serial_graph_bytes(src, tgt, d, n_source, n_target, model, r, dram)[0]


def parallel_plan(src, tgt, w, d, n_source: int, n_target: int, delay_range: int, weight_bits: int = 8,
                  model: str = "IF_curr_exp", r=None):
    """The layer compiled for the MAC array as the pipeline compiles it (one source vertex per
    255 sources)."""
    return compile_layer(src, tgt, w, d, r, n_source=n_source, n_target=n_target, weight_bits=weight_bits,
                         neuron_bytes=neuron_bytes(model), delay_range=delay_range,
                         n_source_vertices=-(-n_source // MAX_NEURONS_PER_PE))


def parallel_pes(src, tgt, w, d, n_source: int, n_target: int, delay_range: int, weight_bits: int = 8,
                 model: str = "IF_curr_exp", r=None) -> int:
    return parallel_plan(src, tgt, w, d, n_source, n_target, delay_range, weight_bits, model, r).n_pes


def exact_pes(src, tgt, w, d, n_source, n_target, delay_range, weight_bits=8, model="IF_curr_exp", r=None,
              dram=True):
    """(serial PEs, parallel PEs) of one layer, each compiled (serial as the pipeline partitions
    it, or without DRAM as the paper counts)."""
    return (serial_pes(src, tgt, d, n_source, n_target, model, r, dram),
            parallel_pes(src, tgt, w, d, n_source, n_target, delay_range, weight_bits, model, r))


# -- the shipped model ----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def load_model(path: str = str(MODEL_PATH)) -> dict:
    with open(path) as f:
        return json.load(f)


def _leaf(kind: str, value: np.ndarray, weight: float, n_trees: int) -> np.ndarray:
    """What a tree's leaves add to the decision (> 0 means parallel)."""
    if kind == "adaboost":
        return np.where(value > 0, weight, -weight)
    return weight * value / n_trees if kind == "forest" else weight * value


@njit(cache=True, nogil=True)
def _evaluate(x, roots, left, right, feature, threshold, leaf):
    """Sum over the trees of the leaf each reaches: a few hundred comparisons, in microseconds."""
    total = 0.0
    for t in range(roots.size):
        node = roots[t]
        while left[node] >= 0:
            node = left[node] if x[feature[node]] <= threshold[node] else right[node]
        total += leaf[node]
    return total


def compile_model(model: dict):
    """The ensemble as flat arrays (every tree's nodes one after another, child indices made
    global) and a function of the feature vector evaluating them with numba."""
    kind = model["kind"]
    if kind not in ("gradient_boosting", "adaboost", "forest"):
        raise ValueError(f"unknown model kind {kind!r} in {MODEL_PATH.name}; rebuild it with "
                         "python benchmarks/classifiers.py")
    trees = model["trees"]
    weights = model.get("weights") or [model.get("learning_rate", 1.0)] * len(trees)
    sizes = [len(t[0]) for t in trees]
    roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    children = [np.where(np.asarray(t[i]) >= 0, np.asarray(t[i]) + r, -1) for t, r in zip(trees, roots) for i in (0, 1)]
    arrays = (roots, np.concatenate(children[0::2]).astype(np.int64), np.concatenate(children[1::2]).astype(np.int64),
              np.concatenate([t[2] for t in trees]).astype(np.int64),
              np.concatenate([t[3] for t in trees]).astype(np.float64),
              np.concatenate([_leaf(kind, np.asarray(t[4], float), float(w), len(trees))
                              for t, w in zip(trees, weights)]).astype(np.float64))
    offset = float(model.get("init", 0.0)) - (0.5 if kind == "forest" else 0.0)
    return Ensemble(offset, *arrays)


class Ensemble(NamedTuple):
    """A compiled tree ensemble: ``score(x) > 0`` means parallel."""
    offset: float
    roots: np.ndarray
    left: np.ndarray
    right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    leaf: np.ndarray

    def score(self, x) -> float:
        return self.offset + _evaluate(np.asarray(x, dtype=np.float64), *self[1:])


@njit(cache=True, nogil=True)
def _classify(n_source, n_target, density, delay_range, weight_bits, n_types, n_bytes, n_max, per_neuron, fixed, wps,
              vertices, blocks, rows, block_density, source, roots, left, right, feature, threshold, leaf):
    x = estimates._features(n_source, n_target, density, delay_range, weight_bits, n_types, n_bytes, n_max, per_neuron,
                            fixed, wps, vertices, blocks, rows, block_density, source, np.empty(len(FEATURES)))
    return _evaluate(x, roots, left, right, feature, threshold, leaf)


def model_score(model: dict, x) -> float:
    """The ensemble's decision for features ``x``: > 0 means parallel."""
    return compile_model(model).score(x)


@lru_cache(maxsize=None)
def _shipped(path: str = str(MODEL_PATH)):
    return compile_model(load_model(path))


@dataclass(frozen=True)
class Choice:
    paradigm: str          # "serial" or "parallel"
    source: str            # what decided: "classifier", "cost model (...why...)", ...


OBJECTIVES = ("pes", "time")


def outside_grid(n_source, n_target, density, delay_range, weight_bits, n_types, model, grid) -> list[str]:
    """The features of a layer that lie outside what the shipped model was trained on."""
    outside = [name for name, value in (("n_source", n_source), ("n_target", n_target), ("density", density),
                                        ("delay_range", delay_range))
               if not grid[name][0] <= value <= grid[name][1]]
    if weight_bits not in grid["weight_bits"]:
        outside.append("weight_bits")
    if n_types not in grid["n_types"]:
        outside.append("n_types")
    if model != grid["model"]:
        outside.append("model")
    return outside


def choose_paradigm(n_source: int, n_target: int, density: float, delay_range: int, weight_bits: int = 8,
                    n_types: int = 1, model: str = "IF_curr_exp", *, objective: str = "pes",
                    rate_hz: float | None = None, dt_ms: float = 1.0, cycle_costs=None,
                    parallel_extra_pes: int = 0, blocks: SerialBlocks | None = None) -> Choice:
    """Serial or parallel for one layer, before compiling either.

    ``objective="pes"``: fewer PEs. A layer that one serial PE certainly holds is serial (no
    paradigm needs fewer); inside the training grid the shipped classifier decides; outside it
    the cost models' PE estimates. ``parallel_extra_pes``: PEs
    the parallel paradigm needs beyond the layer's (spike sources that would otherwise run on the
    serial PEs); when the classifier picks parallel, the estimates decide with them counted.
    ``blocks``: the serial partition's blocks of the layer (``layers.serial_blocks``; default:
    each receptor type's projection from one source population, ``estimates.default_blocks``).
    ``objective="time"``: the busiest PE's expected cycles per step (``cycles.py``), sources
    firing at ``rate_hz``."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, not {objective!r}")
    blocks = blocks or default_blocks(n_source, n_types, density)
    if objective == "time":
        return _fastest(n_source, n_target, density, delay_range, weight_bits, n_types, model, rate_hz, dt_ms,
                        cycle_costs, blocks)
    if serial_fits_one_pe(n_source, n_target, delay_range, model, weight_bits, blocks):
        return Choice("serial", "one serial PE holds it (exact)")
    outside = outside_grid(n_source, n_target, density, delay_range, weight_bits, n_types, model, load_model()["grid"])
    if not outside:
        m = _shipped()
        score = m.offset + _classify(int(n_source), int(n_target), float(density), int(delay_range), int(weight_bits),
                                     int(n_types), float(neuron_bytes(model)),
                                     *estimates.serial_constants(model, int(delay_range), int(weight_bits)),
                                     *blocks, *m[1:])
        if score <= 0 or not parallel_extra_pes:
            return Choice("parallel" if score > 0 else "serial", "classifier")
    s = serial_layout(n_source, n_target, density, delay_range, model, weight_bits, blocks).pes
    p = parallel_estimate(n_source, n_target, density, delay_range, min(weight_bits, 16), neuron_bytes(model), n_types)
    why = [f"{', '.join(outside)} outside the training grid"] if outside else []
    if parallel_extra_pes:
        p += parallel_extra_pes
        why.append(f"parallel adds {parallel_extra_pes} PE(s) for spike sources the serial PEs run")
    return Choice("parallel" if p < s else "serial", f"cost model: {s} serial vs {p} parallel PEs ({'; '.join(why)})")


def _fastest(n_source, n_target, density, delay_range, weight_bits, n_types, model, rate_hz, dt_ms,
             cycle_costs, blocks) -> Choice:
    costs_ = cycle_costs or cycles.CycleCosts()
    rate = cycles.DEFAULT_RATE_HZ if rate_hz is None else rate_hz
    spec = MODELS[model]
    s = cycles.serial_layer_cycles(serial_layout(n_source, n_target, density, delay_range, model, weight_bits, blocks),
                                   n_source, density, spec, rate, dt_ms, costs_)
    layout = parallel_layout(n_source, n_target, density, delay_range, min(weight_bits, 16), neuron_bytes(model),
                             n_types)
    if layout is None:
        return Choice("serial", "time: the parallel paradigm cannot hold the layer's inputs")
    p = cycles.parallel_layer_cycles(layout, n_source, delay_range, spec, min(weight_bits, 16), rate, dt_ms, costs_)
    return Choice("parallel" if p < s else "serial",
                  f"time: busiest PE ~{s:,.0f} cycles/step serial vs ~{p:,.0f} parallel")
