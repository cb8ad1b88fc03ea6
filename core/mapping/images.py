"""Memory images: what every PE holds, built on the host and loaded before the run.

Neuron PEs hold their neurons' derived constants and initial state; every PE that receives
holds the serial paradigm's master population table (key, mask -> address-list rows), address
list (row block offset, row stride, words per synapse) and synaptic matrix (``serial.py``), and a
synaptic input buffer of ``slots x receptors x n`` integer accumulators (laid out by the synaptic
word's fields, ``serial.SLOT_WORDS``). Images are flat arrays
with per-PE offsets, as they would sit in the PEs' SRAM (or the chip's DRAM), grouped by the unit
that holds them, so the emulator can execute them directly.
"""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from ..arrays import uniform
from ..hardware import PES_PER_CHIP
from ..models import MODEL_ID
from ..models.spike_source_array import CURSOR, END
from ..network import Network
from . import plastic, serial
from .quantise import level
from .currents import CurrentImages, current_images
from .currents import pe_bytes as current_bytes
from .delays import ring_slots as delay_ring_slots
from .delays import stage_masks, stages_for
from .keys import Keys
from .parallel.images import ParallelImages, parallel_images
from .partition import MachineGraph
from .route import targets

# PE kinds. Serial: a slice's neurons (and rows), a share of its rows; parallel: a slice's
# neurons and stacked input, a share of its weight-delay map; a slice's delay stages; a slice of
# neurons driven by and sending decoded values (``values.py``)
NEURONS, SYNAPSES, DOMINANT, SUBORDINATE, DELAY, VALUES = 0, 1, 2, 3, 4, 5
KIND = {"neurons": NEURONS, "synapses": SYNAPSES, "dominant": DOMINANT, "subordinate": SUBORDINATE,
        "delay": DELAY}

PEImages = namedtuple("PEImages", [
    "kind",          # NEURONS, SYNAPSES, DOMINANT, SUBORDINATE or VALUES
    "model",         # model id (``core.models.MODEL_ID``), -1 for a PE without neurons
    "g0", "n",       # first global neuron of its slice, neurons in the slice
    "key",           # uint32 base key of the spikes the slice sends
    "sends",         # bool: its spikes have somewhere to go
    "chip",
    "mpt_start", "mpt_count",          # its range of the master population table
    "ring_start", "slots", "n_types",  # its synaptic input buffer
    "type_words",    # entries per receptor in a slot of it (``serial.TYPE_WORDS``, or n if more)
    "dram",          # bool: its synaptic rows live in DRAM
    "feed_start", "feed_count",        # neuron PE: the PEs (range of ``feeds``) whose buffers it sums
    "scale",         # float32 (n_types max): weight step per receptor, applied on reading
    "saturation",    # largest value a buffer entry holds (int32, or int64 with 32-bit weights)
])

# delay PEs (``delays.py``): a ring of spike counts (in ``ring``, ``slots`` x n), re-sent in stages
DelayImages = namedtuple("DelayImages", [
    "stages",        # int64 (V,): stages a delay PE sends (0: not a delay PE)
    "stage",         # int64 (V,): steps per stage
    "mask_start",    # int64 (V + 1,): the PE's neurons' stage masks are mask[mask_start[v]:]
    "mask",          # int64: per neuron, bit s - 1: it has synapses on stage s
    "neuron_bits",   # int64 (1,): the keys' neuron field (stage s's key is the base key + (s - 1) << it)
])

SerialImages = namedtuple("SerialImages", [
    "mpt_key", "mpt_mask", "mpt_first", "mpt_rows",    # master population table
    "al_offset", "al_stride", "al_wide",               # address list: block, row words, 2 words/synapse
    "words",                                           # every synaptic matrix, uint32
])

# spike sources a neuron PE runs itself (``local_sources.py``); PE v runs sources
# [local_start[v], local_start[v + 1]), each with its own address-list entries (its rows)
LocalImages = namedtuple("LocalImages", [
    "local_start",                      # (V + 1,) CSR over the sources
    "model", "g0", "n",                 # each source slice's model id, first global neuron, size
    "al_first", "al_count",             # its blocks in the address list
])


