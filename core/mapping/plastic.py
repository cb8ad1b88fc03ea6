"""Plastic synaptic rows (serial paradigm): their layout, their byte costs and their images.

A plastic row is what a SpiNNaker PE holds for one presynaptic neuron's synapses onto one
slice, as in sPyNNaker's plastic rows, 32-bit words throughout:

``count | header (rule state of the presynaptic side) | plastic region | fixed region``

* STDP (both timing rules): header ``t_last`` (int32 stamp of the row's last spike, in time
  steps) and ``K+`` (float32 presynaptic trace right after it); plastic region one float32
  weight per synapse, in units of the receptor's weight step (the ring buffer takes the
  nearest whole step); fixed region one 16-bit control half-word per synapse
  ``delay(6) | type(2) | index(8)``, two per word.
* Tsodyks-Markram: header ``t_last``; plastic region float32 ``u, x, y`` per synapse (y
  decays with the target neuron's tau_syn, so it is per synapse); fixed region the static
  synaptic words (``weight(16) | delay | type | index``, plus a weight word each with 32-bit
  weights).
* Stochastic: header a 64-bit random stream (two words) owned by the row, so the draws do not
  depend on the order in which the PE processes rows; fixed region the static words.

Rows of a block are padded to its longest row. A synapse whose delay exceeds a row's reaches
its row through a delay stage (``delays.py``): the row holds the residual delay, and its
address-list entry the stage's shift, so the rule works with the spike's original stamp (the
update happens when the stage re-sends the spike, as on the hardware: weights read right after
a run lack the updates of spikes still in a delay stage). The neuron PE of a slice that
receives STDP keeps, per neuron, a circular history of its last ``H`` spikes (stamp and
postsynaptic trace after the spike, two words each), the spike count and the stamp of the
newest overwritten entry (so a row that needed an overwritten spike is counted, never silently wrong). PEs
holding Tsodyks-Markram rows keep each target neuron's synaptic time constant per receptor.
Each plastic projection's rule is one row of ``N_RULE_PARAMS`` float32 parameters plus its
kind. Rows in DRAM are read into the DMA buffer and, if plastic, written back: the header and
plastic region, counted as DMA writes in the run statistics. A PE that holds a share of a
slice's rows (split matrix) reads the slice's history from the neuron PE's SRAM over the
QPE's network-on-chip (the PEs of a slice share a QPE); that read is not costed here.
"""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field

import numpy as np

from ..models import MAX_RECEPTORS
from ..models.plasticity import N_RULE_PARAMS, STDP_PAIR, STDP_VOGELS, STOCHASTIC, TSODYKS_MARKRAM
from . import serial
from .delays import stages_for

HEADER_WORDS = {STDP_PAIR: 2, STDP_VOGELS: 2, TSODYKS_MARKRAM: 1, STOCHASTIC: 2}
PLASTIC_WORDS = {STDP_PAIR: 1, STDP_VOGELS: 1, TSODYKS_MARKRAM: 3, STOCHASTIC: 0}
HALF_WORD_CONTROL = {STDP_PAIR: True, STDP_VOGELS: True, TSODYKS_MARKRAM: False, STOCHASTIC: False}
HISTORY_ENTRY_WORDS = 2          # stamp, trace
HISTORY_NEURON_WORDS = 3         # spike count, newest overwritten stamp, trace time constant
RULE_WORDS = N_RULE_PARAMS + 1   # parameters and kind
TAU_SYN_PARAMETERS = {"excitatory": "tau_syn_E", "inhibitory": "tau_syn_I"}
NO_STAMP = np.iinfo(np.int32).min

