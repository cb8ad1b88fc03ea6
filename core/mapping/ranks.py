"""Ranks: which MPI rank emulates which PEs, and the share of the memory images each one builds.

A machine too large for one host is emulated by several processes (``runtime/distributed.py``).
Rank r owns a contiguous run of the chips in use (in placement order); its cut points are chosen
so that each rank gets about the same work (bytes of memory images: rows and neuron state) and,
among the near-balanced cut points, the one that the fewest spike packets cross: a packet crosses
once per (sending PE, other rank holding its targets), as NEST exchanges spikes between ranks.
A machine with fewer chips in use than ranks is cut between slices (a slice's neuron and synapse
PEs always stay on one rank: the neuron PE sums its synapse PEs' input buffers).

Each rank then builds the memory images of its own PEs only: the synapses of other ranks' targets
are left out before the rows are written, so no rank holds the whole network's synaptic rows.
The per-PE tables (keys, master population tables, routes) stay whole: they are small, and every
rank needs them to know where its packets go. So do the value PEs' tables (a Nengo model's
decoders and encoders, ``values.py``): every rank holds them and updates its own PEs' part. Plastic
rows are built like static ones, on the rank of their target; a stochastic row's random stream
is numbered as in the whole network, so it draws what it draws in one process.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from types import SimpleNamespace

import numpy as np

from ..arrays import uniform
from ..hardware import PES_PER_CHIP
from .images import DELAY, build_images, delay_images, master_population_tables, ring_lengths
from .plastic import stochastic_rows
from .quantise import QuantisedWeights
from .route import neuron_pes, targets

_ADDRESS = re.compile(rb" at 0x[0-9a-fA-F]+")    # in the labels of nengo objects
BALANCE = 0.1      # a cut may move this fraction of one rank's share of the work to spare traffic


def _groups(graph, placement):
    """The machine vertices in placement order, cut into runs that must stay together (one
    slice's PEs): (vertex order, group of each vertex in that order)."""
    order = np.argsort(placement, kind="stable")
    key = np.array([mv.slice for mv in graph.vertices], dtype=np.int64)[order]
    group = np.concatenate([[0], np.cumsum(key[1:] != key[:-1])]) if order.size else np.zeros(0, np.int64)
    return order, group


def split(graph, placement, n_ranks: int) -> np.ndarray:
    """Rank of every machine vertex: contiguous runs of chips (of slices, if fewer chips are in use
    than ranks), balanced by memory-image bytes, cut where few packets cross."""
    V = len(graph.vertices)
    if n_ranks < 1:
        raise ValueError(f"the number of ranks must be at least 1, not {n_ranks}")
    if n_ranks == 1 or V == 0:
        return np.zeros(V, dtype=np.int64)
    order, group = _groups(graph, placement)
    n_groups = int(group[-1]) + 1
    if n_groups < n_ranks:
        raise ValueError(f"the network has {n_groups} slices to emulate, fewer than the {n_ranks} MPI ranks; "
                         f"run it with at most {n_groups} ranks (mpiexec -n {n_groups})")
    chip = placement[order] // PES_PER_CHIP
    work = np.array([1 + sum(graph.vertices[v].bytes.values()) for v in order], dtype=np.float64)
    # a cut may fall before any position where a new group starts (at a new chip when there are enough)
    starts = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1]]))
    at_chip = starts[np.concatenate([[True], chip[starts[1:]] != chip[starts[1:] - 1]])]
    candidates = (at_chip if at_chip.size >= n_ranks else starts)[1:]
    crossing = _crossing(graph, placement, order, candidates)
    before = np.concatenate([[0.0], np.cumsum(work)])[candidates] / work.sum()
    cuts, previous = [], 0
    for k in range(1, n_ranks):
        free = np.flatnonzero(candidates > previous)
        free = free[free < len(candidates) - (n_ranks - 1 - k)]       # room for the cuts after it
        miss = np.abs(before[free] - k / n_ranks)
        near = free[miss <= miss.min() + BALANCE / n_ranks]
        best = near[np.argmin(crossing[near])]
        cuts.append(candidates[best])
        previous = candidates[best]
    rank_in_order = np.searchsorted(np.array(cuts), np.arange(V), side="right")
    rank = np.empty(V, dtype=np.int64)
    rank[order] = rank_in_order
    return rank