@dataclass
class NeuronImages:
    """Every neuron's constants and initial state, global index = population offset + index."""
    pop_offset: np.ndarray
    constants: np.ndarray
    fstate: np.ndarray
    istate: np.ndarray
    events: np.ndarray
    table: np.ndarray


@dataclass
class MemoryImages:
    pes: PEImages
    feeds: np.ndarray
    serial: SerialImages
    local: LocalImages
    parallel: ParallelImages
    neurons: NeuronImages
    ring_size: int
    bytes: list[dict]
    quantisation: list = field(default_factory=list)
    plastic: plastic.PlasticImages | None = None      # plastic rows, rules, postsynaptic history
    currents: CurrentImages | None = None
    delays: DelayImages | None = None
    values: object = None          # ``values.ValueImages``


def spike_events(network: Network, dt: float):
    """Every event-driven spike source's events (``ModelSpec.events``: SpikeSourceArray emission
    steps, inhomogeneous sources' bin starts) concatenated, their values (float32 (E, 2), zero
    where a model has none), and each global neuron's [start, end) range in them (empty for
    other models)."""
    n = sum(p.size for p in network.populations)
    start, end = np.zeros(n, np.int32), np.zeros(n, np.int32)
    steps, values, offset, used = [], [], 0, 0
    for pop in network.populations:
        if pop.spec.events is not None:
            per_neuron, per_values = pop.spec.events(pop.label, pop.schedules(), dt)
            sizes = np.array([s.size for s in per_neuron], dtype=np.int64)
            bounds = used + np.concatenate([[0], np.cumsum(sizes)])
            start[offset:offset + pop.size], end[offset:offset + pop.size] = bounds[:-1], bounds[1:]
            steps += per_neuron
            values += per_values if per_values is not None else [np.zeros((k, 2)) for k in sizes]
            used = int(bounds[-1])
        offset += pop.size
    events = np.concatenate(steps).astype(np.int32) if steps else np.zeros(0, np.int32)
    table = np.concatenate(values).astype(np.float32) if values else np.zeros((0, 2), np.float32)
    return events, table.reshape(-1, 2), start, end


def neuron_images(network: Network, dt: float) -> NeuronImages:
    """Rows as wide as the widest model in this network needs, not the widest in the registry:
    a step reads every row, so unused columns would cost memory traffic on every PE."""
    sizes = [p.size for p in network.populations]
    pop_offset = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    widths = [(p.spec.n_constants, len(p.spec.state_columns), p.spec.int_columns) for p in network.populations]
    n_constants, n_fstate, n_istate = np.max(widths, axis=0) if widths else (0, 0, 0)
    constants = np.zeros((pop_offset[-1], n_constants), dtype=np.float32)
    fstate = np.zeros((pop_offset[-1], n_fstate), dtype=np.float32)
    istate = np.zeros((pop_offset[-1], n_istate), dtype=np.int32)
    for p, pop in enumerate(network.populations):
        rows = slice(pop_offset[p], pop_offset[p + 1])
        c = pop.spec.constants(pop.parameters, dt, pop.size)
        constants[rows, :c.shape[1]] = c
        for col, name in enumerate(pop.spec.state_columns):
            if name in pop.initial_state:
                fstate[rows, col] = pop.initial_state[name]
    events, table, start, end = spike_events(network, dt)
    if istate.shape[1] > END:
        istate[:, CURSOR], istate[:, END] = start, end
    return NeuronImages(pop_offset, constants, fstate, istate, events, table)