# the plastic images, as the kernel takes them: one flat namedtuple of arrays
Plastic = namedtuple("Plastic", [
    "al_rule",       # int64 per address-list entry: its rule (plastic projection), -1 for static rows
    "al_length",     # int64 per address-list entry: synapses per row (padded)
    "al_shift",      # int64 per address-list entry: steps its delay stage re-sends spikes after they were sent
    "rule_kind",     # int64 per rule
    "rule_params",   # float64 (rules, N_RULE_PARAMS): times in steps, weights in weight steps
    "rows",          # uint32: every plastic row (the run-time copy; ``rows_f``/``rows_i`` alias it)
    "rows_f",        # float32 view of ``rows``
    "rows_i",        # int32 view of ``rows``
    "tau_psc",       # float32 (neurons, receptors): synaptic time constant in steps (Tsodyks-Markram)
    "pe_history",    # bool per PE: a neuron PE that keeps a postsynaptic history
    "hist_base",     # int64 per neuron: its first history entry, -1 if it keeps none
    "hist_mask",     # int64 per neuron: entries - 1 (a power of two minus one)
    "hist_tau",      # float32 per neuron: postsynaptic trace time constant in steps
    "hist_stamp",    # int32: history entries' spike stamps (run-time)
    "hist_trace",    # float32: the postsynaptic trace just after each spike (run-time)
    "hist_count",    # int32 per neuron: spikes recorded (run-time)
    "hist_dropped",  # int32 per neuron: stamp of the newest overwritten entry (run-time)
])


def is_plastic(proj) -> bool:
    return proj.synapse is not None


def layout(proj) -> dict:
    """Block fields (``partition.Block``) of a projection's rows: none for static rows."""
    if proj.synapse is None:
        return {}
    kind = proj.synapse.kind
    return dict(header_words=HEADER_WORDS[kind], plastic_words=PLASTIC_WORDS[kind],
                half_words=HALF_WORD_CONTROL[kind])


def row_words(block) -> int:
    """Words of one padded row of ``block``: count, header, plastic region, fixed region."""
    L = block.row_length
    fixed = (L + 1) // 2 if block.half_words else block.words_per_synapse * L
    return 1 + block.header_words + block.plastic_words * L + fixed


# -- what the neuron PEs keep ---------------------------------------------------------------------

@dataclass
class History:
    """Per population receiving STDP: history entries per neuron and trace time constant (ms)."""
    entries: dict[int, int] = field(default_factory=dict)
    tau: dict[int, float] = field(default_factory=dict)


def post_history(network) -> History:
    """Which populations keep a postsynaptic spike history, how long, with which trace. The
    trace is a property of the neuron (NEST's tau_minus), so every STDP projection onto one
    population must use the same time constant."""
    out = History()
    owner = {}
    for proj in network.projections:
        rule = proj.synapse
        if rule is None or rule.kind not in (STDP_PAIR, STDP_VOGELS) or not proj.size:
            continue
        p = proj.post
        if p in out.tau and not np.isclose(out.tau[p], rule.post_tau):
            raise ValueError(
                f"projections {owner[p]!r} and {proj.label!r} onto {network.populations[p].label!r} use "
                f"postsynaptic trace time constants {out.tau[p]:g} and {rule.post_tau:g} ms; a neuron keeps "
                "one trace (NEST's tau_minus is a neuron parameter): give them the same tau_minus / tau")
        out.tau[p], owner[p] = rule.post_tau, proj.label
        out.entries[p] = max(out.entries.get(p, 0), rule.history)
    return out


def pe_items(network, slice_size: int, population: int, blocks, holds_neurons: bool, dram: bool,
             history: History | None = None) -> dict:
    """Table I-style bytes of the plastic parts of one PE: its plastic rows (in SRAM unless
    ``dram``), the rules of the plastic projections among its blocks, the postsynaptic history
    (neuron PE) and the Tsodyks-Markram synaptic time constants."""
    history = post_history(network) if history is None else history
    plastic = [b for b in blocks if b.header_words]
    rules = {b.projection for b in plastic}
    tm = any(network.projections[j].synapse.kind == TSODYKS_MARKRAM for j in rules)
    n_types = len(network.populations[population].receptors)
    entries = history.entries.get(population, 0) if holds_neurons else 0
    return {
        "plastic synaptic matrix": 0 if dram else 4 * sum(b.words for b in plastic),
        "plasticity rules": 4 * RULE_WORDS * len(rules),
        "post-synaptic history": 4 * slice_size * (HISTORY_ENTRY_WORDS * entries + HISTORY_NEURON_WORDS)
        if entries else 0,
        "synaptic time constants": 4 * slice_size * n_types if tm else 0,
    }


# -- images ------------------------------------------------------------------------------------------

