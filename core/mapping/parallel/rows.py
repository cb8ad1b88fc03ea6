"""Rows of the weight-delay map: one per input (source, delay), after dropping empty rows and
merging inputs whose weight vectors are identical (Huang et al. 2023 [8], "input merging").

Input ``k = s * D + (d - 1)`` carries ``count_s(t - d)``. Two inputs with the same weight over
every column can share one row fed by the sum of their counts, ``w.x1 + w.x2 = w.(x1 + x2)``,
exact in integers; the sum must still fit the MAC operand, which caps a row's inputs. Identical
rows are found by two independent 64-bit hashes of their (column, weight) entries, then checked
entry by entry, so a hash collision can never merge different rows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


@dataclass
class MapRows:
    """Unique rows ``u`` in order of their first input, their inputs (CSR) and their entries
    (sorted by row, then column; local column indices)."""
    member_start: np.ndarray     # (U + 1,)
    members: np.ndarray          # input indices k
    entry_start: np.ndarray      # (U + 1,)
    col: np.ndarray
    w: np.ndarray

    @property
    def n_rows(self) -> int:
        return self.member_start.size - 1


def _mix(x: np.ndarray, seed: int) -> np.ndarray:
    """splitmix64 finaliser: a well-spread 64-bit hash of each value."""
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) + np.uint64(seed)
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def map_rows(k: np.ndarray, col: np.ndarray, w: np.ndarray, n_inputs: int, *, drop_zero: bool,
             merge: bool, max_merge: int) -> MapRows:
    """``k, col, w``: one entry per non-zero (input, column), no duplicates."""
    # by input, then column: a stable sort of one key, which is linear on the input-major order
    # the compiler already passes
    order = np.argsort(k * (int(col.max(initial=0)) + 1) + col, kind="stable")
    k, col, w = k[order], col[order], w[order]
    if drop_zero:
        first = np.concatenate([[True], k[1:] != k[:-1]]) if k.size else np.zeros(0, bool)
        inputs, row = k[first], np.cumsum(first) - 1
    else:
        inputs = np.arange(n_inputs, dtype=np.int64)
        row = k
    nnz = np.bincount(row, minlength=inputs.size)
    start = np.concatenate([[0], np.cumsum(nnz)]).astype(np.int64)
    if not merge or inputs.size == 0:
        return MapRows(np.arange(inputs.size + 1, dtype=np.int64), inputs.astype(np.int64), start, col, w)

    code = (col.astype(np.uint64) << np.uint64(20)) | w.astype(np.uint64)
    h1 = np.zeros(inputs.size, np.uint64)
    h2 = np.zeros(inputs.size, np.uint64)
    filled = np.flatnonzero(nnz)
    if filled.size:                                           # per-row sums, wrapping mod 2**64
        h1[filled] = np.add.reduceat(_mix(code, 0x9E3779B97F4A7C15), start[filled])
        h2[filled] = np.add.reduceat(_mix(code, 0x632BE59BD9B4E019), start[filled])
    by_sig = np.lexsort((np.arange(inputs.size), h2, h1, nnz))
    new = np.ones(inputs.size, bool)
    new[1:] = (np.diff(nnz[by_sig]) != 0) | (np.diff(h1[by_sig]) != 0) | (np.diff(h2[by_sig]) != 0)
    group_sorted = np.cumsum(new) - 1
    rep_sorted = by_sig[np.flatnonzero(new)][group_sorted]
    rep = np.empty(inputs.size, np.int64)
    rep[by_sig] = rep_sorted

    pos = np.arange(k.size) - start[row]                     # entry's place in its row
    mirror = start[rep[row]] + pos                            # same place in the representative
    bad_rows = np.unique(row[(col != col[mirror]) | (w != w[mirror])])
    group = np.empty(inputs.size, np.int64)
    group[by_sig] = group_sorted
    if bad_rows.size:                                         # hash collision: keep them apart
        group[bad_rows] = group_sorted.max() + 1 + np.arange(bad_rows.size)

    # rank within the group (inputs ascending), then at most max_merge inputs per row
    o = np.lexsort((inputs, group))
    g_sorted = group[o]
    first = np.concatenate([[0], np.flatnonzero(np.diff(g_sorted)) + 1])
    rank = np.arange(o.size) - np.repeat(first, np.diff(np.append(first, o.size)))
    chunk = rank // max(1, max_merge)
    key = np.empty(inputs.size, np.int64)
    key[o] = g_sorted * (inputs.size + 1) + chunk
    _, first_of, unique_row = np.unique(key, return_index=True, return_inverse=True)
    # unique rows in order of their first input
    order_u = np.argsort(first_of, kind="stable")
    renumber = np.empty_like(order_u)
    renumber[order_u] = np.arange(order_u.size)
    u = renumber[unique_row]
    members_order = np.lexsort((inputs, u))
    member_start = np.concatenate([[0], np.cumsum(np.bincount(u, minlength=order_u.size))]).astype(np.int64)
    reps = first_of[order_u]                                   # representative input row of each u
    counts = nnz[reps]
    entry_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    take = np.repeat(start[reps], counts) + (np.arange(counts.sum()) - np.repeat(entry_start[:-1], counts))
    return MapRows(member_start, inputs[members_order].astype(np.int64), entry_start, col[take], w[take])
