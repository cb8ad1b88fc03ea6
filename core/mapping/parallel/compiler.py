"""Compile one layer (every synapse onto one target population) for the MAC array.

Pipeline (pure functions over arrays): aggregate the synapses into the weight-delay map's
non-zero entries; cut the targets into parallel slices, one dominant each; per slice, build the
map's rows (``rows.py``: zero rows dropped, identical rows merged) and columns (zero columns
dropped), then lay them out by two-stage splitting:

1. *columns*: the slice's column tiles are cut into ``b`` contiguous bands of balanced
   non-zero tile counts (each column then lives on exactly one band);
2. *rows*: within a band, rows in echelon order form 4-row groups, and consecutive groups are
   cut into the fewest subordinates whose map, index and outputs fit their SRAM, balanced by
   stored bytes, which are proportional to the MAC tiles multiplied per step, so memory and
   MAC work are balanced together.

Every ``b`` that can pay is tried; the layout with the fewest PEs wins, then the smallest
dominant, then the most even subordinates. A row touching several bands is duplicated, one
copy per band, so an input may feed several rows. When one dominant cannot hold its tables
(neurons, per-input tables, stacked input), the targets are cut into more slices.

Huang et al. 2023 [8] (echelon reorder, multi-core two-stage splitting) is not available to us
beyond its abstract; the algorithms here are designed from it and from Table I of the
paradigm-switching paper, not transcribed. Echelon order sorts rows by their pattern of
non-empty 16-column tiles, first tile most significant, so rows using the same tiles share
4-row groups: the staircase of row-echelon form at tile granularity.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import serial
from . import costs
from .costs import TILE_COLS, TILE_ROWS
from .plan import LayerPlan, Optimisations, ParallelSlice
from .rows import MapRows, map_rows

N_TYPES = 4
MAX_DELAY = serial.MAX_DELAY


class _DominantTooLarge(Exception):
    def __init__(self, items):
        self.items = items


@dataclass
class _Band:
    t0: int
    t1: int
    order: np.ndarray          # unique row per band row (-1: padding), length 4 * n_groups
    seg_group: np.ndarray
    seg_tile: np.ndarray       # band-local first tile
    seg_tiles: np.ndarray
    chunks: np.ndarray         # group boundaries of its subordinates
    sub_cost: np.ndarray       # bytes of each subordinate


def _check(label, src, tgt, w, d, r, n_source, n_target, delay_range, weight_bits, max_count):
    if weight_bits not in (8, 16):
        raise ValueError(f"{label}: weight_bits must be 8 or 16 (MAC operand widths), not {weight_bits}")
    n = src.size
    for name, a in (("tgt", tgt), ("w", w), ("d", d), ("r", r)):
        if a.size != n:
            raise ValueError(f"{label}: {n} sources but {a.size} entries in {name!r}; give one per synapse")
    if not 1 <= delay_range <= MAX_DELAY:
        raise ValueError(f"{label}: delay range {delay_range} steps is outside 1..{MAX_DELAY}, the delays the "
                         "parallel paradigm's input spike buffer holds; use a longer timestep or relay the spikes")
    for name, a, lo, hi in (("source index", src, 0, n_source), ("target index", tgt, 0, n_target),
                            ("delay", d, 1, delay_range + 1), ("receptor type", r, 0, N_TYPES),
                            ("weight", w, 0, 1 << weight_bits)):
        if n and (a.min() < lo or a.max() >= hi):
            bad = a[(a < lo) | (a >= hi)][0]
            raise ValueError(f"{label}: {name} {bad} is outside {lo}..{hi - 1}")
    if max_count < 1 or max_count > (1 << weight_bits) - 1:
        raise ValueError(f"{label}: max_count {max_count} spikes per source and step does not fit a "
                         f"{weight_bits}-bit operand")


def aggregate(src, tgt, w, d, r, n_target, delay_range, weight_bits, label="layer"):
    """Synapses sharing (input, type, target) add their weights: the map's entries
    ``(k, type, target, w)``, zero sums dropped. A sum beyond the operand is an error."""
    k = src * delay_range + d - 1
    code = (k * N_TYPES + r) * n_target + tgt
    key, inverse = np.unique(code, return_inverse=True)
    total = np.bincount(inverse, weights=w.astype(np.float64), minlength=key.size).astype(np.int64)
    if total.size and total.max() >= 1 << weight_bits:
        i = int(np.argmax(total))
        kk, rest = divmod(int(key[i]), N_TYPES * n_target)
        raise ValueError(f"{label}: synapses from source {kk // delay_range} with delay {kk % delay_range + 1} onto "
                         f"target {rest % n_target} (type {rest // n_target}) add up to weight {total[i]}, beyond "
                         f"the {weight_bits}-bit operand; use 16-bit weights or a coarser weight step")
    live = total > 0
    key, total = key[live], total[live]
    kk, rest = np.divmod(key, N_TYPES * n_target)
    return kk, rest // n_target, rest % n_target, total


def _bands(occ: np.ndarray, b: int) -> np.ndarray:
    """Tile boundaries of ``b`` contiguous bands with balanced non-empty tile counts."""
    n_tiles = occ.shape[1]
    load = np.cumsum(occ.sum(0) + 1e-9)
    step = np.arange(1, b)
    slack = np.searchsorted(load, load[-1] * step / b) + 1 - step     # each band at least one tile
    slack = np.maximum.accumulate(np.clip(slack, 0, n_tiles - b)) if b > 1 else slack
    return np.concatenate([[0], slack + step, [n_tiles]]).astype(np.int64)


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(start, start + count)`` for each pair."""
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return np.repeat(starts - offsets, counts) + np.arange(int(np.sum(counts)))


