"""Paradigm switching (paper section IV): decide per layer, before compiling, whether the serial
or the parallel paradigm needs fewer PEs.

``choose_paradigm`` answers from a layer's features (sizes, density, delay range, weight bits)
with the shipped trained model (``paradigm_model.json``, rebuilt by
``benchmarks/classifiers.py``), evaluated here in plain Python so a decision takes
microseconds. Its inputs include the cost models' PE estimates of both paradigms
(``estimate_pes``: the serial partition replayed on expected row lengths, Table I; the parallel
map sized from the expected non-empty rows and 4 x 16 tiles). Outside the grid the model was
trained on (other sizes, densities, delays, 16-bit weights, several receptor types, other
neuron models) it falls back to comparing those estimates, and says so in its answer.
``exact_pes`` compiles a layer both ways to its exact PE counts: the labels the model learns.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..hardware import DATA_SRAM_BYTES, MAX_NEURONS_PER_PE
from ..models import MODELS
from ..network import Network, Population, Projection
from . import serial
from .parallel import compile_layer, costs
from .partition import MAX_SPLIT, partition

MODEL_PATH = Path(__file__).with_name("paradigm_model.json")


def neuron_bytes(model: str = "IF_curr_exp") -> int:
    """Bytes of constants and state per neuron, as both paradigms' PEs store them."""
    return 4 * serial.neuron_words(MODELS[model])


def serial_graph_bytes(src, tgt, d, n_source: int, n_target: int, model: str = "IF_curr_exp"):
    """(PEs, SRAM bytes) of the target population under the serial partition without DRAM
    (paper IV-A), for a two-population network: spike source array -> ``model``."""
    net = Network(timestep=1.0)
    a = net.add_population(Population("source", "SpikeSourceArray", n_source))
    b = net.add_population(Population("target", model, n_target))
    net.add_projection(Projection("layer", a, b, src, tgt, 1.0, d))
    graph = partition(net, dram=False)
    mine = [v for v in graph.vertices if graph.slices[v.slice].population == b]
    return len(mine), sum(sum(v.bytes.values()) for v in mine)


def serial_pes(src, tgt, d, n_source: int, n_target: int, model: str = "IF_curr_exp") -> int:
    return serial_graph_bytes(src, tgt, d, n_source, n_target, model)[0]


def parallel_pes(src, tgt, w, d, n_source: int, n_target: int, delay_range: int, weight_bits: int = 8,
                 model: str = "IF_curr_exp") -> int:
    return compile_layer(src, tgt, w, d, n_source=n_source, n_target=n_target, weight_bits=weight_bits,
                         neuron_bytes=neuron_bytes(model), delay_range=delay_range).n_pes


def exact_pes(src, tgt, w, d, n_source, n_target, delay_range, weight_bits=8, model="IF_curr_exp"):
    """(serial PEs, parallel PEs) of one layer, each compiled."""
    return (serial_pes(src, tgt, d, n_source, n_target, model),
            parallel_pes(src, tgt, w, d, n_source, n_target, delay_range, weight_bits, model))


# -- cost-model estimates --------------------------------------------------------------------------

def _expected_max_row(n_rows: float, m: float, p: float) -> float:
    """Expected longest of ``n_rows`` Binomial(m, p) rows: the normal extreme value deviation
    (Gumbel approximation) corrected for the binomial's skew (Cornish-Fisher)."""
    if p >= 1.0 or m <= 0:
        return m
    sd = math.sqrt(m * p * (1 - p))
    if n_rows <= 1 or sd == 0:
        return m * p
    a = math.sqrt(2 * math.log(n_rows))
    z = a - (math.log(math.log(n_rows) + 1e-12) + math.log(4 * math.pi)) / (2 * a) + 0.5772 / a
    z += (z * z - 1) * (1 - 2 * p) / sd / 6
    return min(m, m * p + z * sd)