def _crossing(graph, placement, order, candidates):
    """Per candidate cut position (in placement order): the spikes-per-step proxy (neurons of
    each sending slice whose targets lie on the other side) that would cross it."""
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    where = np.full(int(placement.max()) + 1, -1, dtype=np.int64)
    where[placement] = position
    sender = neuron_pes(graph, placement)
    delta = np.zeros(len(order) + 1, dtype=np.float64)
    for src, pes in targets(graph, placement).items():
        if sender[src] < 0:
            continue
        spots = where[np.concatenate([[sender[src]], pes])]
        lo, hi = spots.min(), spots.max()
        delta[lo + 1] += graph.slices[src].hi - graph.slices[src].lo       # crossed by any cut in (lo, hi]
        delta[hi + 1] -= graph.slices[src].hi - graph.slices[src].lo
    return np.cumsum(delta)[candidates]


def owned_neurons(program, owner: np.ndarray, rank: int) -> np.ndarray:
    """bool per global neuron: its state is kept by a PE of ``rank`` (neuron PEs and the spike
    sources they run)."""
    im = program.images
    n = int(im.neurons.pop_offset[-1])
    mine = np.zeros(n, dtype=bool)
    holds = np.flatnonzero((im.pes.model >= 0) & (owner == rank))
    for v in holds:
        mine[im.pes.g0[v]:im.pes.g0[v] + im.pes.n[v]] = True
        for j in range(im.local.local_start[v], im.local.local_start[v + 1]):
            mine[im.local.g0[j]:im.local.g0[j] + im.local.n[j]] = True
    return mine


def recorder_pe(program) -> np.ndarray:
    """The PE that runs (and records) each global neuron, -1 for none."""
    im = program.images
    pe = np.full(int(im.neurons.pop_offset[-1]), -1, dtype=np.int64)
    for v in np.flatnonzero(im.pes.model >= 0):
        pe[im.pes.g0[v]:im.pes.g0[v] + im.pes.n[v]] = v
        for j in range(im.local.local_start[v], im.local.local_start[v + 1]):
            pe[im.local.g0[j]:im.local.g0[j] + im.local.n[j]] = v
    return pe


@dataclass
class Share:
    """One rank's part of a machine emulated by ``n_ranks`` processes: ``images`` builds the
    memory images of its PEs (``compile_network(..., share=...)`` calls it), ``owner`` is then
    every vertex's rank."""
    rank: int
    n_ranks: int
    owner: np.ndarray | None = None
    kept: dict = field(default_factory=dict)     # projection -> mask of the synapses this rank holds (None: all)
    scales: np.ndarray | None = None             # weight step per (population, receptor)

    def images(self, network, graph, placement, keys, quantised, layers, values=None):
        self.owner = split(graph, placement, self.n_ranks)
        mine = self.owner == self.rank
        kept_slices = {graph.vertices[v].slice for v in np.flatnonzero(mine)}
        scales, _, report = quantised
        self.scales = scales
        projections = []
        for j, proj in enumerate(network.projections):
            keep = _kept_synapses(graph, proj, kept_slices)
            self.kept[j] = keep
            projections.append(proj if keep is None else _subset(proj, keep))
        part = replace(network, projections=projections)
        blocks = [b if b.target in kept_slices else replace(b, n_rows=0) for b in graph.blocks]
        im = build_images(part, replace(graph, blocks=blocks), placement, keys,
                          (scales, QuantisedWeights(part, scales), report), layers, values)
        im.delays = delay_images(network, graph, keys.neuron_bits)    # delay PEs serve every rank's targets
        if im.plastic.rng_headers.size:     # stochastic rows draw the streams they draw in one process
            whole = stochastic_rows(network, graph, master_population_tables(graph, keys, network)[3])
            order = np.argsort(whole, kind="stable")
            im.plastic.rng_index = order[np.searchsorted(whole[order], im.plastic.rng_rows)]
        # input buffers only for this rank's PEs
        length = np.where(mine, ring_lengths(im.pes.n, im.pes.slots, im.pes.type_words, im.pes.kind == DELAY), 0)
        im.pes = im.pes._replace(ring_start=np.concatenate([[0], np.cumsum(length)[:-1]]).astype(np.int64))
        im.ring_size = int(length.sum())
        return im