def _segments(occ_g: np.ndarray, opt: Optimisations):
    """Stored windows of each 4-row group: (group, first tile, tiles)."""
    n_g, nt = occ_g.shape
    if opt.skip_zero_tiles:
        padded = np.zeros((n_g, nt + 2), bool)
        padded[:, 1:-1] = occ_g
        edge = np.diff(padded.astype(np.int8), axis=1)
        gs, ts = np.nonzero(edge == 1)
        ge, te = np.nonzero(edge == -1)
        return gs.astype(np.int64), ts.astype(np.int64), (te - ts).astype(np.int64)
    if not opt.trim_windows:
        g = np.arange(n_g)
        return g, np.zeros(n_g, np.int64), np.full(n_g, nt, np.int64)
    used = occ_g.any(1)
    g = np.flatnonzero(used)
    first = np.argmax(occ_g[g], axis=1)
    last = nt - 1 - np.argmax(occ_g[g, ::-1], axis=1)
    return g.astype(np.int64), first.astype(np.int64), (last - first + 1).astype(np.int64)


def _chunks(cost: np.ndarray, cap: int) -> np.ndarray:
    """Fewest contiguous runs of groups under ``cap`` (greedy is optimal), then re-cut at
    equal shares of the total if that also fits, so subordinates carry even loads."""
    cum = np.cumsum(cost)
    bounds = [0]
    while bounds[-1] < cost.size:
        base = cum[bounds[-1] - 1] if bounds[-1] else 0
        bounds.append(int(np.searchsorted(cum, base + cap, side="right")))
    bounds = np.array(bounds, np.int64)
    m = bounds.size - 1
    if m > 1:
        even = np.searchsorted(cum, cum[-1] * np.arange(1, m) / m) + 1
        even = np.concatenate([[0], np.minimum(even, cost.size), [cost.size]])
        loads = np.diff(np.concatenate([[0], cum])[even])
        if np.all(np.diff(even) > 0) and loads.max() <= cap:
            return even
    return bounds


