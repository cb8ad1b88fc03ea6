"""The parallel paradigm's memory images: every parallel slice's compiled arrays (``plan.py``)
laid end to end with per-slice offsets, as the emulator's dominant and subordinate PEs read them.

Per slice ``j``: the dominant's source table (key, mask -> first layer-local source index, sorted
by key), its reversed order and input merging table (input ``k = s * D + d - 1`` -> map rows),
the map's 4-row groups with their segments (column window, weights), and the columns' (type,
target). Rows and columns are numbered slice-wide and offset into machine-wide arrays.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .costs import TILE_ROWS

ParallelImages = namedtuple("ParallelImages", [
    "slice_of",                              # per PE: its parallel slice, -1 if none
    "dominant", "lo", "n_source", "delay_range", "max_input",   # per slice
    "src_start", "src_key", "src_mask", "src_base",             # source table, per slice range
    "input_start", "input_row",              # CSR per slice: flat, offsets below
    "input_off", "input_row_off",
    "row_off", "n_rows",                     # the stacked input's rows
    "group_off", "group_seg",                # CSR 4-row group -> segments, per slice
    "seg_row", "seg_width", "seg_weight", "seg_col", "seg_pe",  # per segment: rows, window, subordinate
    "weights",                               # every map, int32
    "col_off", "n_cols", "col_type", "col_target",             # columns: what each sum feeds
    "sub_start", "sub_pe", "sub_tiles",      # per slice: its subordinates and their MAC tiles
])


def _offsets(sizes):
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


def parallel_images(graph, placement, keys, layers) -> ParallelImages:
    """``layers`` maps each parallel population to its ``Layer`` (sources); ``graph.plans`` holds
    the compiled plans; PE numbers come from the machine vertices' order."""
    V = len(graph.vertices)
    slice_of = np.full(V, -1, dtype=np.int64)
    vertex_of = {}
    for v, mv in enumerate(graph.vertices):
        if mv.role in ("dominant", "subordinate"):
            vertex_of[(mv.slice, mv.share)] = v
    entries = []                   # (slice id, population, plan slice)
    for p, plan in sorted(graph.plans.items()):
        for k, ps in enumerate(plan.slices):
            entries.append((graph.pop_slices[p][k], p, plan, ps))
    cols = {name: [] for name in ParallelImages._fields}
    src_key, src_mask, src_base, src_start = [], [], [], [0]
    for j, (sid, p, plan, ps) in enumerate(entries):
        dom = vertex_of[(sid, 0)]
        slice_of[dom] = j
        subs = [vertex_of[(sid, i)] for i in range(1, ps.n_pes)]
        slice_of[subs] = j
        # a dominant that multiplies its own map is subordinate 0 itself
        sub_pe = ([dom] if ps.dominant_multiplies else []) + subs
        lay = layers[p]
        for s_pop, offset in zip(lay.sources, lay.offsets):
            for src in graph.pop_slices[s_pop]:
                sl = graph.slices[src]
                src_key.append(int(keys.key[src]))
                src_base.append(int(offset) + sl.lo)
        src_mask += [keys.mask] * (len(src_key) - src_start[-1])
        order = np.argsort(np.array(src_key[src_start[-1]:], dtype=np.int64), kind="stable")
        src_key[src_start[-1]:] = list(np.array(src_key[src_start[-1]:])[order])
        src_base[src_start[-1]:] = list(np.array(src_base[src_start[-1]:])[order])
        src_start.append(len(src_key))
        # segments sorted by their group, with machine-wide columns and weights
        seg_sub = np.repeat(np.arange(ps.n_sub), np.diff(ps.seg_start))
        order = np.argsort(ps.seg_row, kind="stable")
        groups = ps.n_rows // TILE_ROWS
        per_group = np.bincount(ps.seg_row[order] // TILE_ROWS, minlength=groups)
        cols["group_seg"].append(_offsets(per_group))
        cols["seg_row"].append(ps.seg_row[order])
        cols["seg_width"].append(ps.seg_width[order])
        cols["seg_weight"].append(ps.seg_offset[order])
        cols["seg_col"].append(ps.col_start[seg_sub[order]] + ps.seg_first[order])
        cols["seg_pe"].append(np.array(sub_pe, dtype=np.int64)[seg_sub[order]] if ps.n_sub else
                              np.zeros(0, np.int64))
        cols["weights"].append(ps.weights.astype(np.int32))
        cols["input_start"].append(ps.input_start)
        cols["input_row"].append(ps.input_row)
        cols["col_type"].append(ps.col_type)
        cols["col_target"].append(ps.col_target - ps.lo)
        cols["sub_pe"].append(np.array(sub_pe, dtype=np.int64))
        cols["sub_tiles"].append(ps.tiles)
        for name, value in (("dominant", dom), ("lo", ps.lo), ("n_source", plan.n_source),
                            ("delay_range", plan.delay_range), ("max_input", plan.max_input),
                            ("n_rows", ps.n_rows), ("n_cols", int(ps.col_start[-1]))):
            cols[name].append(value)
    flat = {name: (np.concatenate(cols[name]) if cols[name] else np.zeros(0))
            for name in ("group_seg", "seg_row", "seg_width", "seg_weight", "seg_col", "seg_pe",
                         "weights", "input_start", "input_row", "col_type", "col_target", "sub_pe", "sub_tiles")}
    lengths = {name: [len(a) for a in cols[name]] for name in
               ("group_seg", "seg_row", "weights", "input_start", "input_row", "sub_pe")}
    seg_off = _offsets(lengths["seg_row"])
    weight_off = _offsets(lengths["weights"])
    # segment arrays carry machine-wide offsets: weights, columns
    seg_slice = np.repeat(np.arange(len(entries)), lengths["seg_row"])
    n_cols = np.array(cols["n_cols"], dtype=np.int64)
    col_off = _offsets(n_cols)
    as64 = (lambda a: np.asarray(a, dtype=np.int64))
    return ParallelImages(
        slice_of=slice_of, dominant=as64(cols["dominant"]), lo=as64(cols["lo"]), n_source=as64(cols["n_source"]),
        delay_range=as64(cols["delay_range"]), max_input=as64(cols["max_input"]),
        src_start=as64(src_start), src_key=np.array(src_key, dtype=np.uint32),
        src_mask=np.array(src_mask, dtype=np.uint32), src_base=as64(src_base),
        input_start=as64(flat["input_start"]), input_row=as64(flat["input_row"]),
        input_off=_offsets(lengths["input_start"])[:-1], input_row_off=_offsets(lengths["input_row"])[:-1],
        row_off=_offsets(cols["n_rows"])[:-1], n_rows=as64(cols["n_rows"]),
        group_off=_offsets(lengths["group_seg"])[:-1], group_seg=as64(flat["group_seg"]) + np.repeat(
            seg_off[:-1], lengths["group_seg"]),
        seg_row=as64(flat["seg_row"]), seg_width=as64(flat["seg_width"]),
        seg_weight=as64(flat["seg_weight"]) + weight_off[seg_slice],
        seg_col=as64(flat["seg_col"]) + col_off[seg_slice], seg_pe=as64(flat["seg_pe"]),
        weights=np.asarray(flat["weights"], dtype=np.int32),
        col_off=col_off[:-1], n_cols=n_cols, col_type=as64(flat["col_type"]), col_target=as64(flat["col_target"]),
        sub_start=_offsets(lengths["sub_pe"]), sub_pe=as64(flat["sub_pe"]), sub_tiles=as64(flat["sub_tiles"]))
