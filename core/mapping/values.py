"""Value projections on the machine: decoded values carried by multicast packets with a payload.

A value projection (``core.network.ValueProjection``) sends ``matrix @ output(pre)`` every step.
Its matrix is cut by pre slice (columns) and by *row groups*; each (pre slice, row group) is a
*value block*: the sending PE holds those columns of those rows and, after its neurons' update,
sends one packet per row whose 32-bit payload is its partial sum (float32 bits; the Cortex-M4F
computes in float32). A block has its own key, ``1 | block | row`` (bit 31 set, so value keys
never meet the zoned spike keys ``population | slice | neuron`` of ``keys.py``), and its own
multicast route, built into the same routing tables as the spikes'.

Row groups follow what the receivers need: rows that go through the post population's encoders
(or into a learning rule) are needed by every post slice, so each group of up to 256 rows is
multicast to all of them; rows aimed at single post neurons go, slice by slice, only to the PE
holding those neurons. Rows that are zero in a fixed matrix are neither sent nor filtered beyond
the first and last nonzero row (``row_span``). A receiving PE has one *input* per filter and
target: value projections arriving through the same filter add into one accumulator and are
filtered once (filters are linear), each learning signal has its own. Its key table (sorted,
binary-searched once per key range) maps a block to (input, first row); the partial sums of the
pre slices add into the input's accumulator in the fixed order the packets are delivered in, so
the result does not depend on threads. At the end of the step the PE filters each input and
turns the filtered values into input current for the next step (``runtime/values.py``).

Learning rules live with what they change: a learned matrix's rule on its sending PEs, one
per block; an encoder rule (``EncoderLearning``) on each PE of the population, over its own
neurons' encoders, which are then state rather than constants.

Byte costs per PE are counted item by item (``value_bytes``) and enter the partition: a slice
of a population with many encoder dimensions or decoded outputs holds fewer neurons.
"""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

import numpy as np

from ..hardware import DATA_SRAM_BYTES
from ..network import Network
from . import serial
from .serial import OS_BYTES

VALUE_FLAG = 1 << 31
ROW_BITS = 8
ROWS_PER_GROUP = 1 << ROW_BITS
VALUE_MASK = 0xFFFFFFFF & ~(ROWS_PER_GROUP - 1)
MAX_BLOCKS = 1 << (31 - ROW_BITS)
ENCODERS, NEURONS, LEARNING = range(3)
TARGET_ID = {"encoders": ENCODERS, "neurons": NEURONS, "learning": LEARNING}
RELAY, PLAYBACK = "ValueRelay", "ValuePlayback"

ValueImages = namedtuple("ValueImages", [
    # per PE (machine vertex)
    "blk_start", "blk_count",          # its value blocks (sending)
    "in_start", "in_count",            # its inputs (receiving)
    "vkey_start", "vkey_count",        # its key table
    "enc_start", "dims",               # encoders (n x dims, -1: identity), dimensions
    "x_start",                         # its summed encoder input (dims)
    "playback", "play_unit",           # plays back host-written values from column play_unit
    "settles",                         # output = input, recorded when its input has arrived
    "relay_lo",                        # a relay PE's first unit in its population's input
    "enc_learn",                       # the learning rule of its encoders (-1: fixed)
    # per block
    "blk_key", "blk_rows", "blk_mat", "blk_learn",
    "blk_projection", "blk_row0", "blk_col0",    # where the block sits in its projection's matrix
    "blk_first", "step_packets",       # a block's first packet among its PE's packets of a step; their number
    # per input
    "in_rows", "in_row0", "in_acc", "in_target", "in_filter", "in_order", "in_state", "in_rule",
    # key tables
    "vkey_key", "vkey_input", "vkey_row0",
    # constants (``enc`` changes under encoder learning)
    "enc", "fco",
    # learning rules (one per learning block, and one per PE whose encoders learn)
    "learn_kind", "learn_rate", "learn_input", "learn_filter", "learn_order",
    "learn_state", "learn_row0", "learn_post", "learn_theta", "learn_beta", "learn_scale", "lscale",
    # state, fresh on reset
    "mat", "acc", "y", "filt", "x", "cur", "lstate", "play", "play_t0",
])