def _band(occ, t0, t1, opt, tile_bytes, cap) -> _Band | None:
    occ_b = occ[:, t0:t1]
    nt = t1 - t0
    rows = np.flatnonzero(occ_b.any(1)) if opt.drop_zero_rows else np.arange(occ.shape[0])
    if opt.echelon and rows.size:                       # tile pattern, first tile most significant
        pattern = np.packbits(~occ_b[rows], axis=1)
        rows = rows[np.lexsort(pattern.T[::-1])]
    n_g = -(-rows.size // TILE_ROWS)
    order = np.full(n_g * TILE_ROWS, -1, np.int64)
    order[:rows.size] = rows
    occ_rows = np.zeros((order.size, nt), bool)
    occ_rows[:rows.size] = occ_b[rows]
    occ_g = occ_rows.reshape(n_g, TILE_ROWS, nt).any(1)
    sg, st, sn = _segments(occ_g, opt)
    cost = (np.bincount(sg, weights=sn * tile_bytes, minlength=n_g)
            + costs.SEGMENT_BYTES * np.bincount(sg, minlength=n_g)).astype(np.int64)
    room = cap - costs.LANES * 4 * TILE_COLS * nt
    if n_g and cost.max() > room:
        return None
    chunks = _chunks(cost, room) if n_g else np.zeros(1, np.int64)
    cum = np.concatenate([[0], np.cumsum(cost)])
    sub_cost = np.diff(cum[chunks]) + costs.LANES * 4 * TILE_COLS * nt
    return _Band(t0, t1, order, sg, st, sn, chunks, sub_cost)


def _layout(occ, opt, tile_bytes, cap, n_members, dominant_fits) -> list[_Band]:
    """Two-stage splitting: every useful number of column bands; the fewest subordinates whose
    dominant still holds the stacked input and tables of the (duplicated) rows."""
    n_tiles = occ.shape[1]
    best, best_key, limit, tight = None, None, n_tiles, False
    for b in range(1, n_tiles + 1):
        if b > limit or (b > 1 and not opt.split_columns):
            break
        edges = _bands(occ, b)
        bands = [_band(occ, t0, t1, opt, tile_bytes, cap) for t0, t1 in zip(edges[:-1], edges[1:])]
        if any(x is None for x in bands):
            continue
        n_rows = sum(x.order.size for x in bands)
        n_entries = sum(int(n_members[x.order[x.order >= 0]].sum()) for x in bands)
        if not dominant_fits(n_rows, n_entries, b):
            tight = True
            if b > 1:
                break                          # more bands only duplicate more rows
            continue
        n_sub = sum(x.chunks.size - 1 for x in bands)
        max_load = max((x.sub_cost.max() for x in bands if x.sub_cost.size), default=0)
        key = (n_sub, n_rows, max_load)
        if best_key is None or key < best_key:
            best, best_key = bands, key
        limit = min(limit, best_key[0])        # more bands than subordinates cannot pay
    if best is None:
        if tight:
            raise _DominantTooLarge({"stacked input": n_tiles})
        raise ValueError("a 4-row group of the weight-delay map does not fit one subordinate even "
                         "one 16-column tile wide")
    return best


def _slice_plan(k, typ, tgt, w, lo, hi, *, n_source, delay_range, weight_bits, neuron_bytes,
                n_source_vertices, max_merge, layer_types, opt) -> ParallelSlice:
    n = hi - lo
    if n > 1 << costs.TARGET_BITS:
        raise _DominantTooLarge({"column targets": n})
    full_col = typ * n + (tgt - lo)
    if opt.drop_zero_columns:
        present = np.bincount(full_col, minlength=1) > 0
        used = np.flatnonzero(present)
        col = (np.cumsum(present) - 1)[full_col]
    else:
        used = (layer_types[:, None] * n + np.arange(n)[None, :]).ravel()
        col = np.searchsorted(used, full_col)
    col_type, col_target = used // n, lo + used % n
    n_inputs = n_source * delay_range
    rows: MapRows = map_rows(k, col, w, n_inputs, drop_zero=opt.drop_zero_rows,
                             merge=opt.merge_inputs, max_merge=max_merge)
    U, C = rows.n_rows, used.size
    dominant = dict(n_source=n_source, delay_range=delay_range, n_neurons=n, n_types=layer_types.size,
                    neuron_bytes=neuron_bytes, weight_bits=weight_bits, n_source_vertices=n_source_vertices)
    least = costs.dominant_bytes(n_entries=0, max_rows_per_input=1, n_rows=costs.ceil_to(U, TILE_ROWS),
                                 n_columns=C, **dominant)
    if not costs.fits(least):                           # before laying out: it only grows
        raise _DominantTooLarge(least)
    n_tiles = -(-C // TILE_COLS)
    entry_u = np.repeat(np.arange(U), np.diff(rows.entry_start))
    occ = np.zeros((U, n_tiles), bool)
    occ[entry_u, rows.col // TILE_COLS] = True
    tile_bytes = costs.tiles_bytes(weight_bits)
    cap = costs.subordinate_capacity(n_source_vertices)
    n_members = np.diff(rows.member_start)

    def dominant_fits(n_rows, n_entries, n_bands):
        return costs.fits(costs.dominant_bytes(n_entries=n_entries, max_rows_per_input=n_bands, n_rows=n_rows,
                                               n_columns=C, **dominant))

    bands = _layout(occ, opt, tile_bytes, cap, n_members, dominant_fits) if U and C else []

    # subordinates, rows, segments and columns, band by band
    row_start, seg_start, col_start = [0], [0], [0]
    seg_row, seg_first, seg_width, col_ids, tiles, sub_bytes = [], [], [], [], [], []
    row_u = []
    for band in bands:
        row_u.append(band.order)
        c0, c1 = band.t0 * TILE_COLS, min(band.t1 * TILE_COLS, C)
        for g0, g1 in zip(band.chunks[:-1], band.chunks[1:]):
            mine = (band.seg_group >= g0) & (band.seg_group < g1)
            base = row_start[-1] - TILE_ROWS * g0
            seg_row.append(base + TILE_ROWS * band.seg_group[mine])
            seg_first.append(TILE_COLS * band.seg_tile[mine])
            seg_width.append(TILE_COLS * band.seg_tiles[mine])
            row_start.append(row_start[-1] + TILE_ROWS * (g1 - g0))
            seg_start.append(seg_start[-1] + int(mine.sum()))
            col_ids.append(np.arange(c0, c1))
            col_start.append(col_start[-1] + c1 - c0)
            tiles.append(int(band.seg_tiles[mine].sum()))
            sub_bytes.append(costs.subordinate_bytes(
                n_tiles=tiles[-1], n_segments=int(mine.sum()), n_columns=c1 - c0,
                weight_bits=weight_bits, n_source_vertices=n_source_vertices))
    cat = (lambda parts, dt=np.int64: np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt))
    seg_row, seg_first, seg_width = cat(seg_row), cat(seg_first), cat(seg_width)
    seg_size = TILE_ROWS * seg_width
    seg_offset = (np.cumsum(seg_size) - seg_size).astype(np.int64)
    col_ids = cat(col_ids)
    row_u = cat(row_u)

    # reversed order and merging: input -> the rows it feeds (one per band its row touches)
    real = np.flatnonzero(row_u >= 0)
    n_members = np.diff(rows.member_start)[row_u[real]]
    entry_row = np.repeat(real, n_members)
    entry_input = rows.members[_ranges(rows.member_start[row_u[real]], n_members)]
    o = np.lexsort((entry_row, entry_input))
    input_row = entry_row[o].astype(np.int64)
    per_input = np.bincount(entry_input, minlength=n_inputs)
    input_start = np.concatenate([[0], np.cumsum(per_input)]).astype(np.int64)

    # weights: each entry of each unique row into every copy of that row ... in its band only
    weights = np.zeros(int(seg_size.sum()), dtype=np.uint8 if weight_bits == 8 else np.uint16)
    if bands:
        edges = np.array([b.t0 for b in bands] + [bands[-1].t1]) * TILE_COLS
        entry_band = np.searchsorted(edges, rows.col, side="right") - 1
        for i, band in enumerate(bands):
            sel = np.flatnonzero(entry_band == i)
            pos = np.full(U, -1, np.int64)
            live = band.order >= 0
            pos[band.order[live]] = np.flatnonzero(live)
            p = pos[entry_u[sel]]
            group, lane = np.divmod(p, TILE_ROWS)
            n_g = band.order.size // TILE_ROWS
            nt = band.t1 - band.t0
            seg_of = np.full(n_g * nt, -1, np.int64)
            first_seg = seg_start[sum(b.chunks.size - 1 for b in bands[:i])]
            ids = first_seg + np.arange(band.seg_group.size)
            cover = np.repeat(np.arange(ids.size), band.seg_tiles)
            tile_in = _ranges(band.seg_tile, band.seg_tiles)
            seg_of[band.seg_group[cover] * nt + tile_in] = ids[cover]
            local_col = rows.col[sel] - band.t0 * TILE_COLS
            s = seg_of[group * nt + local_col // TILE_COLS]
            weights[seg_offset[s] + lane * seg_width[s] + local_col - seg_first[s]] = rows.w[sel]

    n_sub = len(sub_bytes)
    dom = costs.dominant_bytes(n_entries=input_row.size, max_rows_per_input=int(per_input.max(initial=0)),
                               n_rows=row_start[-1], n_columns=col_start[-1], **dominant)
    if row_start[-1] > costs.MAX_ROWS or not costs.fits(dom):
        raise _DominantTooLarge(dom)
    multiplies = opt.dominant_multiplies and n_sub == 1 and costs.fits(costs.merged(dom, sub_bytes[0]))
    return ParallelSlice(
        lo=lo, hi=hi, n_sub=n_sub, dominant_multiplies=multiplies, input_start=input_start,
        input_row=input_row, row_start=np.array(row_start, np.int64), seg_start=np.array(seg_start, np.int64),
        seg_row=seg_row, seg_first=seg_first, seg_width=seg_width, seg_offset=seg_offset, weights=weights,
        col_start=np.array(col_start, np.int64), col_type=col_type[col_ids].astype(np.int64),
        col_target=col_target[col_ids].astype(np.int64), tiles=np.array(tiles, np.int64),
        dominant_bytes=dom, subordinate_bytes=sub_bytes)


def _least_slices(n_source, n_target, delay_range, n_types, neuron_bytes, weight_bits, n_source_vertices):
    """Dominants needed for the per-target bytes alone (neurons, their inputs and recording)."""
    kw = dict(n_source=n_source, delay_range=delay_range, n_entries=0, max_rows_per_input=1, n_rows=0,
              n_types=n_types, neuron_bytes=neuron_bytes, weight_bits=weight_bits,
              n_source_vertices=n_source_vertices)
    fixed = sum(costs.dominant_bytes(n_neurons=0, n_columns=0, **kw).values())
    per_target = (sum(costs.dominant_bytes(n_neurons=n_target, n_columns=n_types * n_target, **kw).values())
                  - fixed) / n_target
    room = costs.DATA_SRAM_BYTES - fixed
    return int(min(n_target, max(1, np.ceil(n_target * per_target / room)))) if room > 0 else n_target


def compile_layer(src, tgt, w, d, r=None, *, n_source: int, n_target: int, weight_bits: int = 8,
                  neuron_bytes: int, delay_range: int | None = None, n_source_vertices: int = 1,
                  max_count: int = 1, optimisations: Optimisations = Optimisations(),
                  label: str = "layer") -> LayerPlan:
    """Compile a layer: one entry per synapse (layer-local source and target, quantised weight,
    delay in steps, receptor type; scalars apply to every synapse), ``neuron_bytes`` per target neuron, ``max_count`` the most
    spikes a source emits in one step (1 for neurons; caps input merging so the stacked input
    fits its operand). ``delay_range`` defaults to the longest delay."""
    src, tgt = np.asarray(src, np.int64).ravel(), np.asarray(tgt, np.int64).ravel()
    w, d, r = (np.full(src.shape, a, np.int64) if np.ndim(a) == 0 else np.asarray(a, np.int64).ravel()
               for a in (w, d, 0 if r is None else r))
    if delay_range is None:
        delay_range = int(d.max()) if d.size else 1
    _check(label, src, tgt, w, d, r, n_source, n_target, delay_range, weight_bits, max_count)
    k, typ, tgt_e, w_e = aggregate(src, tgt, w, d, r, n_target, delay_range, weight_bits, label)
    layer_types = np.flatnonzero(np.bincount(r)) if r.size else np.zeros(1, np.int64)
    max_input = (1 << weight_bits) - 1
    kw = dict(n_source=n_source, delay_range=delay_range, weight_bits=weight_bits, neuron_bytes=neuron_bytes,
              n_source_vertices=n_source_vertices, max_merge=max_input // max_count,
              layer_types=layer_types, opt=optimisations)
    n_slices = _least_slices(n_source, n_target, delay_range, layer_types.size, neuron_bytes, weight_bits,
                             n_source_vertices)
    while True:
        bounds = np.linspace(0, n_target, n_slices + 1).round().astype(np.int64)
        which = np.searchsorted(bounds, tgt_e, side="right") - 1
        try:
            slices = [_slice_plan(k[which == i], typ[which == i], tgt_e[which == i], w_e[which == i],
                                  int(lo), int(hi), **kw) for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:]))]
            return LayerPlan(n_source, n_target, delay_range, weight_bits, max_input, optimisations, slices)
        except _DominantTooLarge as error:
            if n_slices >= n_target:
                items = ", ".join(f"{k} {v} B" for k, v in sorted(error.items.items(), key=lambda kv: -kv[1])[:3])
                raise ValueError(
                    f"{label}: even a dominant PE holding one target neuron needs more than the "
                    f"{costs.DATA_SRAM_BYTES} bytes of data SRAM ({items}): its {n_source} sources x "
                    f"{delay_range} delays are too many inputs for the parallel paradigm; use the serial "
                    "paradigm or shorten the delay range") from None
            n_slices = min(n_target, n_slices + max(1, n_slices // 4))
