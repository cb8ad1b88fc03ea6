"""Partition: split every population into slices of at most 255 neurons (serial paradigm) and
give each slice the PEs its synaptic matrix needs.

A slice whose matrix does not fit one PE's SRAM has it spread over 2-4 adjacent PEs, each
holding whole blocks of some source vertices (paper IV-A); beyond four it keeps its synaptic
rows in the chip's DRAM and a DMA buffer in SRAM, as sPyNNaker does. Without DRAM
(``dram=False``, as the paradigm-switching paper counts PEs) such a slice is cut finer instead.
A spike source that drives only the matching neurons of one population is sliced like it and
runs on its slices' neuron PEs (``local_sources.py``): it gets no PE of its own. A population
whose layer uses the parallel paradigm is sliced as its compiled weight-delay map says
(``parallel/``): one dominant PE per slice holding the neurons, plus its subordinate PEs.
A source slice with delays beyond what a row holds gets a delay PE (``delays.py``), whose stages
are source slices of a pseudo-population after the network's populations.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from ..hardware import DATA_SRAM_BYTES
from ..network import Network
from . import delays as delay_extensions
from . import plastic, serial, values
from .local_sources import local_sources, source_bounds

MAX_SPLIT = 4


@dataclass
class Slice:
    """Neurons [lo, hi) of a population: one source vertex and, if it receives, one target."""
    population: int
    index: int
    lo: int
    hi: int

    @property
    def size(self):
        return self.hi - self.lo


@dataclass
class Block:
    """The rows of one projection from one source slice to one target slice."""
    projection: int
    source: int          # slice id (pre)
    target: int          # slice id (post)
    n_rows: int
    row_length: int
    n_synapses: int
    words_per_synapse: int = 1
    header_words: int = 0        # plastic rows (``plastic.py``): rule state per row,
    plastic_words: int = 0       # state words per synapse,
    half_words: bool = False     # and 16-bit control words in the fixed region

    @property
    def row_words(self):
        """Words per row: header plus padded synapses."""
        if self.header_words:
            return plastic.row_words(self)
        return 1 + self.words_per_synapse * self.row_length

    @property
    def words(self):
        return self.n_rows * self.row_words


@dataclass
class MachineVertex:
    """The work of one PE: a slice's neurons (``share == 0``) and/or a share of its synaptic
    matrix, given as the source slices whose rows it holds."""
    slice: int
    share: int
    sources: list[int] = field(default_factory=list)
    dram: bool = False
    bytes: dict = field(default_factory=dict)
    local: list[int] = field(default_factory=list)    # local spike-source slices it runs
    role: str = "neurons"     # serial: 'neurons', 'synapses'; parallel: 'dominant', 'subordinate'; 'delay'
    sends: list[int] = field(default_factory=list)    # a delay PE: the stage slices it sends

    @property
    def holds_neurons(self):
        return self.share == 0


@dataclass
class MachineGraph:
    slices: list[Slice]
    blocks: list[Block]
    vertices: list[MachineVertex]
    slots: np.ndarray          # synaptic input buffer slots per slice (0: receives nothing)
    pop_slices: list[list[int]]
    local: dict = field(default_factory=dict)    # local source population -> (target, offset)
    plans: dict = field(default_factory=dict)    # parallel population -> its ``parallel.LayerPlan``
    delays: delay_extensions.DelayPlan | None = None   # delay extensions (stage slices, delay PEs)


class SliceTooLarge(ValueError):
    """A slice does not fit one PE even with its rows in DRAM; ``population`` may be cut finer
    (``populations``: every population with such a slice, when all were checked)."""

    def __init__(self, population, message, populations=None):
        super().__init__(message)
        self.population = population
        self.populations = populations or [population]


def slice_populations(network: Network, n_max_per_pop, local=None, plans=None) -> tuple[list[Slice], list[list[int]]]:
    """Equal slices of at most ``n_max`` neurons; a local source is cut like its target, a
    parallel population as its plan's dominants."""
    bounds = {}
    for p, pop in enumerate(network.populations):
        if plans and p in plans:
            bounds[p] = np.array([s.lo for s in plans[p].slices] + [pop.size])
            continue
        n_max = min(n_max_per_pop[p], pop.max_neurons_per_pe or n_max_per_pop[p])
        n_slices = -(-pop.size // n_max)
        bounds[p] = np.linspace(0, pop.size, n_slices + 1).round().astype(int)   # equal split
    for p, (target, offset) in (local or {}).items():
        bounds[p] = source_bounds(bounds[target], offset, network.populations[p].size)
    slices, pop_slices = [], []
    for p in range(len(network.populations)):
        b = bounds[p]
        pop_slices.append(list(range(len(slices), len(slices) + len(b) - 1)))
        slices += [Slice(p, k, int(lo), int(hi)) for k, (lo, hi) in enumerate(zip(b[:-1], b[1:]))]
    return slices, pop_slices


def population_slots(network: Network) -> list[int]:
    max_delay = [0] * len(network.populations)
    for proj in network.projections:
        if proj.size:
            max_delay[proj.post] = max(max_delay[proj.post], int(proj.delay.max()))
    # rows hold at most MAX_DELAY steps: longer delays are residuals of delay stages
    return [serial.ring_slots(min(d, serial.MAX_DELAY)) for d in max_delay]


@njit(cache=True, nogil=True)
def _dense_counts(pre_index, post_index, slice_of_post, slice_of_pre, n_pre, n_t, n_s):
    """Longest row and synapses of every (target slice, source slice) block: synapses counted
    per (target slice, source neuron), each a row, in one compiled pass."""
    per_row = np.zeros(n_t * n_pre, dtype=np.int32)
    for k in range(pre_index.size):
        per_row[slice_of_post[post_index[k]] * n_pre + pre_index[k]] += 1
    row_max, n_syn = np.zeros((n_t, n_s), dtype=np.int64), np.zeros((n_t, n_s), dtype=np.int64)
    for t in range(n_t):
        for i in range(n_pre):
            c = per_row[t * n_pre + i]
            if c > 0:
                s = slice_of_pre[i]
                n_syn[t, s] += c
                row_max[t, s] = max(row_max[t, s], c)
    return row_max, n_syn


def block_counts(proj, pre_b, post_b, n_pre):
    """(longest row, synapses) per (target slice, source slice) of ``proj``, for slice bounds
    ``pre_b``/``post_b``; no loop over synapses, memory bounded by the synapses."""
    n_t, n_s = len(post_b) - 1, len(pre_b) - 1
    slice_of_post = np.repeat(np.arange(n_t, dtype=np.int32), np.diff(post_b))
    if n_t * n_pre <= 8 * proj.size + (1 << 20):        # dense count, in one compiled pass
        slice_of_pre = np.repeat(np.arange(n_s, dtype=np.int32), np.diff(pre_b))
        return _dense_counts(proj.pre_index, proj.post_index, slice_of_post, slice_of_pre, n_pre, n_t, n_s)
    code, per_row = np.unique(slice_of_post[proj.post_index].astype(np.int64) * n_pre + proj.pre_index,
                              return_counts=True)         # sparse count
    pair = (code // n_pre) * n_s + np.searchsorted(pre_b, code % n_pre, side="right") - 1
    row_max = np.zeros(n_t * n_s, dtype=np.int64)
    np.maximum.at(row_max, pair, per_row)
    n_syn = np.bincount(pair, weights=per_row, minlength=n_t * n_s).astype(np.int64)
    return row_max.reshape(n_t, n_s), n_syn.reshape(n_t, n_s)


def synaptic_blocks(network: Network, slices, pop_slices, plans=(), delays=None, counts=None) -> list[Block]:
    """Blocks with their row counts and longest rows (none for projections onto parallel layers:
    they live in weight-delay maps). ``counts`` (a dict) keeps each projection's counts per
    slicing of its two populations, so that a partition cutting one population finer recounts
    only the projections it touches."""
    blocks = []
    sizes = np.array([sl.size for sl in slices], dtype=np.int64)
    for j, proj in enumerate(network.projections):
        if not proj.size or proj.post in plans:
            continue
        if delays and j in delays.projections:
            blocks += extended_blocks(network, slices, pop_slices, j, delays)
            continue
        pre_ids = np.array(pop_slices[proj.pre], dtype=np.int64)
        post_ids = np.array(pop_slices[proj.post], dtype=np.int64)
        pre_b = np.array([slices[s].lo for s in pre_ids] + [network.populations[proj.pre].size], dtype=np.int64)
        post_b = np.array([slices[s].lo for s in post_ids] + [network.populations[proj.post].size], dtype=np.int64)
        key = (j, pre_b.tobytes(), post_b.tobytes())
        counted = None if counts is None else counts.get(key)
        if counted is None:
            counted = block_counts(proj, pre_b, post_b, network.populations[proj.pre].size)
            if counts is not None:
                counts[key] = counted
        row_max, n_syn = counted
        t, s = np.nonzero(n_syn)
        src, tgt = pre_ids[s], post_ids[t]
        wps = serial.words_per_synapse(network.populations[proj.post].weight_bits)
        layout = plastic.layout(proj)
        blocks += [Block(j, a, b, n, m, c, wps, **layout) for a, b, n, m, c in
                   zip(src.tolist(), tgt.tolist(), sizes[src].tolist(), row_max[t, s].tolist(), n_syn[t, s].tolist())]
    return blocks


def extended_blocks(network: Network, slices, pop_slices, j: int, delays) -> list[Block]:
    """Blocks of a projection with delay-extended synapses: those synapses' rows belong to the
    stage slices they arrive from (``delays.synapse_sources``)."""
    proj = network.projections[j]
    source, row, _ = delay_extensions.synapse_sources(network, slices, pop_slices, j, delays)
    post_b = np.array([slices[s].lo for s in pop_slices[proj.post]])
    target = np.searchsorted(post_b, proj.post_index, side="right") - 1
    pair = target.astype(np.int64) * len(slices) + source
    width = max(sl.size for sl in slices) + 1
    rows, per_row = np.unique(pair * width + row, return_counts=True)
    pairs, which = np.unique(rows // width, return_inverse=True)
    row_max = np.zeros(pairs.size, dtype=np.int64)
    np.maximum.at(row_max, which, per_row)
    n_syn = np.bincount(which, weights=per_row).astype(np.int64)
    wps = serial.words_per_synapse(network.populations[proj.post].weight_bits)
    return [Block(j, int(src), pop_slices[proj.post][int(t)], slices[int(src)].size, int(m), int(n), wps,
                  **plastic.layout(proj))
            for t, src, m, n in zip(pairs // len(slices), pairs % len(slices), row_max, n_syn)]


def delay_vertices(delays, slices, pop_slices) -> list[MachineVertex]:
    """One delay PE per extended source slice: it receives the slice and sends its stages."""
    vertices = []
    for p, ids in sorted(delays.slices.items()):
        n_stages = ids.shape[1]
        for k, src in enumerate(pop_slices[p]):
            sl = slices[src]
            cost = delay_extensions.pe_bytes(sl.size, n_stages, delays.stage)
            if not serial.fits(cost):
                raise SliceTooLarge(p, f"population {p}: a delay PE for neurons {sl.lo}-{sl.hi} needs "
                                       f"{sum(cost.values())} bytes of SRAM, more than {serial.DATA_SRAM_BYTES}")
            vertices.append(MachineVertex(int(ids[k, 0]), -1, [src], False, cost, role="delay",
                                          sends=[int(x) for x in ids[k]]))
    return vertices


def _share_out(words: dict[int, int], k: int) -> list[list[int]]:
    """Source slices (their rows' ``words``) spread over k PEs, largest first onto the least
    loaded (equal split)."""
    loads, shares = [0] * k, [[] for _ in range(k)]
    for src in sorted(words, key=lambda s: -words[s]):
        i = min(range(k), key=loads.__getitem__)
        shares[i].append(src)
        loads[i] += words[src]
    return shares


def _share_bytes(sl, pop, slots, sources, groups, share, dram, local=(), network=None, history=None):
    blocks = [b for s in sources for b in groups[s]]
    items = serial.pe_bytes(
        n_neurons=sl.size, n_source_vertices=len(sources), n_address_rows=len(blocks),
        matrix_words=sum(b.words for b in blocks if not b.header_words), slots=slots if blocks or share == 0 else 0,
        n_types=len(pop.receptors), neuron_words=serial.neuron_words(pop.spec),
        holds_neurons=share == 0, weight_bits=pop.weight_bits, dram=dram,
        max_row_words=max((b.row_words for b in blocks), default=0))
    if local:
        items["local spike sources"] = sum(serial.local_source_bytes(spec, n, blocks)
                                           for spec, n, blocks in local)
    if history is not None and (history.entries or any(b.header_words for b in blocks)):
        items.update(plastic.pe_items(network, sl.size, sl.population, blocks, share == 0, dram, history))
    return items


def vertices_for_slice(sid: int, sl: Slice, network, blocks, slots, slices, local,
                       dram=True, history=None) -> list[MachineVertex]:
    """The slice's neuron PE and the PEs sharing its rows. Rows of local sources always stay in
    the neuron PE's SRAM: they are read every step."""
    pop = network.populations[sl.population]
    groups: dict[int, list[Block]] = {}
    local_blocks: dict[int, list[Block]] = {}
    for b in blocks:
        (local_blocks if slices[b.source].population in local else groups).setdefault(b.source, []).append(b)
    mine = sorted(local_blocks)
    runs = [(network.populations[slices[s].population].spec, slices[s].size, local_blocks[s]) for s in mine]
    words = {s: sum(b.words for b in bs) for s, bs in groups.items()}
    # MAX_SPLIT PEs cannot hold more rows than their SRAM: then DRAM, without trying
    splits = min(MAX_SPLIT, max(len(groups), 1)) if 4 * sum(words.values()) <= MAX_SPLIT * DATA_SRAM_BYTES else 0
    for k in range(1, splits + 1):
        shares = _share_out(words, k)
        costs = [_share_bytes(sl, pop, slots, srcs, groups, i, False, runs if i == 0 else (), network, history)
                 for i, srcs in enumerate(shares)]
        if all(serial.fits(c) for c in costs):
            return [MachineVertex(sid, i, srcs, False, c, mine if i == 0 else [], "neurons" if i == 0 else "synapses")
                    for i, (srcs, c) in enumerate(zip(shares, costs))]
    if not dram:
        raise SliceTooLarge(sl.population, f"population {pop.label!r} neurons {sl.lo}-{sl.hi}: the synaptic "
                            f"matrix does not fit {MAX_SPLIT} PEs' SRAM and DRAM is not allowed")
    srcs = sorted(groups)
    cost = _share_bytes(sl, pop, slots, srcs, groups, 0, True, runs, network, history)
    if not serial.fits(cost):
        raise SliceTooLarge(sl.population, 
            f"population {pop.label!r} neurons {sl.lo}-{sl.hi}: even with its synaptic rows in DRAM a PE "
            f"needs {sum(cost.values())} bytes of SRAM ({_largest(cost)}), more than the "
            f"{serial.DATA_SRAM_BYTES} bytes of data SRAM; shorten the longest delays or reduce fan-in")
    return [MachineVertex(sid, 0, srcs, True, cost, mine)]


def _largest(cost):
    return ", ".join(f"{k} {v} B" for k, v in sorted(cost.items(), key=lambda kv: -kv[1])[:3])


def parallel_vertices(sid: int, plan_slice, sources: list[int]) -> list[MachineVertex]:
    """A parallel slice's dominant PE (neurons, stacked input, tables; receives the layer's
    spikes) and its subordinate PEs (weight-delay map shares), with their Table I bytes."""
    items = plan_slice.pe_bytes()
    return [MachineVertex(sid, 0, sources, False, items[0], role="dominant")] + [
        MachineVertex(sid, i, [], False, b, role="subordinate") for i, b in enumerate(items[1:], start=1)]


def partition(network: Network, local: bool = True, dram: bool = True, plans=None) -> MachineGraph:
    """Slices start at the most neurons a PE can hold; a population whose slice does not fit
    (many source vertices or long delays; without ``dram``, any matrix beyond four PEs) is cut
    finer until it does. ``local=False`` gives every spike source PEs of its own. ``plans`` maps
    each population whose layer uses the parallel paradigm to its compiled ``LayerPlan``."""
    delays = delay_extensions.plan(network)
    plans = plans or {}
    local = {p: lt for p, lt in (local_sources(network) if local else {}).items()
             if lt[0] not in plans and p not in delays.stages}
    slots_per_pop = population_slots(network)
    n_max = [min(serial.max_neurons_per_pe(slots_per_pop[p], pop.spec, pop.weight_bits),
                 values.max_neurons_per_pe(network, p))
             for p, pop in enumerate(network.populations)]
    counts = {}
    while True:
        try:
            return _partition(network, slots_per_pop, n_max, local, dram, plans, delays, counts)
        except SliceTooLarge as error:
            if any(n_max[p] == 1 for p in error.populations):
                raise
            for p in error.populations:       # cutting one finer only adds sources to the others
                n_max[p] = max(1, (n_max[p] * 3) // 4)


def _partition(network, slots_per_pop, n_max, local, dram=True, plans=(), delays=None, counts=None) -> MachineGraph:
    slices, pop_slices = slice_populations(network, n_max, local, plans)
    if delays:
        delays = delay_extensions.DelayPlan(delays.stage, dict(delays.stages), list(delays.projections))
        delay_extensions.add_stage_slices(delays, slices, pop_slices, Slice)
    blocks = synaptic_blocks(network, slices, pop_slices, plans, delays, counts)
    layer_sources = {p: sorted({s for q in network.projections if q.post == p and q.size for s in pop_slices[q.pre]})
                     for p in plans}
    by_target: dict[int, list[Block]] = {}
    for b in blocks:
        by_target.setdefault(b.target, []).append(b)
    vertices, too_large = [], {}
    history = plastic.post_history(network)
    for sid, sl in enumerate(slices):
        if sl.population >= len(network.populations):
            continue                     # a delay stage: sent by its delay PE
        if sl.population in plans:
            vertices += parallel_vertices(sid, plans[sl.population].slices[sl.index], layer_sources[sl.population])
        elif sl.population not in local and sl.population not in too_large:
            try:
                vertices += vertices_for_slice(sid, sl, network, by_target.get(sid, []),
                                               slots_per_pop[sl.population], slices, local, dram, history)
            except SliceTooLarge as error:
                too_large[sl.population] = error
    if too_large:
        first = next(iter(too_large.values()))
        raise SliceTooLarge(first.population, str(first), list(too_large))
    if delays:
        vertices += delay_vertices(delays, slices, pop_slices)
    # a dominant's synaptic input buffer has one slot: the MAC array's sums for this step
    slots = np.array([1 if s.population in plans else slots_per_pop[s.population] if s.population < len(slots_per_pop)
                      else 0 for s in slices], dtype=np.int64)
    return MachineGraph(slices, blocks, vertices, slots, pop_slices, local, dict(plans), delays or None)
