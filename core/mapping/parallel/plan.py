"""What the parallel paradigm compiles a layer into: plain arrays per parallel slice, and the
reference product that evaluates them (what the emulator's dominant and subordinate PEs do).

A *parallel slice* is a dominant PE holding target neurons [lo, hi) and its subordinate PEs.
Its map rows are numbered slice-wide; subordinate ``q`` owns rows
``row_start[q]:row_start[q+1]`` (a multiple of 4), in groups of 4 rows one MAC tile high.
A *segment* is one group's stored column window: ``seg_width`` columns (a multiple of 16) from
local column ``seg_first`` of its subordinate, weights row-major (4 x width) at
``weights[seg_offset:]``. Column ``c`` of subordinate ``q`` (``col_start[q] + c`` in the column
tables) adds its 32-bit partial sum into synaptic input ``(col_type, col_target)``; several
subordinates may name one (type, target), and the dominant adds them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import costs


@dataclass(frozen=True)
class Optimisations:
    """Each switch is one optimisation of the weight-delay map (Huang et al. [7][8])."""
    drop_zero_rows: bool = True        # inputs with no synapse get no row
    drop_zero_columns: bool = True     # (type, target) pairs with no synapse get no column
    merge_inputs: bool = True          # inputs with identical weight vectors share a row
    echelon: bool = True               # rows ordered by their tile pattern, so 4-row tiles are dense
    trim_windows: bool = True          # a row group stores only from its first to its last used tile
    skip_zero_tiles: bool = True       # ... nor any all-zero tile inside that window (implies trimming)
    split_columns: bool = True         # two-stage splitting may cut columns into bands first
    dominant_multiplies: bool = True   # a dominant whose map fits beside its tables multiplies it


NO_OPTIMISATION = Optimisations(False, False, False, False, False, False, False, False)


@dataclass
class ParallelSlice:
    lo: int
    hi: int
    n_sub: int
    dominant_multiplies: bool
    input_start: np.ndarray          # (n_source * D + 1,) CSR: input k feeds rows input_row[...]
    input_row: np.ndarray
    row_start: np.ndarray            # (n_sub + 1,) rows of each subordinate
    seg_start: np.ndarray            # (n_sub + 1,) segments of each subordinate
    seg_row: np.ndarray              # first row (slice numbering) of the segment's 4-row group
    seg_first: np.ndarray            # first local column
    seg_width: np.ndarray            # columns, a multiple of 16
    seg_offset: np.ndarray           # into ``weights``
    weights: np.ndarray              # uint8 / uint16
    col_start: np.ndarray            # (n_sub + 1,) columns of each subordinate
    col_type: np.ndarray
    col_target: np.ndarray           # layer-local target index (lo <= target < hi)
    tiles: np.ndarray                # (n_sub,) 4 x 16 MAC tiles multiplied per step
    dominant_bytes: dict = field(default_factory=dict)
    subordinate_bytes: list = field(default_factory=list)

    @property
    def n_pes(self) -> int:
        return 1 + self.n_sub - int(self.dominant_multiplies)

    @property
    def n_rows(self) -> int:
        return int(self.row_start[-1])

    @property
    def row_sub(self) -> np.ndarray:
        """Subordinate of each map row."""
        return np.repeat(np.arange(self.n_sub), np.diff(self.row_start))

    def pe_bytes(self) -> list[dict]:
        """Bytes per Table I item of each PE: the dominant first (holding subordinate 0's map
        when it multiplies), then the subordinates."""
        if self.dominant_multiplies:
            return [costs.merged(self.dominant_bytes, self.subordinate_bytes[0])] + self.subordinate_bytes[1:]
        return [self.dominant_bytes] + list(self.subordinate_bytes)


@dataclass
class LayerPlan:
    n_source: int
    n_target: int
    delay_range: int
    weight_bits: int
    max_input: int                   # largest stacked input value the operands hold
    optimisations: Optimisations
    slices: list[ParallelSlice]

    @property
    def n_pes(self) -> int:
        return sum(s.n_pes for s in self.slices)

    def pe_bytes(self) -> list[dict]:
        return [b for s in self.slices for b in s.pe_bytes()]

    @property
    def map_bytes(self) -> int:
        return sum(b.get("optimized weight-delay map", 0) for b in self.pe_bytes())

    @property
    def sram_bytes(self) -> int:
        return sum(sum(b.values()) for b in self.pe_bytes())


def stacked_counts(history: np.ndarray) -> np.ndarray:
    """``history[d - 1, s] = count_s(t - d)`` -> the per-input vector, ``k = s * D + d - 1``."""
    return np.ascontiguousarray(np.asarray(history).T).ravel()


def product(plan: LayerPlan, x: np.ndarray, n_types: int = 4) -> np.ndarray:
    """Synaptic input ``y[type, target]`` (int64) at one step from the compiled structures:
    the dominant's stacked input built through the reversed order, each subordinate's segments
    multiplied, the partial sums added by (type, target). ``x[k]`` is input k's count."""
    x = np.asarray(x, dtype=np.int64).ravel()
    if x.size != plan.n_source * plan.delay_range:
        raise ValueError(f"x has {x.size} entries; the layer has {plan.n_source} sources x "
                         f"{plan.delay_range} delays = {plan.n_source * plan.delay_range} inputs")
    y = np.zeros((n_types, plan.n_target), dtype=np.int64)
    for sl in plan.slices:
        stacked = np.zeros(sl.n_rows, dtype=np.int64)
        np.add.at(stacked, sl.input_row, np.repeat(x, np.diff(sl.input_start)))
        if stacked.size and stacked.max() > plan.max_input:
            raise OverflowError(f"stacked input {stacked.max()} exceeds the {plan.weight_bits}-bit operand "
                                f"({plan.max_input}): more spikes per step than the layer was compiled for")
        size = 4 * sl.seg_width
        seg = np.repeat(np.arange(sl.seg_width.size), size)
        local = np.arange(size.sum()) - np.repeat(sl.seg_offset, size)
        w = sl.weights[np.repeat(sl.seg_offset, size) + local].astype(np.int64)
        row = sl.seg_row[seg] + local // sl.seg_width[seg]
        sub = np.searchsorted(sl.seg_start, np.arange(sl.seg_width.size), side="right")[seg] - 1
        col = sl.col_start[sub] + sl.seg_first[seg] + local % sl.seg_width[seg]
        live = w != 0
        if np.any(col[live] >= sl.col_start[sub[live] + 1]):
            raise AssertionError("a non-zero weight lies in a padding column")
        col, contrib = col[live], (stacked[row[live]] * w[live])
        np.add.at(y, (sl.col_type[col], sl.col_target[col]), contrib)
    return y


def dense_product(src, tgt, w, d, r, x, n_source, n_target, delay_range, n_types=4) -> np.ndarray:
    """The same synaptic input straight from the synapse arrays: sum of w * count_s(t - d)."""
    k = np.asarray(src, np.int64) * delay_range + np.asarray(d, np.int64) - 1
    y = np.zeros((n_types, n_target), dtype=np.int64)
    np.add.at(y, (np.asarray(r, np.int64), np.asarray(tgt, np.int64)),
              np.asarray(w, np.int64) * np.asarray(x, np.int64)[k])
    return y
