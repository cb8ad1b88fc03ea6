"""The paradigms' cost models before compiling (paper IV-A, Table I): how many PEs a layer needs
under each paradigm, estimated from its sizes, density, delay range, weight precision and
receptor types alone, in microseconds.

Serial: the partition (``partition.py``) replayed on expected blocks: target slices of at most
``max_neurons_per_pe``, each source slice's block as long as its expected longest row, the matrix
spread over 1-4 PEs by whole blocks; beyond four PEs, as the pipeline partitions it, one PE per
slice keeping its rows in DRAM (``dram=True``), or, as the paper counts (``dram=False``), slices
cut by 3/4; bytes as ``serial.pe_bytes`` counts them. Parallel: dominants for the neurons and per-input tables, and
subordinates for a map of the expected non-empty rows in 4-row groups whose 16-column tiles are
non-empty with the probability that one of their 64 cells holds a synapse (``parallel/costs.py``);
a row feeds only the columns of its source's receptor type, so receptor types widen the columns,
not the rows. The arithmetic runs in numba so that a decision costs far less than compiling.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numba import njit

from ..hardware import DATA_SRAM_BYTES, MAX_NEURONS_PER_PE
from ..models import MODELS
from . import serial
from .parallel import costs
from .partition import MAX_SPLIT

TILE_ROWS, TILE_COLS, LANES = costs.TILE_ROWS, costs.TILE_COLS, costs.LANES
OS_BYTES = serial.OS_BYTES
SUBORDINATE_ROOM = costs.subordinate_capacity(1)
FEATURES = ("n_source", "n_target", "density", "delay_range", "weight_bits", "n_types", "serial_blocks",
            "serial_estimate", "serial_dram_estimate", "parallel_estimate", "estimate_difference", "synapses",
            "expected_rows")
IMPOSSIBLE = 10 ** 6


class SerialBlocks(NamedTuple):
    """What the serial partition stores per target slice (``partition.synaptic_blocks``), per
    projection onto the layer: a block for each source slice it reaches, as many rows as the slice
    has neurons, each row padded to the block's longest. Arrays, one entry per projection."""
    vertices: int            # source slices reached, over all projections
    blocks: np.ndarray       # blocks
    rows: np.ndarray         # rows of its blocks, in all
    density: np.ndarray      # synapses over (the sources it spans x targets): how full its rows are
    source: np.ndarray       # its source population (projections from one share source slices)

    @property
    def n_blocks(self) -> int:
        return int(self.blocks.sum())

    @property
    def n_rows(self) -> int:
        return int(self.rows.sum())

    @classmethod
    def of(cls, vertices, blocks, rows, density, source) -> SerialBlocks:
        return cls(int(vertices), np.asarray(blocks, np.int64), np.asarray(rows, np.float64),
                   np.asarray(density, np.float64), np.asarray(source, np.int64))