@dataclass
class ValuePlan:
    """What the value projections need from the rest of the pipeline: PE kinds, routes, images."""
    is_value: np.ndarray        # per population: its PEs run the value kind
    routes: list                # (key, mask, source vertex, [destination vertices])
    images: ValueImages
    packets_per_step: np.ndarray  # per vertex: value packets it sends each step
    bytes: list                 # per vertex: SRAM bytes per item
    dram_bytes: np.ndarray      # per vertex: DRAM bytes (playback tables)
    projection_blocks: list     # per value projection: its number of blocks


def value_populations(network: Network) -> np.ndarray:
    out = np.array([p.encoders is not None or p.model in (RELAY, PLAYBACK) for p in network.populations],
                   dtype=bool)
    for p in network.value_projections:
        out[p.pre] = out[p.post] = True
    return out


def _filter_words(order):
    return order * order + 2 * order + 1


def input_bytes(rows, order):
    """One input: key-table entries (key, input, row: 12 B per 256 rows), accumulator, filtered
    output, filter state (rows x order) and coefficients (A, B, C, D)."""
    return 12 * -(-rows // ROWS_PER_GROUP) + 4 * rows * (2 + order) + 4 * _filter_words(order)


def max_neurons_per_pe(network: Network, p: int) -> int:
    """Neurons of population ``p`` one PE can hold beside its value data: encoders and decoding
    matrices grow with the slice, inputs do not (but ``neurons`` inputs, one row per neuron, do)."""
    pop = network.populations[p]
    if not value_populations(network)[p]:
        return 255
    per_neuron = 4 * (pop.encoders.shape[1] if pop.encoders is not None and pop.model != RELAY else 0)
    fixed = 0
    for q in network.value_projections:
        if q.pre == p:
            per_neuron += 4 * q.rows
        if q.post == p:
            if q.target == "neurons":
                per_neuron += 4 * (2 + q.filter.order)
                fixed += 4 * _filter_words(q.filter.order) + 12
            else:
                fixed += input_bytes(q.rows, q.filter.order)

        if q.learning is not None and q.pre == p:
            per_neuron += 4 * (1 + q.learning.pre_filter.order)
    if pop.encoder_learning is not None:     # filtered output, its filter state, the scale
        per_neuron += 4 * (2 + pop.encoder_learning.post_filter.order)
    per_neuron += 4 * 2                       # input current, output
    per_neuron += sum(serial.pe_bytes(n_neurons=1, neuron_words=serial.neuron_words(pop.spec)).values()) - OS_BYTES
    room = DATA_SRAM_BYTES - OS_BYTES - 4096 - fixed
    if room < per_neuron:
        raise ValueError(f"population {pop.label!r}: its value inputs alone need {fixed} bytes of a PE's "
                         f"{DATA_SRAM_BYTES} bytes of data SRAM; split the inputs over more populations "
                         "or reduce their dimensions")
    return int(max(1, min(255, room // per_neuron)))


def row_span(q) -> tuple[int, int]:
    """The rows [lo, hi) of value projection ``q`` that can carry a value: all of them for a
    learned matrix or a learning signal, else those between its first and last nonzero row. A
    projection into a slice of a larger input (e.g. one ensemble of an array into the array's
    output) then sends and filters only its own rows, not the whole input's zeros."""
    if q.learning is not None or q.target == "learning":
        return 0, q.rows
    nonzero = np.flatnonzero(np.any(q.matrix != 0, axis=1))
    return (int(nonzero[0]), int(nonzero[-1]) + 1) if nonzero.size else (0, 0)


def plan_values(network: Network, graph, placement) -> ValuePlan:
    V = len(graph.vertices)
    is_value = value_populations(network)
    nv = np.full(len(graph.slices), -1, dtype=np.int64)        # slice -> vertex holding its neurons
    for v, mv in enumerate(graph.vertices):
        if mv.holds_neurons:
            nv[mv.slice] = v
    lo = np.array([s.lo for s in graph.slices], dtype=np.int64)
    size = np.array([s.size for s in graph.slices], dtype=np.int64)
    # a delay PE belongs to its source slice's population (its own slices are the stages it sends)
    pop_of = np.array([graph.slices[mv.sources[0] if mv.role == "delay" else mv.slice].population
                       for mv in graph.vertices], dtype=np.int64)

    # learning rules: index per learned projection
    learned = [j for j, q in enumerate(network.value_projections) if q.learning is not None]

    # inputs: per receiving vertex, one per filter and target. Projections reaching a PE through
    # the same filter share an input, summed before it is filtered (filters are linear; nengo,
    # too, filters a node's summed input once), over the union of the rows that can carry a
    # value; a learning signal keeps its own.
    vp = network.value_projections
    spans = [row_span(q) for q in vp]
    shared: dict[int, dict] = {v: {} for v in range(V)}      # vertex -> input -> [projections, lo, hi]
    for j, q in enumerate(vp):
        for t in graph.pop_slices[q.post]:
            v = int(nv[t])
            lo_row, hi_row = (0, int(size[t])) if q.target == "neurons" else spans[j]
            f = q.filter
            which = ("learning", j) if q.target == "learning" else (
                q.target, f.A.tobytes(), f.B.tobytes(), f.C.tobytes(), f.D)
            entry = shared[v].setdefault(which, [[], None, None])
            entry[0].append(j)
            if hi_row > lo_row:
                entry[1] = lo_row if entry[1] is None else min(entry[1], lo_row)
                entry[2] = hi_row if entry[2] is None else max(entry[2], hi_row)
    # a learning rule's inputs of one signal sit side by side: the rule sums them (e.g. an error
    # made of the post's output and a node's target, arriving as two projections)
    inputs: dict[int, list] = {}          # vertex -> [(first projection, rows, first row)]
    input_of: dict[tuple[int, int], int] = {}
    for v in range(V):
        entries = sorted(shared[v].values(), key=lambda e: (vp[e[0][0]].target == "learning", vp[e[0][0]].rule,
                                                            vp[e[0][0]].signal, e[0][0]))
        inputs[v] = [(js[0], (hi - lo) if lo is not None else 0, lo or 0) for js, lo, hi in entries]
        for c, (js, _, _) in enumerate(entries):
            for j in js:
                input_of[(v, j)] = c

    # blocks: (pre slice, row group) per projection
    blocks, routes, projection_blocks = [], [], []
    vkeys: dict[int, list] = {v: [] for v in range(V)}
    for j, q in enumerate(network.value_projections):
        if q.target == "neurons":
            groups = [(int(lo[t]), int(lo[t] + size[t]), [int(nv[t])], int(lo[t])) for t in graph.pop_slices[q.post]]
        else:
            dests = [int(nv[t]) for t in graph.pop_slices[q.post]]
            lo_row, hi_row = spans[j]
            groups = [(r0, min(hi_row, r0 + ROWS_PER_GROUP), dests, None)
                      for r0 in range(lo_row, hi_row, ROWS_PER_GROUP)]
        count = 0
        for s in graph.pop_slices[q.pre]:
            for r0, r1, dests, base in groups:
                b = len(blocks)
                if b >= MAX_BLOCKS:
                    raise ValueError(f"the value projections need more than {MAX_BLOCKS} value blocks, more "
                                     "than 32-bit keys can tell apart; use fewer, larger populations")
                key = VALUE_FLAG | (b << ROW_BITS)
                blocks.append((int(nv[s]), j, r0, r1, int(lo[s]), int(size[s])))
                routes.append((key, VALUE_MASK, int(nv[s]), dests))
                for d in dests:
                    c = input_of[(d, j)]
                    vkeys[d].append((key, c, r0 - (inputs[d][c][2] if base is None else base)))
                count += 1
        projection_blocks.append(count)

    # per-vertex layout
    blk_by_vertex: dict[int, list[int]] = {}
    for b, blk in enumerate(blocks):
        blk_by_vertex.setdefault(blk[0], []).append(b)
    order = [b for v in range(V) for b in blk_by_vertex.get(v, [])]
    blk_start = np.zeros(V, np.int64)
    blk_count = np.array([len(blk_by_vertex.get(v, [])) for v in range(V)], np.int64)
    blk_start[1:] = np.cumsum(blk_count)[:-1]

    mats, mat_off = [], 0
    blk_key, blk_rows, blk_mat, blk_learn = [], [], [], []
    blk_projection, blk_row0, blk_col0 = [], [], []
    learn_rows = []          # (learning block, projection, vertex, r0)
    for b in order:
        v, j, r0, r1, c0, n = blocks[b]
        q = network.value_projections[j]
        m = q.matrix[r0:r1, c0:c0 + n]
        mats.append(np.ascontiguousarray(m.T, dtype=np.float32).ravel())       # neuron-major
        blk_key.append(VALUE_FLAG | (b << ROW_BITS))
        blk_rows.append(r1 - r0)
        blk_mat.append(mat_off)
        blk_projection.append(j)
        blk_row0.append(r0)
        blk_col0.append(c0)
        mat_off += m.size
        if q.learning is not None:
            blk_learn.append(len(learn_rows))
            learn_rows.append((j, v, r0))
        else:
            blk_learn.append(-1)

    # inputs and filters
    in_start, in_count = np.zeros(V, np.int64), np.zeros(V, np.int64)
    in_rows, in_row0, in_acc, in_target, in_filter, in_order, in_state, in_rule = ([] for _ in range(8))
    fco, acc_off, state_off = [], 0, 0

    def add_filter(f):
        off = len(fco)
        fco.extend(np.concatenate([f.A.ravel(), f.B, f.C, [f.D]]).tolist())
        return off, f.order

    for v in range(V):
        in_start[v] = len(in_rows)
        in_count[v] = len(inputs[v])
        for j, rows, row0 in inputs[v]:
            q = network.value_projections[j]
            off, k = add_filter(q.filter)
            in_rows.append(rows)
            in_row0.append(row0)
            in_acc.append(acc_off)
            in_target.append(TARGET_ID[q.target])
            in_filter.append(off)
            in_order.append(k)
            in_state.append(state_off)
            in_rule.append(q.rule)
            acc_off += rows
            state_off += rows * k

    # key tables, sorted by key
    vkey_start, vkey_count = np.zeros(V, np.int64), np.zeros(V, np.int64)
    vkey_key, vkey_input, vkey_row0 = [], [], []
    for v in range(V):
        entries = sorted(vkeys[v])
        vkey_start[v], vkey_count[v] = len(vkey_key), len(entries)
        for key, c, r0 in entries:
            vkey_key.append(key)
            vkey_input.append(in_start[v] + c)
            vkey_row0.append(r0)

    # encoders, playback, relays
    enc, enc_start = [], np.full(V, -1, np.int64)
    dims, x_start = np.zeros(V, np.int64), np.zeros(V, np.int64)
    playback, play_unit, settles = np.zeros(V, np.bool_), np.zeros(V, np.int64), np.zeros(V, np.bool_)
    relay_lo = np.zeros(V, np.int64)
    x_off, units = 0, 0
    for v, mv in enumerate(graph.vertices):
        pop = network.populations[pop_of[v]]
        sl = graph.slices[mv.slice]
        if not (mv.holds_neurons and is_value[pop_of[v]]):
            continue
        if pop.model == RELAY:
            dims[v] = pop.size
            relay_lo[v] = sl.lo
            settles[v] = True
        elif pop.encoders is not None:
            e = pop.encoders[sl.lo:sl.hi]
            enc_start[v] = len(enc)
            enc.extend(np.asarray(e, dtype=np.float32).ravel().tolist())
            dims[v] = e.shape[1]
        x_start[v] = x_off
        x_off += dims[v]
        if pop.model == PLAYBACK:
            playback[v] = True
            play_unit[v] = units
            units += sl.size

    # learning rules: per learning block, the error input on its vertex and a pre-activity filter;
    # per PE whose encoders learn, its modulation input and a post-activity filter
    lk, lr, li, lf, lo_, ls, l0, lp, lt, lb, lsc, lscale = ([] for _ in range(12))
    lstate = 0

    def signal_input(v, j, name):
        found = [c for c, (jj, _, _) in enumerate(inputs[v]) if network.value_projections[jj].target == "learning"
                 and network.value_projections[jj].rule == j and network.value_projections[jj].signal == name]
        return in_start[v] + found[0] if found else -1

    for pos, b in enumerate(order):
        if blk_learn[pos] < 0:
            continue
        v, j, r0, r1, c0, n = blocks[b]
        rule = network.value_projections[j].learning
        scale = np.ones(r1 - r0) if rule.row_scale is None else np.asarray(rule.row_scale, float)[r0:r1]
        lsc.append(len(lscale))
        lscale.extend(scale.tolist())
    enc_learn = np.full(V, -1, np.int64)
    for v, mv in enumerate(graph.vertices):      # encoder learning: a rule per PE, on its own neurons
        rule = network.populations[pop_of[v]].encoder_learning
        if enc_start[v] >= 0 and rule is not None:
            sl = graph.slices[mv.slice]
            enc_learn[v] = len(learn_rows)
            lsc.append(len(lscale))
            lscale.extend(rule.scale[sl.lo:sl.hi].tolist())
            learn_rows.append((-1, v, 0))
    for j, v, r0 in learn_rows:
        rule = network.value_projections[j].learning if j >= 0 else \
            network.populations[pop_of[v]].encoder_learning
        off, k = add_filter(rule.pre_filter if j >= 0 else rule.post_filter)
        lk.append(rule.kind_id)
        lr.append(rule.rate)
        lb.append(getattr(rule, "beta", 0.0))
        li.append(signal_input(v, j, "error" if j >= 0 else "modulation"))
        lp.append(signal_input(v, j, "post"))
        lt.append(signal_input(v, j, "theta"))
        lf.append(off)
        lo_.append(k)
        ls.append(lstate)
        l0.append(r0)
        lstate += graph.slices[graph.vertices[v].slice].size * (k + 1)

    mat = np.concatenate(mats).astype(np.float32) if mats else np.zeros(0, np.float32)
    i64 = lambda a: np.asarray(a, dtype=np.int64)
    rows = i64(blk_rows)
    owner = np.repeat(np.arange(V), blk_count)
    before = np.cumsum(rows) - rows
    images = ValueImages(
        blk_first=before - before[blk_start[owner]] if rows.size else rows,
        step_packets=np.bincount(owner, weights=rows, minlength=V).astype(np.int64),
        blk_start=blk_start, blk_count=blk_count, in_start=in_start, in_count=in_count,
        vkey_start=vkey_start, vkey_count=vkey_count, enc_start=enc_start, dims=dims, x_start=x_start,
        playback=playback, play_unit=play_unit, settles=settles, relay_lo=relay_lo, enc_learn=enc_learn,
        blk_key=np.asarray(blk_key, dtype=np.uint32), blk_rows=rows, blk_mat=i64(blk_mat),
        blk_learn=i64(blk_learn), blk_projection=i64(blk_projection), blk_row0=i64(blk_row0),
        blk_col0=i64(blk_col0),
        in_rows=i64(in_rows), in_row0=i64(in_row0), in_acc=i64(in_acc), in_target=i64(in_target), in_filter=i64(in_filter),
        in_order=i64(in_order), in_state=i64(in_state),
        in_rule=i64(in_rule),
        vkey_key=np.asarray(vkey_key, dtype=np.uint32), vkey_input=i64(vkey_input), vkey_row0=i64(vkey_row0),
        enc=np.asarray(enc, dtype=np.float32), fco=np.asarray(fco, dtype=np.float32),
        learn_kind=i64(lk), learn_rate=np.asarray(lr, dtype=np.float32), learn_input=i64(li),
        learn_filter=i64(lf), learn_order=i64(lo_),
        learn_state=i64(ls), learn_row0=i64(l0), learn_post=i64(lp), learn_theta=i64(lt),
        learn_beta=np.asarray(lb, dtype=np.float32), learn_scale=i64(lsc),
        lscale=np.asarray(lscale, dtype=np.float32),
        mat=mat, acc=np.zeros(acc_off, np.float32), y=np.zeros(acc_off, np.float32),
        filt=np.zeros(state_off, np.float32), x=np.zeros(x_off, np.float32),
        cur=np.zeros(int(sum(p.size for p in network.populations)), np.float32),
        lstate=np.zeros(lstate, np.float32), play=np.zeros((0, units), np.float32),
        play_t0=np.zeros(1, np.int64))

    packets = np.zeros(V, np.int64)
    for b, blk in enumerate(blocks):
        packets[blk[0]] += blk[3] - blk[2]
    nbytes, dram = value_bytes(network, graph, images, pop_of, is_value)
    for v, mv in enumerate(graph.vertices):
        total = sum(mv.bytes.values()) + sum(nbytes[v].values())
        if total > DATA_SRAM_BYTES:
            sl = graph.slices[mv.slice]
            raise ValueError(f"population {network.populations[sl.population].label!r} neurons {sl.lo}-{sl.hi}: "
                             f"a PE needs {total} bytes with its value data, more than the {DATA_SRAM_BYTES} "
                             "bytes of data SRAM; reduce the dimensions or decoded outputs of that population")
    return ValuePlan(is_value, routes, images, packets, nbytes, dram, projection_blocks)


def value_bytes(network, graph, im: ValueImages, pop_of, is_value):
    """SRAM bytes per item of every PE's value data (the playback table lives in DRAM and is
    streamed in by DMA a step at a time, as a real host-loaded source would be)."""
    out, dram = [], np.zeros(len(graph.vertices), np.int64)
    for v, mv in enumerate(graph.vertices):
        if not is_value[pop_of[v]] or not mv.holds_neurons:
            out.append({})
            continue
        n = graph.slices[mv.slice].size
        b0, nb = im.blk_start[v], im.blk_count[v]
        c0, nc = im.in_start[v], im.in_count[v]
        inputs = sum(input_bytes(int(im.in_rows[c]), int(im.in_order[c])) for c in range(c0, c0 + nc))
        learn = sum(4 * n * (1 + int(im.learn_order[im.blk_learn[b]])) for b in range(b0, b0 + nb)
                    if im.blk_learn[b] >= 0)
        if im.enc_learn[v] >= 0:             # filtered output and filter state, the encoders' scale
            learn += 4 * n * (2 + int(im.learn_order[im.enc_learn[v]]))
        out.append({
            "value encoders": 4 * n * int(im.dims[v]) if im.enc_start[v] >= 0 else 0,
            "value decoding matrices": 4 * n * int(im.blk_rows[b0:b0 + nb].sum()) + 12 * int(nb),
            "value inputs": inputs + 4 * int(im.dims[v]) + 4 * n,
            "learning state": learn,
            "playback buffer": 8 * n if im.playback[v] else 0,
        })
    return out, dram
