"""Route resolution at load time.

A router forwards a packet by the first table entry whose masked key matches. Every key of one
source PE differs only in the neuron field, and no entry's mask looks at that field (keys are
zoned, ``mapping/keys.py``; compression only clears mask bits), so all of a PE's packets take the
same path. The loader therefore walks each source PE's base key through the tables once, with the
routers' own first-match scan, and the step loop uses the result instead of scanning per packet.
``route_packet`` is that scan for one packet, kept for checking.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..hardware import N_LINKS, PES_PER_CHIP
from ..mapping.images import VALUES
from ..mapping.values import VALUE_FLAG, VALUE_MASK
from .state import Routes


def flat_tables(tables):
    """Every chip's table as one set of arrays with per-chip [start, start + count) ranges."""
    counts = np.array([len(t) for t in tables], dtype=np.int64)
    return (np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64), counts,
            np.concatenate([t.key for t in tables]).astype(np.uint32),
            np.concatenate([t.mask for t in tables]).astype(np.uint32),
            np.concatenate([t.links for t in tables]).astype(np.uint8),
            np.concatenate([t.pes for t in tables]).astype(np.uint64).reshape(-1, 3))


@njit(cache=True)
def route_packet(key, chip, start, count, tkey, tmask, tlinks, tpes, neighbours, pe_vertex, out, visited, hops):
    """Walk one packet from ``chip``: fills ``out`` with the PEs (vertices) it reaches, ``visited``
    with the chips whose routers handle it and ``hops`` with the links it crosses (chip * 6 +
    link); returns (PEs reached, chips where no entry matched, routers, links)."""
    stack = np.empty(4 * neighbours.shape[0] + 8, dtype=np.int64)
    stack[0] = chip
    sp, n_out, drops, n_visited, n_hops = 1, 0, 0, 0, 0
    while sp > 0:
        sp -= 1
        c = stack[sp]
        visited[n_visited] = c
        n_visited += 1
        entry = -1
        for e in range(start[c], start[c] + count[c]):
            if (key & tmask[e]) == tkey[e]:
                entry = e
                break
        if entry < 0:
            drops += 1
            continue
        for word in range(tpes.shape[1]):
            bits = tpes[entry, word]
            b = 0
            while bits:
                if bits & np.uint64(1):
                    out[n_out] = pe_vertex[c * PES_PER_CHIP + word * 64 + b]
                    n_out += 1
                bits >>= np.uint64(1)
                b += 1
        for link in range(N_LINKS):
            if (tlinks[entry] >> link) & 1 and neighbours[c, link] >= 0:
                stack[sp] = neighbours[c, link]
                sp += 1
                hops[n_hops] = c * N_LINKS + link
                n_hops += 1
    return n_out, drops, n_visited, n_hops