@njit(cache=True, nogil=True)
def _fill_rows(words, pre_index, post_index, weight, scale, top, delay, receptor, slice_of_pre, lo_pre,
               slice_of_post, lo_post, layout, wide):
    """Every synapse of one projection written into its row, in one pass: its block's first word
    and row stride from the (target slice, source slice) ``layout`` (a small table, so the only
    scattered access per synapse is its row), its row from the source neuron; each row's header
    counts the synapses written after it. Weights are quantised as they are written
    (``quantise.level`` with the projection's ``scale`` and ``top`` level), so no integer copy of
    them is made. ``weight``/``delay`` hold one value when all synapses share it. Wide rows
    (32-bit weights) keep the weights in a second block of words after the synapses."""
    w_step, d_step = int(weight.size > 1), int(delay.size > 1)      # index 0 for a shared value
    for k in range(pre_index.size):
        s, t = slice_of_pre[pre_index[k]], slice_of_post[post_index[k]]
        stride = layout[t, s, 1]
        head = layout[t, s, 0] + (pre_index[k] - lo_pre[s]) * stride
        w = level(weight[k * w_step], scale, top)
        d = delay[k * d_step]
        words[head] += 1
        position = head + words[head]
        index = np.uint32(post_index[k] - lo_post[t])
        control = ((np.uint32(d) << np.uint32(serial.DELAY_SHIFT))
                   | (np.uint32(receptor) << np.uint32(serial.INDEX_BITS)) | index)
        if wide:
            words[position] = control
            words[position + (stride - 1) // 2] = np.uint32(w)
        else:
            words[position] = (np.uint32(w) << np.uint32(serial.WEIGHT_SHIFT)) | control


def _block_layout(table, block_offset, row_words):
    """(first word, row stride) of each (target slice, source slice)'s block (``table``: its
    block, -1 for none)."""
    layout = np.zeros(table.shape + (2,), dtype=np.int64)
    have = table >= 0
    layout[have, 0], layout[have, 1] = block_offset[table[have]], row_words[table[have]]
    return layout


def synaptic_matrices(network, graph, qweights, block_offset):
    """Every synapse's word at its place in its row, every row's header, one compiled pass per
    projection (no per-synapse temporaries, whatever the network's size). ``qweights``
    (``quantise.QuantisedWeights``) gives each projection's weight step."""
    words = np.zeros(int(block_offset[-1]), dtype=np.uint32)
    slice_of = [np.repeat(np.arange(len(s), dtype=np.int32), [graph.slices[k].size for k in s])
                for s in graph.pop_slices]
    lo_of = [np.array([graph.slices[k].lo for k in s], dtype=np.int64) for s in graph.pop_slices]
    row_words = np.array([b.row_words for b in graph.blocks], dtype=np.int64)
    blocks_of = {}
    for b, blk in enumerate(graph.blocks):
        blocks_of.setdefault(blk.projection, []).append(b)
    compact = (lambda a, dtype: np.ascontiguousarray(a[:1] if uniform(a) else a, dtype=dtype))
    for j, proj in enumerate(network.projections):
        if not proj.size or proj.post in graph.plans or plastic.is_plastic(proj):
            continue                            # parallel layers: weight-delay maps; plastic rows: ``plastic.py``
        if graph.delays and j in graph.delays.projections:
            _fill_extended(words, network, graph, qweights.step(j), block_offset, row_words, j)
            continue
        pre, post = graph.pop_slices[proj.pre], graph.pop_slices[proj.post]
        table = np.full((len(post), len(pre)), -1, dtype=np.int64)      # block of (target, source)
        for b in blocks_of[j]:
            table[post.index(graph.blocks[b].target), pre.index(graph.blocks[b].source)] = b
        scale, bits = qweights.step(j)
        _fill_rows(words, proj.pre_index, proj.post_index, compact(proj.weight, np.float64), scale,
                   float((1 << bits) - 1), compact(proj.delay, np.int32), proj.receptor, slice_of[proj.pre], lo_of[proj.pre],
                   slice_of[proj.post], lo_of[proj.post], _block_layout(table, block_offset, row_words),
                   serial.words_per_synapse(network.populations[proj.post].weight_bits) == 2)
    return words


def _fill_extended(words, network, graph, step, block_offset, row_words, j):
    """Rows of a projection with delay-extended synapses: a synapse of stage s (0: none) lies in
    the block of its pre slice's stage s, with the residual delay. Each stage is a copy of the pre
    population's index space, so one ``_fill_rows`` pass writes them all."""
    proj = network.projections[j]
    pre, post = graph.pop_slices[proj.pre], graph.pop_slices[proj.post]
    n_pre, n_src = network.populations[proj.pre].size, len(pre)
    lo = np.array([graph.slices[k].lo for k in pre], dtype=np.int64)
    slice_of = np.repeat(np.arange(n_src, dtype=np.int32), [graph.slices[k].size for k in pre])
    stage, delay = stages_for(np.broadcast_to(proj.delay, (proj.size,)), graph.delays.stage)
    n_stages = int(stage.max()) + 1
    ids = np.concatenate([np.asarray(pre, dtype=np.int64)[:, None], graph.delays.slices[proj.pre]], axis=1)
    table = np.full((len(post), n_stages * n_src), -1, dtype=np.int64)
    where = {(blk.target, blk.source): b for b, blk in enumerate(graph.blocks) if blk.projection == j}
    for t, target in enumerate(post):
        for st in range(n_stages):
            for k in range(n_src):
                table[t, st * n_src + k] = where.get((target, int(ids[k, st])), -1)
    post_lo = np.array([graph.slices[k].lo for k in post], dtype=np.int64)
    post_of = np.repeat(np.arange(len(post), dtype=np.int32), [graph.slices[k].size for k in post])
    scale, bits = step
    weight = proj.weight[:1] if uniform(proj.weight) else proj.weight
    _fill_rows(words, (stage * n_pre + proj.pre_index).astype(np.int64), proj.post_index,
               np.ascontiguousarray(weight, dtype=np.float64), scale, float((1 << bits) - 1),
               delay.astype(np.int32), proj.receptor,
               np.concatenate([slice_of + st * n_src for st in range(n_stages)]).astype(np.int32),
               np.concatenate([lo + st * n_pre for st in range(n_stages)]), post_of, post_lo,
               _block_layout(table, block_offset, row_words), serial.words_per_synapse(network.populations[proj.post].weight_bits) == 2)


def master_population_tables(graph: MachineGraph, keys: Keys, network: Network):
    """Per receiving PE, one entry per source slice (sorted by key, for binary search), pointing
    at the address-list rows of that source's blocks (in projection order); then the
    address-list rows of the local sources it runs. Blocks are found for all entries at once by
    sorting them by (target, source, projection), with no loop over blocks."""
    V, n_slices = len(graph.vertices), len(graph.slices)
    entry_v, entry_src, is_local = [], [], []
    for v, mv in enumerate(graph.vertices):
        serial_sources = np.array(mv.sources if mv.role in ("neurons", "synapses") else [], dtype=np.int64)
        serial_sources = serial_sources[np.argsort(keys.key[serial_sources], kind="stable")]
        local_sources = np.array(mv.local, dtype=np.int64)
        entry_src += [serial_sources, local_sources]
        entry_v.append(np.full(serial_sources.size + local_sources.size, v, dtype=np.int64))
        is_local.append(np.arange(serial_sources.size + local_sources.size) >= serial_sources.size)
    cat = (lambda parts, dtype: np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype))
    entry_v, entry_src, is_local = cat(entry_v, np.int64), cat(entry_src, np.int64), cat(is_local, bool)
    # each entry's blocks: a range of the blocks sorted by (target, source, projection, index)
    n_blocks = len(graph.blocks)
    target = np.fromiter((b.target for b in graph.blocks), dtype=np.int64, count=n_blocks)
    source = np.fromiter((b.source for b in graph.blocks), dtype=np.int64, count=n_blocks)
    projection = np.fromiter((b.projection for b in graph.blocks), dtype=np.int64, count=n_blocks)
    code = target * n_slices + source
    by_code = np.lexsort((np.arange(n_blocks), projection, code))
    vertex_slice = np.array([mv.slice for mv in graph.vertices], dtype=np.int64)
    wanted = vertex_slice[entry_v] * n_slices + entry_src
    first = np.searchsorted(code[by_code], wanted, side="left")
    count = np.searchsorted(code[by_code], wanted, side="right") - first
    al_start = np.cumsum(count) - count
    al_block = by_code[np.repeat(first - al_start, count) + np.arange(int(count.sum()))]
    # serial entries: the master population table; local ones: the local sources' address lists
    serial_entries = ~is_local
    mpt_count = np.bincount(entry_v[serial_entries], minlength=V).astype(np.int64)
    mpt_start = (np.cumsum(mpt_count) - mpt_count).astype(np.int64)
    local_v, local_src = entry_v[is_local], entry_src[is_local]
    local_start = np.concatenate([[0], np.cumsum(np.bincount(local_v, minlength=V))]).astype(np.int64)
    pop_offset = np.concatenate([[0], np.cumsum([p.size for p in network.populations])]).astype(np.int64)
    sl = [graph.slices[k] for k in local_src.tolist()]
    local = LocalImages(
        local_start=local_start,
        model=np.array([MODEL_ID[network.populations[x.population].model] for x in sl], dtype=np.int64),
        g0=np.array([pop_offset[x.population] + x.lo for x in sl], dtype=np.int64),
        n=np.array([x.size for x in sl], dtype=np.int64),
        al_first=al_start[is_local].astype(np.int64), al_count=count[is_local].astype(np.int64))
    return (keys.key[entry_src[serial_entries]].astype(np.uint32), al_start[serial_entries].astype(np.int64),
            count[serial_entries].astype(np.int64), al_block.astype(np.int64), mpt_start, mpt_count, local)


