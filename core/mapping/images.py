"""Memory images: what every PE holds, built on the host and loaded before the run.

Neuron PEs hold their neurons' derived constants and initial state; every PE that receives
holds the serial paradigm's master population table (key, mask -> address-list rows), address
list (row block offset, row length, weight scale) and synaptic matrix (``serial.py``), and a
synaptic input buffer of ``slots x 2 x n`` float32 accumulators. Images are laid out as flat
arrays with per-PE offsets, as they would sit in the PEs' SRAM (or the chip's DRAM), so the
emulator can execute them directly.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from ..models.spec import N_FSTATE, N_ISTATE
from ..models.spike_source_array import CURSOR, END, event_steps
from ..network import Network
from . import serial
from .keys import Keys
from .partition import MachineGraph
from .route import targets


@dataclass
class Quantisation:
    """Per projection: the weight step, the largest rounding error and how many non-zero
    weights became zero."""
    projection: str
    scale: float
    max_error: float
    relative_error: float
    zeroed: int


@dataclass
class MemoryImages:
    # per machine vertex (one PE each)
    pe: np.ndarray
    kernel: np.ndarray            # model kernel id, -1 for a PE that holds only synapses
    g0: np.ndarray                # first global neuron of its slice
    n: np.ndarray                 # neurons in its slice
    key: np.ndarray               # uint32 base key of the spikes it sends
    sends: np.ndarray             # bool: its spikes have somewhere to go
    mpt_start: np.ndarray
    mpt_count: np.ndarray
    ring_start: np.ndarray
    slots: np.ndarray
    feed_start: np.ndarray        # neuron PE: range in ``feeds`` of the PEs whose input buffers it sums
    feed_count: np.ndarray
    feeds: np.ndarray
    dram: np.ndarray
    bytes: list[dict]
    # master population table and address list
    mpt_key: np.ndarray
    mpt_mask: np.ndarray
    mpt_first: np.ndarray
    mpt_rows: np.ndarray
    al_offset: np.ndarray         # absolute word index of the block
    al_row_length: np.ndarray
    al_scale: np.ndarray          # index into ``scales``
    words: np.ndarray             # every synaptic matrix, uint32
    scales: np.ndarray            # float32 weight step per projection
    ring_size: int
    # neurons, global index = population offset + neuron index
    pop_offset: np.ndarray
    constants: np.ndarray
    fstate: np.ndarray
    istate: np.ndarray
    events: np.ndarray
    quantisation: list[Quantisation] = field(default_factory=list)


def quantise(network: Network) -> tuple[np.ndarray, list[np.ndarray], list[Quantisation]]:
    """16-bit weights with one step per projection: the largest weight maps to 65535."""
    scales, qweights, report = [], [], []
    for proj in network.projections:
        wmax = float(proj.weight.max()) if proj.size else 0.0
        scale = np.float32(wmax / serial.MAX_WEIGHT if wmax > 0 else 1.0)
        q = np.rint(proj.weight / scale).astype(np.int64)
        err = np.abs(proj.weight - q * float(scale))
        zeroed = int(np.count_nonzero((proj.weight > 0) & (q == 0)))
        if zeroed:
            warnings.warn(f"projection {proj.label!r}: {zeroed} of {proj.size} non-zero weights quantise to "
                          f"zero (16-bit weights, step {float(scale):.3g} set by the largest weight {wmax:.3g}); "
                          "they stay as zero-weight synapses. Put very different weights in separate projections.",
                          stacklevel=3)
        scales.append(scale)
        qweights.append(q)
        report.append(Quantisation(proj.label, float(scale), float(err.max()) if proj.size else 0.0,
                                   float(err.max() / wmax) if wmax > 0 else 0.0, zeroed))
    return np.array(scales, dtype=np.float32), qweights, report


def spike_events(network: Network, dt: float):
    """Every SpikeSourceArray neuron's emission steps, concatenated, and each global neuron's
    [start, end) range in them (empty for other models)."""
    n = sum(p.size for p in network.populations)
    start, end = np.zeros(n, np.int32), np.zeros(n, np.int32)
    chunks, offset, used = [], 0, 0
    for pop in network.populations:
        if pop.spike_times is not None:
            steps, s, e = event_steps(pop.label, pop.spike_times, dt)
            start[offset:offset + pop.size], end[offset:offset + pop.size] = s + used, e + used
            chunks.append(steps)
            used += steps.size
        offset += pop.size
    return (np.concatenate(chunks) if chunks else np.zeros(0, np.int32)).astype(np.int32), start, end


def neuron_state(network: Network, dt: float):
    sizes = [p.size for p in network.populations]
    pop_offset = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    width = max([p.spec.n_constants for p in network.populations] + [1])
    constants = np.zeros((pop_offset[-1], width), dtype=np.float32)
    fstate = np.zeros((pop_offset[-1], N_FSTATE), dtype=np.float32)
    istate = np.zeros((pop_offset[-1], N_ISTATE), dtype=np.int32)
    for p, pop in enumerate(network.populations):
        rows = slice(pop_offset[p], pop_offset[p + 1])
        c = pop.spec.constants(pop.parameters, dt, pop.size)
        constants[rows, :c.shape[1]] = c
        for col, name in enumerate(pop.spec.state_columns):
            if name in pop.initial_state:
                fstate[rows, col] = pop.initial_state[name]
    events, istate[:, CURSOR], istate[:, END] = spike_events(network, dt)
    return pop_offset, constants, fstate, istate, events


@njit(cache=True)
def _fill_rows(words, row_start, packed):
    """Each row's header counts its synapses as they are written after it: one pass, no sort."""
    for k in range(row_start.size):
        head = row_start[k]
        words[head] += 1
        words[head + words[head]] = packed[k]