def resolve(program) -> Routes:
    """Where each sending PE's packets go, from the routing tables."""
    pes = program.images.pes
    machine = program.machine
    start, count, tkey, tmask, tlinks, tpes = flat_tables(program.routing_tables)
    spike_entries = (tkey & np.uint32(VALUE_FLAG)) == 0         # value blocks have their own row field
    if np.any(tmask[spike_entries] & np.uint32((1 << program.keys.neuron_bits) - 1)):
        raise ValueError("a routing entry's mask covers neuron bits of the keys; packets of one PE could "
                         "take different paths, which route resolution does not model")
    pe_vertex = np.full(machine.n_pes, -1, dtype=np.int64)
    pe_vertex[program.placement] = np.arange(len(program.placement))
    neighbours = machine.neighbours.astype(np.int64)
    V = len(pes.n)
    out = np.empty(machine.n_pes, dtype=np.int64)
    sources = multicast_sources(program)
    visited, hops = np.empty(machine.n_chips, dtype=np.int64), np.empty(machine.n_chips * 6, dtype=np.int64)
    delays = program.images.delays
    dest, dest_count, stage_bits = [], np.zeros(len(sources), np.int64), []
    drops = np.zeros(V, np.int64)
    visits = [set() for _ in range(V)]          # chips and links a PE's packets pass, over its key ranges
    hop_sets = [set() for _ in range(V)]
    for s, (v, key, _) in enumerate(sources):
        # a delay PE sends each stage with its own key (consecutive slices): one route per stage,
        # one entry per receiver with the stages that reach it; its packets count on every stage's route
        n_keys = int(delays.stages[v]) if delays is not None and delays.stages[v] else 1
        used = np.bitwise_or.reduce(delays.mask[delays.mask_start[v]:delays.mask_start[v] + pes.n[v]]) \
            if n_keys > 1 else 1                # stages no neuron has synapses on are never sent
        reached = {}
        for stage in range(n_keys):
            if not (int(used) >> stage) & 1:
                continue
            n, lost, n_visited, n_hops = route_packet(np.uint32(key + (stage << program.keys.neuron_bits)), pes.chip[v],
                                                      start, count, tkey, tmask, tlinks, tpes, neighbours, pe_vertex,
                                                      out, visited, hops)
            drops[v] = max(drops[v], lost)
            for u in out[:n]:
                reached[int(u)] = reached.get(int(u), 0) | (1 << stage)
            visits[v].update(visited[:n_visited].tolist())
            hop_sets[v].update(hops[:n_hops].tolist())
        found = sorted(reached)
        dest.append(np.array(found, dtype=np.int64))
        dest_count[s] = len(found)
        stage_bits.append(np.array([reached[u] if n_keys > 1 else -1 for u in found], dtype=np.int64))
    dest = np.concatenate(dest) if dest else np.zeros(0, np.int64)
    stage_bits = np.concatenate(stage_bits) if stage_bits else np.zeros(0, np.int64)
    csr = (lambda counts: np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))
    visit = np.array([c for vs in visits for c in sorted(vs)], dtype=np.int64)
    hop = np.array([h for hs in hop_sets for h in sorted(hs)], dtype=np.int64)
    if np.any(dest < 0):
        raise ValueError("a routing entry delivers to a PE that holds no machine vertex")
    table = np.array(sources, dtype=np.int64).reshape(-1, 3)
    entry = np.repeat(np.arange(len(sources)), dest_count)
    order = np.argsort(dest, kind="stable")
    src_count = np.bincount(dest, minlength=V)
    per_pe = np.bincount(table[:, 0], weights=dest_count, minlength=V).astype(np.int64)
    return Routes(
        dest_start=csr(per_pe), dest=dest.astype(np.int64), src_start=csr(src_count),
        src=table[entry[order], 0].astype(np.int64),
        src_key=table[entry[order], 1].astype(np.uint32), src_mask=table[entry[order], 2].astype(np.uint32),
        src_stages=stage_bits[order], stage_shift=np.array([program.keys.neuron_bits], dtype=np.int64),
        drops=drops, receivers=np.flatnonzero(src_count).astype(np.int64),
        senders=np.flatnonzero(pes.sends).astype(np.int64),
        visit_start=csr([len(vs) for vs in visits]), visit=visit,
        hop_start=csr([len(hs) for hs in hop_sets]), hop=hop,
        router_load=np.zeros(machine.n_chips, np.int64), link_load=np.zeros(machine.n_chips * 6, np.int64))


def multicast_sources(program) -> list[tuple[int, int, int]]:
    """(sending PE, key, mask) of every key range a PE sends: its spikes (one range per neuron
    PE), and one range per value block (``mapping/values.py``)."""
    pes, vi = program.images.pes, program.images.values
    spikes = pes.sends & (pes.kind != VALUES)
    out = [(int(v), int(pes.key[v]), int(program.keys.mask)) for v in np.flatnonzero(spikes)]
    if vi is not None:
        for v in np.flatnonzero(vi.blk_count):
            for b in range(vi.blk_start[v], vi.blk_start[v] + vi.blk_count[v]):
                out.append((int(v), int(vi.blk_key[b]), VALUE_MASK))
    return sorted(out, key=lambda s: s[0])