@dataclass
class PlasticImages:
    """The plastic rows' image and, per plastic projection, where each synapse's state lives."""
    arrays: Plastic                        # the image (``rows`` is the initial content)
    projections: dict[int, dict]           # projection -> {"rule", "kind", "word", "weight_word", "scale"}
    rng_headers: np.ndarray                # word offset of every stochastic row's stream
    history_size: int                      # words of postsynaptic history in all
    rules: list                            # (projection label, rule description) per rule
    rng_rows: np.ndarray | None = None     # each stream's row: block * 2**32 + row in the block
    rng_index: np.ndarray | None = None    # each stream's number in the whole network (None: in order)


def _positions(row_start: np.ndarray) -> np.ndarray:
    """Each synapse's place in its row: its rank among the synapses sharing its row start,
    in the projection's order (as the static rows are filled)."""
    order = np.argsort(row_start, kind="stable")
    sorted_start = row_start[order]
    first = np.concatenate([[True], sorted_start[1:] != sorted_start[:-1]])
    group_first = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
    pos = np.empty(order.size, dtype=np.int64)
    pos[order] = np.arange(order.size) - group_first
    return pos


def _synapse_rows(network, graph, j, offset):
    """Per synapse of projection j: its block, its row's first word (``offset`` per block), its
    index in the target slice, the delay its row holds and the steps by which a delay stage
    re-sends its spikes (0 without one; the row then holds the residual delay, ``delays.py``)."""
    proj = network.projections[j]
    pre, post = graph.pop_slices[proj.pre], graph.pop_slices[proj.post]
    pre_lo = np.array([graph.slices[k].lo for k in pre])
    post_lo = np.array([graph.slices[k].lo for k in post])
    s_local = np.searchsorted(pre_lo, proj.pre_index, side="right") - 1
    t_local = np.searchsorted(post_lo, proj.post_index, side="right") - 1
    source = np.asarray(pre, dtype=np.int64)[s_local]
    delay = np.broadcast_to(proj.delay, (proj.size,)).astype(np.int64)
    shift = np.zeros(proj.size, dtype=np.int64)
    if graph.delays and j in graph.delays.projections:
        stage, delay = stages_for(delay, graph.delays.stage)
        long = stage > 0
        source[long] = graph.delays.slices[proj.pre][s_local[long], stage[long] - 1]
        shift = stage * graph.delays.stage
    n = len(graph.slices)
    where = {(blk.target, blk.source): b for b, blk in enumerate(graph.blocks) if blk.projection == j}
    pair, which = np.unique(np.asarray(post, dtype=np.int64)[t_local] * n + source, return_inverse=True)
    block = np.array([where[(int(k // n), int(k % n))] for k in pair], dtype=np.int64)[which.ravel()]
    stride = np.array([row_words(b) for b in graph.blocks], dtype=np.int64)
    row = proj.pre_index - pre_lo[s_local]
    return block, offset[block] + row * stride[block], proj.post_index - post_lo[t_local], delay, shift


def row_identity(block, row) -> np.ndarray:
    """A synaptic row's identity, the same whichever share of the network is built: its block and
    its place in the block (the row of its presynaptic neuron)."""
    return np.asarray(block, dtype=np.int64) * (1 << 32) + np.asarray(row, dtype=np.int64)


def stochastic_rows(network, graph, al_block) -> np.ndarray:
    """The identity (``row_identity``) of every stochastic row of the whole network, in the
    order ``plastic_images`` numbers their random streams: projection order, then the order of
    the rows in memory (blocks in address-list order ``al_block``, rows in a block in order)."""
    position = np.zeros(len(graph.blocks), dtype=np.int64)
    position[np.asarray(al_block, dtype=np.int64)] = np.arange(len(al_block))
    out = []
    for j, proj in enumerate(network.projections):
        if proj.synapse is None or not proj.size or proj.synapse.kind != STOCHASTIC:
            continue
        block, row = _synapse_block_rows(network, graph, j)
        order = np.unique(position[block] * (1 << 32) + row)
        out.append(row_identity(np.asarray(al_block, dtype=np.int64)[order >> 32], order & 0xFFFFFFFF))
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def _synapse_block_rows(network, graph, j):
    """Per synapse of projection j: its block and its row in the block."""
    block, start, *_ = _synapse_rows(network, graph, j, np.zeros(len(graph.blocks) + 1, dtype=np.int64))
    stride = np.array([row_words(b) for b in graph.blocks], dtype=np.int64)[block]
    return block, start // np.maximum(stride, 1)


def tau_psc(pop, dt) -> np.ndarray:
    """A population's synaptic time constant per neuron and receptor, in steps, where its model
    has one (Tsodyks-Markram's transmitter variable y decays with it, as NEST's tau_psc)."""
    out = np.zeros((pop.size, MAX_RECEPTORS), dtype=np.float32)
    for r, name in enumerate(pop.receptors):
        param = TAU_SYN_PARAMETERS.get(name)
        if param in pop.parameters:
            out[:, r] = pop.parameters[param] / dt
    return out


def _check_tsodyks_targets(network):
    for proj in network.projections:
        if proj.synapse is None or proj.synapse.kind != TSODYKS_MARKRAM or not proj.size:
            continue
        post = network.populations[proj.post]
        name = post.receptors[proj.receptor]
        param = TAU_SYN_PARAMETERS.get(name)
        if param not in post.parameters:
            raise NotImplementedError(
                f"projection {proj.label!r}: TsodyksMarkramSynapse needs the synaptic time constant of "
                f"{post.label!r}'s {name} receptor (NEST's tau_psc), which {post.model} does not have; use a "
                "model with tau_syn_E / tau_syn_I")
        tau = post.parameters[param][np.unique(proj.post_index)]
        if np.any(np.isclose(tau, proj.synapse.tau_rec)):
            raise ValueError(f"projection {proj.label!r}: tau_rec ({proj.synapse.tau_rec} ms) equals the "
                             f"target's {param}; NEST's tsodyks_synapse is singular there: change one slightly")


def plastic_images(network, graph, al_block, qweights, scales, pop_offset):
    """Fill every plastic row with its initial state and build the history layout."""
    dt = network.timestep
    _check_tsodyks_targets(network)
    history = post_history(network)
    blocks = graph.blocks
    plastic_block = np.array([b.header_words > 0 for b in blocks], dtype=bool)
    words = np.array([b.words if b.header_words else 0 for b in blocks], dtype=np.int64)
    offset = np.zeros(len(blocks) + 1, dtype=np.int64)
    order = [b for b in al_block if plastic_block[b]]
    offset[order] = np.concatenate([[0], np.cumsum(words[order])[:-1]]) if order else []
    offset[-1] = words.sum()
    rows = np.zeros(int(words.sum()), dtype=np.uint32)
    rows_f = rows.view(np.float32)

    rule_of, kinds, params, described = {}, [], [], []
    block_shift = np.zeros(len(blocks), dtype=np.int64)
    projections, rng_headers, rng_rows = {}, [], []
    for j, proj in enumerate(network.projections):
        if proj.synapse is None or not proj.size:
            continue
        rule = proj.synapse
        scale = float(scales[proj.post, proj.receptor])
        rule_of[j] = len(kinds)
        kinds.append(rule.kind)
        params.append(rule.table(dt, scale))
        described.append((proj.label, rule.describe() + "; " + _precision(rule, scale)))
        block, start, index, delay, shift = _synapse_rows(network, graph, j, offset)
        block_shift[block] = shift
        pos = _positions(start)
        length = np.array([b.row_length for b in blocks], dtype=np.int64)[block]
        header = np.array([b.header_words for b in blocks], dtype=np.int64)[block]
        plastic_words = PLASTIC_WORDS[rule.kind]
        first_row = np.unique(start)
        rows[first_row] = np.bincount(np.searchsorted(first_row, start)).astype(np.uint32)
        plastic_at = start + 1 + header
        fixed_at = plastic_at + plastic_words * length
        synapse_type = np.full(proj.size, proj.receptor)
        info = dict(rule=rule_of[j], kind=rule.kind, scale=scale)
        if rule.kind in (STDP_PAIR, STDP_VOGELS):
            control = serial.pack_words(np.zeros(proj.size, np.int64), delay, synapse_type, index)
            half = (fixed_at + pos // 2, (pos % 2) * 16)
            np.bitwise_or.at(rows, half[0], (control << half[1].astype(np.uint32)).astype(np.uint32))
            info["weight_word"] = plastic_at + pos
            rows_f[info["weight_word"]] = (proj.weight / scale).astype(np.float32)   # t_last, K+ start at 0
        else:
            wide = serial.words_per_synapse(network.populations[proj.post].weight_bits) == 2
            packed = serial.pack_words(np.zeros(proj.size, np.int64) if wide else qweights[j],
                                       delay, synapse_type, index)
            rows[fixed_at + pos] = packed
            info["weight_word"] = fixed_at + length + pos if wide else fixed_at + pos
            info["wide"] = wide
            if wide:
                rows[info["weight_word"]] = qweights[j].astype(np.uint32)
            if rule.kind == TSODYKS_MARKRAM:
                state = plastic_at + 3 * pos
                rows_f[state], rows_f[state + 1], rows_f[state + 2] = rule.u0, 1.0, 0.0   # u, x, y
                info["state_word"] = state
            else:
                rng_headers.append(first_row + 1)
                row_block = block[np.unique(start, return_index=True)[1]]
                stride = np.array([row_words(blocks[b]) for b in row_block.tolist()], dtype=np.int64)
                rng_rows.append(row_identity(row_block, (first_row - offset[row_block]) // np.maximum(stride, 1)))
        projections[j] = info

    al_rule = np.array([rule_of.get(blocks[b].projection, -1) if plastic_block[b] else -1 for b in al_block],
                       dtype=np.int64)
    al_length = np.array([blocks[b].row_length for b in al_block], dtype=np.int64)
    al_shift = block_shift[np.asarray(al_block, dtype=np.int64)]
    al_offset = offset[np.asarray(al_block, dtype=np.int64)] if len(al_block) else np.zeros(0, np.int64)

    n = int(pop_offset[-1])
    hist_base, hist_mask = np.full(n, -1, np.int64), np.zeros(n, np.int64)
    hist_tau = np.zeros(n, np.float32)
    used = 0
    for p, entries in sorted(history.entries.items()):
        lo, hi = pop_offset[p], pop_offset[p + 1]
        hist_base[lo:hi] = used + entries * np.arange(hi - lo)
        hist_mask[lo:hi] = entries - 1
        hist_tau[lo:hi] = history.tau[p] / dt
        used += entries * (hi - lo)
    pe_history = np.array([mv.holds_neurons and graph.slices[mv.slice].population in history.entries
                           for mv in graph.vertices], dtype=np.bool_)
    arrays = Plastic(
        al_rule=al_rule, al_length=al_length, al_shift=al_shift, rule_kind=np.array(kinds, dtype=np.int64),
        rule_params=np.array(params, dtype=np.float64).reshape(len(kinds), N_RULE_PARAMS),
        rows=rows, rows_f=rows_f, rows_i=rows.view(np.int32),
        tau_psc=np.concatenate([tau_psc(pop, dt) for pop in network.populations]),
        pe_history=pe_history, hist_base=hist_base, hist_mask=hist_mask, hist_tau=hist_tau,
        hist_stamp=np.zeros(0, np.int32), hist_trace=np.zeros(0, np.float32),
        hist_count=np.zeros(n, np.int32), hist_dropped=np.full(n, NO_STAMP, np.int32))
    cat = (lambda parts: np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64))
    images = PlasticImages(arrays, projections, cat(rng_headers), used, described, cat(rng_rows))
    return images, al_offset


def _precision(rule, scale) -> str:
    """What the rows' number formats cost: the synaptic input takes the nearest weight step."""
    if rule.kind in (STDP_PAIR, STDP_VOGELS):
        top = rule.weight_dependence.w_max
        return (f"weights float32 (2^-24 relative), traces float32; synaptic input within half a step "
                f"{scale / 2:.3g} ({50 * scale / top:.2g}% of w_max)")
    if rule.kind == TSODYKS_MARKRAM:
        return f"u, x, y float32; PSC amplitude w u x within half a step {scale / 2:.3g}"
    return "weights as static synapses; a 64-bit random stream per row"


def describe_rules(images: PlasticImages) -> list[str]:
    return [f"{label[:30]:<31} {text}" for label, text in images.rules]