def default_blocks(n_source: int, n_types: int = 1, density: float = 1.0) -> SerialBlocks:
    """Without the layer's projections: one source population in slices of at most 255 neurons,
    each receptor type's projection reaching every slice at ``density``."""
    vertices = -(-int(n_source) // MAX_NEURONS_PER_PE)
    return SerialBlocks.of(vertices, [vertices] * n_types, [n_source] * n_types, [density] * n_types, [0] * n_types)


class SerialLayout(NamedTuple):
    pes: int
    slices: int              # target slices, each a neuron PE ...
    pes_per_slice: int       # ... and the PEs sharing its rows (1-4)
    neurons: int             # neurons per slice
    source_vertices: int
    dram: bool               # rows in DRAM (then one PE per slice)


class ParallelLayout(NamedTuple):
    pes: int
    dominants: int
    subordinates: int        # 0: each dominant multiplies its own map
    neurons: int             # target neurons per dominant
    columns: int             # map columns per dominant
    rows_per_input: float    # expected map rows an input (source, delay) feeds
    tiles_per_subordinate: float
    jobs_per_subordinate: float


def neuron_bytes(model: str = "IF_curr_exp") -> int:
    """Bytes of constants and state per neuron, as both paradigms' PEs store them."""
    return 4 * serial.neuron_words(MODELS[model])


@lru_cache(maxsize=None)
def serial_constants(model: str, delay_range: int, weight_bits: int) -> tuple[int, int, int, int]:
    """Per (model, delay range, weight bits): neurons a PE holds, bytes per neuron and of a PE
    without neurons (``serial.pe_bytes``), words per synapse."""
    slots = serial.ring_slots(delay_range)
    spec = MODELS[model]
    kw = dict(slots=slots, n_types=len(spec.receptors), neuron_words=serial.neuron_words(spec), weight_bits=weight_bits)
    one, none = sum(serial.pe_bytes(n_neurons=1, **kw).values()), sum(serial.pe_bytes(n_neurons=0, **kw).values())
    return (serial.max_neurons_per_pe(slots, spec, weight_bits), one - none - 4, none,
            serial.words_per_synapse(weight_bits))


@njit(cache=True, nogil=True)
def expected_max_row(n_rows, m, p):
    """Expected longest of ``n_rows`` Binomial(m, p) rows: the normal extreme value deviation
    (Gumbel approximation) corrected for the binomial's skew (Cornish-Fisher)."""
    if p >= 1.0 or m <= 0:
        return float(m)
    sd = math.sqrt(m * p * (1 - p))
    if n_rows <= 1 or sd == 0:
        return m * p
    a = math.sqrt(2 * math.log(n_rows))
    z = a - (math.log(math.log(n_rows) + 1e-12) + math.log(4 * math.pi)) / (2 * a) + 0.5772 / a
    z += (z * z - 1) * (1 - 2 * p) / sd / 6
    return min(float(m), m * p + z * sd)


@njit(cache=True, nogil=True)
def _serial(n_target, n_max, per_neuron, fixed, wps, vertices, blocks, rows, density, source, dram):
    """(PEs, slices, PEs per slice, neurons per slice, rows in DRAM). A source slice costs a
    master population table entry and stack, a block an address-list word and its rows, padded
    to their expected longest. Shares of 1-4 PEs take whole source slices, largest first: the
    neuron PE holds its share of all, or at least the largest source slice (the blocks of one
    source population's projections together). With DRAM the neuron PE keeps instead a double
    DMA buffer of the longest row."""
    n_blocks = blocks.sum()
    while True:
        n_slices = -(-n_target // n_max)
        m = -(-n_target // n_slices)
        total, longest = 0.0, 0
        group = np.zeros(source.max() + 1)
        for j in range(blocks.size):
            per_block = rows[j] / blocks[j]
            words = per_block * (1 + wps * round(expected_max_row(per_block, m, density[j])))
            total += blocks[j] * words
            group[source[j]] += words
            longest = max(longest, round(expected_max_row(rows[j], m, density[j])))
        held = fixed + m * per_neuron + 4 * -(-m // 32)
        for k in range(1, min(MAX_SPLIT, vertices) + 1):
            share = -(-vertices // k)
            words = max(group.max(), total * share / vertices)
            if held + share * (12 + 12) + -(-n_blocks // k) * 4 + 4 * words <= DATA_SRAM_BYTES:
                return n_slices * k, n_slices, k, m, False
        if dram and held + vertices * (12 + 12) + n_blocks * 4 + 2 * 4 * (1 + wps * longest) <= DATA_SRAM_BYTES:
            return n_slices, n_slices, 1, m, True
        if n_max == 1:
            return n_slices * MAX_SPLIT, n_slices, MAX_SPLIT, m, False
        n_max = max(1, n_max * 3 // 4)


@njit(cache=True, nogil=True)
def _parallel(n_source, n_target, density, delay_range, weight_bits, n_bytes, n_types):
    q = density / delay_range                               # a (source, delay, target) cell is used
    row_used = 1 - (1 - q) ** n_target
    rows = n_source * delay_range * row_used
    n_tiles = -(-n_target // TILE_COLS)
    tile_used = 1 - (1 - q) ** (TILE_ROWS * min(n_target, TILE_COLS))
    map_tiles = rows / TILE_ROWS * n_tiles * tile_used
    map_bytes = map_tiles * TILE_ROWS * TILE_COLS * (weight_bits // 8)
    fixed = (n_source * (delay_range + 1) + 2 * n_source * delay_range + LANES * (weight_bits // 8) * rows
             + OS_BYTES + 12 * -(-n_source // MAX_NEURONS_PER_PE))
    per_target = n_bytes + (4 + 2) * n_types + 12 + 0.125
    room = DATA_SRAM_BYTES - fixed
    if room <= per_target:
        return IMPOSSIBLE, 0, 0, 0, 0, 0.0, 0.0, 0.0
    dominants = math.ceil(n_target * per_target / room)
    outputs = LANES * 4 * TILE_COLS * n_tiles * n_types
    subs = math.ceil(map_bytes / max(SUBORDINATE_ROOM - outputs / dominants, 1.0))
    neurons = -(-n_target // dominants)
    if subs <= dominants and fixed + n_target * per_target + map_bytes + outputs / dominants <= DATA_SRAM_BYTES:
        subs = 0                                            # each dominant multiplies its own map
    share = max(subs, dominants)
    return (dominants + subs, dominants, subs, neurons, neurons * n_types, row_used, map_tiles / share,
            rows / TILE_ROWS / share)


@njit(cache=True, nogil=True)
def _features(n_source, n_target, density, delay_range, weight_bits, n_types, n_bytes, n_max, per_neuron, fixed,
              wps, vertices, blocks, rows, block_density, source, out):
    s = _serial(n_target, n_max, per_neuron, fixed, wps, vertices, blocks, rows, block_density, source, False)[0]
    s_dram = _serial(n_target, n_max, per_neuron, fixed, wps, vertices, blocks, rows, block_density, source, True)[0]
    p = _parallel(n_source, n_target, density, delay_range, min(weight_bits, 16), n_bytes, n_types)[0]
    q = density / delay_range
    out[0], out[1], out[2], out[3], out[4], out[5] = n_source, n_target, density, delay_range, weight_bits, n_types
    out[6], out[7], out[8], out[9], out[10] = blocks.sum(), s, s_dram, p, p - s_dram
    out[11] = n_source * n_target * density
    out[12] = n_source * delay_range * (1 - (1 - q) ** n_target)
    return out


def serial_layout(n_source, n_target, density, delay_range, model="IF_curr_exp", weight_bits=16,
                  blocks: SerialBlocks | None = None, dram=True) -> SerialLayout:
    """``dram=True``: as the pipeline partitions (``compile_network``); ``False``: as the paper
    counts. ``blocks``: default, one block per source slice at ``density``."""
    n_max, per_neuron, fixed, wps = serial_constants(model, int(delay_range), int(weight_bits))
    blocks = blocks or default_blocks(n_source, 1, density)
    pes, slices, k, m, in_dram = _serial(int(n_target), n_max, per_neuron, fixed, wps, *blocks, bool(dram))
    return SerialLayout(pes, slices, k, m, blocks.vertices, in_dram)


def serial_estimate(n_source, n_target, density, delay_range, model="IF_curr_exp", weight_bits=16,
                    blocks: SerialBlocks | None = None, dram=True) -> int:
    return serial_layout(n_source, n_target, density, delay_range, model, weight_bits, blocks, dram).pes


def serial_fits_one_pe(n_source, n_target, delay_range, model="IF_curr_exp", weight_bits=16,
                       blocks: SerialBlocks | None = None) -> bool:
    """True when the layer certainly needs exactly one serial PE, whatever its connectivity: its
    neurons fit one PE and so does a synaptic matrix of its ``blocks`` (default: one per source
    slice of at most 255 neurons, as the partition cuts a source that needs no finer slices) in
    which every row is full. No paradigm needs fewer PEs."""
    n_max, per_neuron, fixed, wps = serial_constants(model, int(delay_range), int(weight_bits))
    if n_target > n_max:
        return False
    blocks = blocks or default_blocks(n_source)
    held = fixed + n_target * per_neuron + 4 * -(-n_target // 32)
    return (held + blocks.vertices * (12 + 12) + blocks.n_blocks * 4 + 4 * blocks.n_rows * (1 + wps * n_target)
            <= DATA_SRAM_BYTES)


def parallel_layout(n_source, n_target, density, delay_range, weight_bits=8, n_bytes=68,
                    n_types=1) -> ParallelLayout | None:
    """None when even a dominant with one target neuron cannot hold the per-input tables."""
    out = _parallel(int(n_source), int(n_target), float(density), int(delay_range), int(weight_bits),
                    float(n_bytes), int(n_types))
    return None if out[0] == IMPOSSIBLE else ParallelLayout(*out)


def parallel_estimate(n_source, n_target, density, delay_range, weight_bits=8, n_bytes=68, n_types=1) -> int:
    return _parallel(int(n_source), int(n_target), float(density), int(delay_range), int(weight_bits),
                     float(n_bytes), int(n_types))[0]


def features(n_source, n_target, density, delay_range, weight_bits=8, n_types=1, model="IF_curr_exp",
             blocks: SerialBlocks | None = None, out=None) -> np.ndarray:
    """The classifier's inputs (``FEATURES``): the paper's four, the weight precision, receptor
    types and serial blocks (default: ``default_blocks``), and the cost models' estimates: serial
    without DRAM (the paper's count) and as the pipeline partitions (rows beyond four PEs in DRAM),
    parallel, parallel minus the latter."""
    n_max, per_neuron, fixed, wps = serial_constants(model, int(delay_range), int(weight_bits))
    blocks = blocks or default_blocks(n_source, n_types, density)
    return _features(int(n_source), int(n_target), float(density), int(delay_range), int(weight_bits), int(n_types),
                     float(neuron_bytes(model)), n_max, per_neuron, fixed, wps, *blocks,
                     np.empty(len(FEATURES)) if out is None else out)