def serial_images(network, graph, keys, qweights):
    mpt_key, mpt_first, mpt_rows, al_block, mpt_start, mpt_count, local = \
        master_population_tables(graph, keys, network)
    block_words = np.array([0 if b.header_words else b.words for b in graph.blocks], dtype=np.int64)
    block_offset = np.zeros(len(graph.blocks) + 1, dtype=np.int64)
    block_offset[al_block] = np.concatenate([[0], np.cumsum(block_words[al_block])[:-1]])
    block_offset[-1] = block_words.sum()
    blocks = [graph.blocks[b] for b in al_block]
    images = SerialImages(
        mpt_key=mpt_key, mpt_mask=np.full(len(mpt_key), keys.mask, dtype=np.uint32),
        mpt_first=mpt_first, mpt_rows=mpt_rows, al_offset=block_offset[al_block],
        al_stride=np.array([b.row_words for b in blocks], dtype=np.int64),
        al_wide=np.array([b.words_per_synapse == 2 for b in blocks], dtype=np.bool_),
        words=synaptic_matrices(network, graph, qweights, block_offset))
    return images, mpt_start, mpt_count, local, al_block


def delay_images(network: Network, graph: MachineGraph, neuron_bits: int) -> DelayImages:
    V = len(graph.vertices)
    stages, stage, mask_start, mask = np.zeros(V, np.int64), np.zeros(V, np.int64), np.zeros(V + 1, np.int64), []
    masks = stage_masks(network, graph) if graph.delays else {}
    for v, mv in enumerate(graph.vertices):
        if mv.role == "delay":
            stages[v], stage[v] = len(mv.sends), graph.delays.stage
            mask.append(masks[mv.sources[0]])
        mask_start[v + 1] = mask_start[v] + (mask[-1].size if mv.role == "delay" else 0)
    return DelayImages(stages, stage, mask_start, np.concatenate(mask) if mask else np.zeros(0, np.int64),
                       np.array([neuron_bits], dtype=np.int64))