def serial_estimate(n_source, n_target, density, delay_range, model="IF_curr_exp") -> int:
    """The serial partition without DRAM (``partition.py``) replayed on expected blocks: target
    slices of at most ``max_neurons_per_pe``, each source slice's block as long as its expected
    longest row, the matrix spread over 1-4 PEs by whole blocks, else slices cut by 3/4."""
    slots = serial.ring_slots(delay_range)
    spec = MODELS[model]
    n_max = serial.max_neurons_per_pe(slots, spec)
    n_src_slices = -(-n_source // MAX_NEURONS_PER_PE)
    rows = n_source / n_src_slices
    while True:
        n_slices = -(-n_target // n_max)
        m = -(-n_target // n_slices)
        words = rows * (1 + round(_expected_max_row(rows, m, density)))
        base = 4 * m + 4 * m * slots * serial.N_SYNAPSE_TYPES + serial.OS_BYTES
        neurons = 4 * m * serial.neuron_words(spec) + 4 * len(spec.receptors) + 4 * (-(-m // 32) + 1) + 12 * m
        for k in range(1, min(MAX_SPLIT, n_src_slices) + 1):
            blocks = -(-n_src_slices // k)
            if base + neurons + blocks * (12 + 4 + 12 + 4 * words) <= DATA_SRAM_BYTES:
                return n_slices * k
        if n_max == 1:
            return n_slices * 4
        n_max = max(1, n_max * 3 // 4)


def parallel_estimate(n_source, n_target, density, delay_range, weight_bits=8, n_bytes=72) -> int:
    """Dominants for the neurons and per-input tables (Table I), subordinates for a map of the
    expected non-empty rows in 4-row groups whose 16-column tiles are non-empty with the
    probability that one of their 64 cells holds a synapse."""
    q = density / delay_range                               # a (source, delay, target) cell is used
    rows = n_source * delay_range * (1 - (1 - q) ** n_target)
    n_tiles = -(-n_target // costs.TILE_COLS)
    width = min(n_target, costs.TILE_COLS)
    tile_used = 1 - (1 - q) ** (costs.TILE_ROWS * width)
    map_bytes = rows / costs.TILE_ROWS * n_tiles * tile_used * costs.tiles_bytes(weight_bits)
    inputs = n_source * delay_range
    fixed = n_source * (delay_range + 1) + 2 * inputs + costs.LANES * (weight_bits // 8) * rows + 6012
    per_target = n_bytes + 4 + 12 + 2 + 0.125
    room = DATA_SRAM_BYTES - fixed
    if room <= per_target:
        return 10 ** 6
    dominants = math.ceil(n_target * per_target / room)
    cap = costs.subordinate_capacity(1) - costs.LANES * 4 * costs.TILE_COLS * n_tiles / dominants
    subs = math.ceil(map_bytes / max(cap, 1.0))
    if subs <= dominants and fixed + n_target * per_target + map_bytes + 256 * n_tiles <= DATA_SRAM_BYTES:
        return dominants                                    # each dominant multiplies its own map
    return dominants + subs


FEATURES = ("n_source", "n_target", "density", "delay_range", "serial_estimate", "parallel_estimate",
            "estimate_difference", "synapses", "expected_rows")


def features(n_source, n_target, density, delay_range, weight_bits=8) -> list[float]:
    s = serial_estimate(n_source, n_target, density, delay_range)
    p = parallel_estimate(n_source, n_target, density, delay_range, weight_bits)
    q = density / delay_range
    return [n_source, n_target, density, delay_range, s, p, p - s, n_source * n_target * density,
            n_source * delay_range * (1 - (1 - q) ** n_target)]


# -- the shipped model ----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def load_model(path: str = str(MODEL_PATH)) -> dict:
    with open(path) as f:
        return json.load(f)


def _leaf(kind: str, value: float, weight: float, n_trees: int) -> float:
    """What a tree's leaf adds to the decision (> 0 means parallel)."""
    if kind == "adaboost":
        return weight if value > 0 else -weight
    return weight * value / n_trees if kind == "forest" else weight * value


def _expression(tree, node, leaf) -> str:
    left, right, feature, threshold, value = tree
    if left[node] < 0:
        return repr(float(leaf(value[node])))
    return (f"({_expression(tree, left[node], leaf)} if x[{int(feature[node])}] <= {float(threshold[node])!r} "
            f"else {_expression(tree, right[node], leaf)})")


def compile_model(model: dict):
    """The ensemble as one Python function of the feature list: every tree becomes nested
    conditional expressions over numbers read from the model file (ints and floats only), so a
    decision is a few hundred comparisons of compiled bytecode."""
    kind = model["kind"]
    if kind not in ("gradient_boosting", "adaboost", "forest"):
        raise ValueError(f"unknown model kind {kind!r} in {MODEL_PATH.name}; rebuild it with "
                         "python benchmarks/classifiers.py")
    trees = model["trees"]
    weights = model.get("weights") or [model.get("learning_rate", 1.0)] * len(trees)
    terms = [_expression(t, 0, lambda v, w=float(w): _leaf(kind, v, w, len(trees))) for t, w in zip(trees, weights)]
    offset = float(model.get("init", 0.0)) - (0.5 if kind == "forest" else 0.0)
    namespace: dict = {}
    exec(compile(f"def score(x):\n    return {offset!r} + " + " + ".join(terms) + "\n",
                 str(MODEL_PATH.name), "exec"), namespace)
    return namespace["score"]


def model_score(model: dict, x) -> float:
    """The ensemble's decision for features ``x``: > 0 means parallel."""
    return compile_model(model)(list(x))


@lru_cache(maxsize=None)
def _shipped(path: str = str(MODEL_PATH)):
    return compile_model(load_model(path))


@dataclass(frozen=True)
class Choice:
    paradigm: str          # "serial" or "parallel"
    source: str            # "classifier" or "cost model (...why...)"


def choose_paradigm(n_source: int, n_target: int, density: float, delay_range: int, weight_bits: int = 8,
                    n_types: int = 1, model: str = "IF_curr_exp") -> Choice:
    """Serial or parallel for one layer, before compiling either."""
    trained = load_model()
    grid = trained["grid"]
    outside = [name for name, value in (("n_source", n_source), ("n_target", n_target), ("density", density),
                                        ("delay_range", delay_range))
               if not grid[name][0] <= value <= grid[name][1]]
    if weight_bits != grid["weight_bits"]:
        outside.append("weight_bits")
    if n_types != 1:
        outside.append("n_types")
    if model != grid["model"]:
        outside.append("model")
    if outside:
        s = serial_estimate(n_source, n_target, density, delay_range, model)
        p = parallel_estimate(n_source, n_target, density, delay_range, weight_bits, neuron_bytes(model))
        return Choice("parallel" if p < s else "serial",
                      f"cost model ({', '.join(outside)} outside the training grid)")
    x = features(n_source, n_target, density, delay_range, weight_bits)
    return Choice("parallel" if _shipped()(x) > 0 else "serial", "classifier")
