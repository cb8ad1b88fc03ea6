"""Routing-table compression by merging sibling entries.

Two entries with the same route whose masks are equal and whose keys differ in exactly one
masked bit cover, together, exactly the keys of one entry with that bit dropped from the mask.
Merging them never makes an entry match a key it did not match before, so the result is
independent of table order and exact. Repeated to a fixed point it merges, for instance, all
slices of a population that go the same way into one entry (keys are zoned, ``keys.py``).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np


def compress(table):
    mask = table.mask.astype(np.uint64)
    key = table.key.astype(np.uint64) & mask
    route = np.column_stack([table.links.astype(np.uint64), table.pes])
    _, first = np.unique(np.column_stack([key, mask, route]), axis=0, return_index=True)
    first.sort()
    key, mask, route = key[first], mask[first], route[first]
    route_id = np.unique(route, axis=0, return_inverse=True)[1].ravel()
    merged_any = True
    while merged_any:
        merged_any = False
        for bit in range(32):
            b = np.uint64(1 << bit)
            cand = np.flatnonzero((mask & b) != 0)
            if cand.size < 2:
                continue
            sig = np.column_stack([route_id[cand], mask[cand], key[cand] & ~b])
            inv, counts = np.unique(sig, axis=0, return_inverse=True, return_counts=True)[1:]
            pairs = cand[counts[inv.ravel()] == 2]
            if pairs.size == 0:
                continue
            high = (key[pairs] & b) != 0
            mask[pairs[~high]] &= ~b              # the partner with the bit clear covers both
            alive = np.ones(len(key), dtype=bool)
            alive[pairs[high]] = False
            key, mask, route, route_id = key[alive], mask[alive], route[alive], route_id[alive]
            merged_any = True
    return replace(table, key=key.astype(np.uint32), mask=mask.astype(np.uint32),
                   links=route[:, 0].astype(np.uint8), pes=route[:, 1:].copy())