def synaptic_matrices(network, graph, qweights, block_offset):
    """Every synapse's word at its place in its row, every row's header."""
    words = np.zeros(int(block_offset[-1]), dtype=np.uint32)
    slice_of = [np.repeat(np.arange(len(s)), [graph.slices[k].size for k in s]) for s in graph.pop_slices]
    lo_of = [np.array([graph.slices[k].lo for k in s]) for s in graph.pop_slices]
    row_length = np.array([b.row_length for b in graph.blocks], dtype=np.int64)
    for j, proj in enumerate(network.projections):
        if not proj.size:
            continue
        pre, post = graph.pop_slices[proj.pre], graph.pop_slices[proj.post]
        table = np.full((len(post), len(pre)), -1, dtype=np.int64)      # block of (target, source)
        for b, blk in enumerate(graph.blocks):
            if blk.projection == j:
                table[post.index(blk.target), pre.index(blk.source)] = b
        s_local, t_local = slice_of[proj.pre][proj.pre_index], slice_of[proj.post][proj.post_index]
        block = table[t_local, s_local]
        row = proj.pre_index - lo_of[proj.pre][s_local]
        row_start = block_offset[block] + row * (1 + row_length[block])
        index = proj.post_index - lo_of[proj.post][t_local]
        packed = serial.pack_words(qweights[j], proj.delay, np.full(proj.size, proj.receptor), index)
        _fill_rows(words, row_start, packed)
    return words


def build_images(network: Network, graph: MachineGraph, placement: np.ndarray, keys: Keys) -> MemoryImages:
    dt = network.timestep
    scales, qweights, quant = quantise(network)
    pop_offset, constants, fstate, istate, events = neuron_state(network, dt)
    by_target = {}
    for b, blk in enumerate(graph.blocks):
        by_target.setdefault((blk.target, blk.source), []).append(b)
    V = len(graph.vertices)
    mpt_key, mpt_first, mpt_rows, al_block = [], [], [], []
    mpt_start, mpt_count = np.zeros(V, np.int64), np.zeros(V, np.int64)
    for v, mv in enumerate(graph.vertices):
        mpt_start[v] = len(mpt_key)
        for src in sorted(mv.sources):
            blocks = sorted(by_target[(mv.slice, src)], key=lambda b: graph.blocks[b].projection)
            mpt_key.append(int(keys.key[src]))
            mpt_first.append(len(al_block))
            mpt_rows.append(len(blocks))
            al_block += blocks
        mpt_count[v] = len(mpt_key) - mpt_start[v]
    al_block = np.array(al_block, dtype=np.int64)
    block_words = np.array([b.words for b in graph.blocks], dtype=np.int64)
    block_offset = np.zeros(len(graph.blocks) + 1, dtype=np.int64)
    block_offset[al_block] = np.concatenate([[0], np.cumsum(block_words[al_block])[:-1]])
    block_offset[-1] = block_words.sum()
    words = synaptic_matrices(network, graph, qweights, block_offset)

    slices = graph.slices
    n = np.array([slices[mv.slice].size for mv in graph.vertices], dtype=np.int64)
    receives = mpt_count > 0
    slots = np.where(receives | np.array([mv.holds_neurons for mv in graph.vertices]),
                     graph.slots[[mv.slice for mv in graph.vertices]], 0)
    ring_len = n * slots * serial.N_SYNAPSE_TYPES
    ring_start = np.concatenate([[0], np.cumsum(ring_len)[:-1]]).astype(np.int64)
    feeds = {}
    for v, mv in enumerate(graph.vertices):
        feeds.setdefault(mv.slice, []).append(v)
    feed_list, feed_start, feed_count = [], np.zeros(V, np.int64), np.zeros(V, np.int64)
    for v, mv in enumerate(graph.vertices):
        if mv.holds_neurons:
            feed_start[v] = len(feed_list)
            mine = [f for f in feeds[mv.slice] if slots[f] > 0]
            feed_list += mine
            feed_count[v] = len(mine)
    sends_to = targets(graph, placement)
    key_of = keys.key[[mv.slice for mv in graph.vertices]]
    kernel = np.array([network.populations[slices[mv.slice].population].spec.kernel if mv.holds_neurons else -1
                       for mv in graph.vertices], dtype=np.int64)
    g0 = np.array([pop_offset[slices[mv.slice].population] + slices[mv.slice].lo for mv in graph.vertices])
    rows = np.array([graph.blocks[b].row_length for b in al_block], dtype=np.int64)
    return MemoryImages(
        pe=placement.astype(np.int64), kernel=kernel, g0=g0.astype(np.int64), n=n, key=key_of.astype(np.uint32),
        sends=np.array([mv.holds_neurons and mv.slice in sends_to for mv in graph.vertices]),
        mpt_start=mpt_start, mpt_count=mpt_count, ring_start=ring_start, slots=slots.astype(np.int64),
        feed_start=feed_start, feed_count=feed_count, feeds=np.array(feed_list, dtype=np.int64),
        dram=np.array([mv.dram for mv in graph.vertices]), bytes=[mv.bytes for mv in graph.vertices],
        mpt_key=np.array(mpt_key, dtype=np.uint32),
        mpt_mask=np.full(len(mpt_key), keys.mask, dtype=np.uint32),
        mpt_first=np.array(mpt_first, dtype=np.int64), mpt_rows=np.array(mpt_rows, dtype=np.int64),
        al_offset=block_offset[al_block], al_row_length=rows,
        al_scale=np.array([graph.blocks[b].projection for b in al_block], dtype=np.int64),
        words=words, scales=scales, ring_size=int(ring_len.sum()),
        pop_offset=pop_offset, constants=constants, fstate=fstate, istate=istate, events=events,
        quantisation=quant)