def _kept_synapses(graph, proj, kept_slices):
    """Mask of the synapses whose target neuron's slice this rank holds (None: all of them)."""
    if not proj.size:
        return None
    slices = graph.pop_slices[proj.post]
    kept = np.array([s in kept_slices for s in slices])
    if kept.all():
        return None
    bounds = np.array([graph.slices[s].hi for s in slices], dtype=np.int64)
    return kept[np.searchsorted(bounds, proj.post_index, side="right")]


def _subset_column(a, keep, n):
    """The kept items of a per-synapse column (a broadcast view stays one, of the new length)."""
    if a.size != n and not uniform(a):
        raise ValueError(f"a synapse column of {a.size} items for {n} synapses")
    if uniform(a):
        return np.broadcast_to(a.reshape(-1)[:1].reshape(()), (int(keep.sum()),)) if a.size else a[:0]
    return a[keep]


def _subset(proj, keep):
    n = proj.size
    return replace(proj, pre_index=proj.pre_index[keep], post_index=proj.post_index[keep],
                   weight=_subset_column(proj.weight, keep, n), delay=_subset_column(proj.delay, keep, n))


def fingerprint(network) -> str:
    """A digest of the network as built by this process (populations with their parameters, initial
    state, spike times and recording, projections, current sources), to check that every rank
    built the same."""
    digest = hashlib.blake2b(digest_size=16)
    h = SimpleNamespace(update=lambda b: digest.update(_ADDRESS.sub(b"", b)))   # object addresses differ by rank
    numbers = (lambda a: digest.update(np.ascontiguousarray(a, dtype=np.float64).tobytes()))
    for pop in network.populations:
        h.update(f"{pop.label}|{pop.model}|{pop.size}|{sorted(pop.record.items())}".encode())
        for values in (pop.parameters, pop.initial_state, pop.sequences):
            for name in sorted(values):
                h.update(name.encode())
                for a in (values[name] if isinstance(values[name], list) else [values[name]]):
                    numbers(a)
        for a in pop.spike_times or ():
            numbers(a)
    for source in network.current_sources:
        h.update(f"{source.label}|{source.kind}|{sorted(source.parameters)}|{source.record}".encode())
        for name in sorted(source.parameters):
            numbers(source.parameters[name])
        for p, index in source.targets:
            numbers(np.append(p, index))
    for proj in network.projections:
        h.update(f"{proj.label}|{proj.pre}|{proj.post}|{proj.receptor}|{proj.size}|{proj.synapse!r}".encode())
        for a in (proj.pre_index, proj.post_index, proj.weight, proj.delay):
            digest.update(np.ascontiguousarray(a[:1] if uniform(a) else a).tobytes())
    for q in getattr(network, "value_projections", ()):
        h.update(f"{q.label}|{q.pre}|{q.post}|{q.target}|{q.rule}|{q.signal}|{q.filter!r}|{q.learning!r}".encode())
        numbers(q.matrix)
    for pop in network.populations:
        if getattr(pop, "encoders", None) is not None:
            numbers(pop.encoders)
    return digest.hexdigest()