def type_words(n):
    """Entries per receptor in a slot of each PE's input buffer: ``serial.TYPE_WORDS``, or ``n``
    on a parallel-paradigm PE holding more neurons than a synaptic word indexes (its one slot
    takes only the MAC array's sums)."""
    return np.maximum(n, serial.TYPE_WORDS)


def ring_lengths(n, slots, type_words, delay_pe):
    """Entries of each PE's ring in the emulator: a delay PE's ``slots x n`` spike counts, an input
    buffer's ``slots x serial.BUFFER_TYPES x type_words``."""
    return np.where(delay_pe, n * slots, slots * serial.BUFFER_TYPES * type_words)


def build_images(network: Network, graph: MachineGraph, placement: np.ndarray, keys: Keys, quantised,
                 layers, value_plan=None) -> MemoryImages:
    """``quantised`` is ``quantise.quantise``'s result; ``layers`` the parallel populations' layers."""
    scales, qweights, quant = quantised
    neurons = neuron_images(network, network.timestep)
    serial_image, mpt_start, mpt_count, local, al_block = serial_images(network, graph, keys, qweights)
    plastic_image, plastic_offset = plastic.plastic_images(network, graph, al_block, qweights, scales,
                                                           neurons.pop_offset)
    serial_image = serial_image._replace(
        al_offset=np.where(plastic_image.arrays.al_rule >= 0, plastic_offset, serial_image.al_offset))

    V = len(graph.vertices)
    delay_pe = np.array([mv.role == "delay" for mv in graph.vertices], dtype=np.bool_)
    home = [graph.slices[mv.sources[0] if mv.role == "delay" else mv.slice] for mv in graph.vertices]
    pop_of = np.array([sl.population for sl in home], dtype=np.int64)
    holds = np.array([mv.holds_neurons for mv in graph.vertices])
    n = np.array([graph.slices[mv.slice].size for mv in graph.vertices], dtype=np.int64)
    n_types = np.where(delay_pe, 1, [len(network.populations[p].receptors) for p in pop_of]).astype(np.int64)
    delay_image = delay_images(network, graph, keys.neuron_bits)
    slots = np.where((mpt_count > 0) | holds, graph.slots[[mv.slice for mv in graph.vertices]], 0)
    slots = np.where(delay_pe, [delay_ring_slots(delay_image.stages[v], delay_image.stage[v]) for v in range(V)],
                     slots)
    buffer_words = type_words(n)
    ring_len = ring_lengths(n, slots, buffer_words, delay_pe)
    feeds = {}
    for v, mv in enumerate(graph.vertices):
        if slots[v] > 0 and not delay_pe[v]:
            feeds.setdefault(mv.slice, []).append(v)
    feed_list, feed_start, feed_count = [], np.zeros(V, np.int64), np.zeros(V, np.int64)
    for v, mv in enumerate(graph.vertices):
        if mv.holds_neurons:
            feed_start[v], feed_count[v] = len(feed_list), len(feeds.get(mv.slice, []))
            feed_list += feeds.get(mv.slice, [])
    sends_to = targets(graph, placement)
    bits = np.array([network.populations[p].weight_bits for p in pop_of])
    scale = np.ones((V, scales.shape[1]), dtype=np.float32)
    scale[:] = scales[pop_of]
    kind = np.array([KIND[mv.role] for mv in graph.vertices], dtype=np.int64)
    sends = np.array([(mv.holds_neurons and mv.slice in sends_to) or any(x in sends_to for x in mv.sends)
                      for mv in graph.vertices], dtype=np.bool_)
    if value_plan is not None:
        valued = holds & value_plan.is_value[pop_of]
        kind[valued] = VALUES
        sends |= value_plan.packets_per_step > 0
    pes = PEImages(
        kind=kind,
        model=np.where(holds, [MODEL_ID[network.populations[p].model] for p in pop_of], -1).astype(np.int64),
        g0=np.array([neurons.pop_offset[p] + sl.lo for p, sl in zip(pop_of, home)], dtype=np.int64),
        n=n, key=keys.key[[mv.slice for mv in graph.vertices]].astype(np.uint32),
        sends=sends,
        chip=(placement // PES_PER_CHIP).astype(np.int64), mpt_start=mpt_start, mpt_count=mpt_count,
        ring_start=np.concatenate([[0], np.cumsum(ring_len)[:-1]]).astype(np.int64),
        slots=slots.astype(np.int64), n_types=n_types, type_words=buffer_words,
        dram=np.array([mv.dram for mv in graph.vertices], dtype=np.bool_),
        feed_start=feed_start, feed_count=feed_count, scale=scale,
        saturation=np.where(bits > 16, np.iinfo(np.int64).max, np.iinfo(np.int32).max).astype(np.int64))
    currents = current_images(network, neurons.pop_offset)
    costs = [dict(mv.bytes) for mv in graph.vertices]
    for v in np.flatnonzero(holds):
        cost = current_bytes(currents.inj_start, currents.inj_source, currents.step_start, pes.g0[v], pes.n[v])
        if cost:
            costs[v]["current sources"] = cost
            if sum(costs[v].values()) > serial.DATA_SRAM_BYTES:
                p = pop_of[v]
                raise ValueError(f"population {network.populations[p].label!r}: with its current sources a PE "
                                 f"needs {sum(costs[v].values())} bytes of SRAM, more than the "
                                 f"{serial.DATA_SRAM_BYTES} bytes of data SRAM; inject fewer sources per neuron")
    return MemoryImages(pes=pes, feeds=np.array(feed_list, dtype=np.int64), serial=serial_image, local=local,
                        parallel=parallel_images(graph, placement, keys, layers),
                        neurons=neurons, ring_size=int(ring_len.sum()),
                        bytes=costs, quantisation=quant, currents=currents, delays=delay_image,
                        plastic=plastic_image,
                        values=None if value_plan is None else value_plan.images)
