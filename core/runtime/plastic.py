"""Plasticity on the PEs: the neuron PE's postsynaptic spike history (phase 1) and the
processing of a plastic synaptic row when a presynaptic spike reaches it (phase 2).

Updates are *deferred*, as on SpiNNaker (sPyNNaker's "pre-synaptic event driven" STDP, NEST's
``stdp_synapse``): a synapse changes only when its presynaptic neuron spikes, using the
postsynaptic spikes recorded since the row's previous spike. Every update is computed from
the spike's own stamp (``t + 1``, in time steps: spikes are stamped at the end of the step
that emits them), never from the time the row happens to be processed, and reads the
history only up to ``stamp - D``; postsynaptic spikes with later stamps, which a longer
window may already have recorded, are ignored. Each row's spikes arrive in time order
(one source PE's packets, in step order) and each row holds its own state (and, for
stochastic synapses, its own random stream), so the result depends neither on the window
length nor on how many threads run the PEs. Rules and layouts: ``core.models.plasticity``,
``core.mapping.plastic``. Arithmetic is float64 in registers, float32 in memory (the
Cortex-M4F's FPU stores single precision); the ring buffer takes the nearest whole weight step.
"""
import math

import numpy as np
from numba import njit

from ..mapping.plastic import NO_STAMP
from ..mapping.serial import DELAY_SHIFT, INDEX_BITS, MAX_DELAY
from ..models.plasticity import (DELAY_FACTOR, DEPRESSION, MU_MINUS, MU_PLUS, P_TRANSMIT, POTENTIATION,
                                 STDP_PAIR, STDP_VOGELS, STOCHASTIC, TAU_PRE, TM_TAU_FACIL, TM_TAU_REC, TM_U,
                                 W_MAX, W_MIN)
from ..models.rng import _MULT, _S11, _S12, _S25, _S27
from .stats import DMA_READS, DMA_WORDS, DMA_WRITE_WORDS, DMA_WRITES, HISTORY_OVERRUNS, PLASTIC_UPDATES

_INDEX_MASK = np.uint32((1 << INDEX_BITS) - 1)
_TYPE_MASK = np.uint32(3)
_DELAY_MASK = np.uint32(MAX_DELAY)
_HALF = np.uint32(0xFFFF)
_U_INDEX, _U_DELAY, _U_WEIGHT = np.uint32(INDEX_BITS), np.uint32(INDEX_BITS + 2), np.uint32(INDEX_BITS + 8)
_U32 = np.uint64(32)
_LOW = np.uint64(0xFFFFFFFF)


# -- phase 1: the neuron PE records its neurons' spikes --------------------------------------------

@njit(cache=True, nogil=True)
def record_post(pl, g0, n, t, counts):
    """Append this step's spikes of neurons g0..g0+n-1 to their histories, each with the
    postsynaptic trace just after it (decayed from the previous entry, plus one)."""
    stamp = np.int32(t + 1)
    for g in range(g0, g0 + n):
        if counts[g] == 0:
            continue
        base, mask, c = pl.hist_base[g], pl.hist_mask[g], pl.hist_count[g]
        trace = 1.0
        if c > 0:
            last = base + ((c - 1) & mask)
            trace += pl.hist_trace[last] * math.exp(-(stamp - pl.hist_stamp[last]) / pl.hist_tau[g])
        slot = base + (c & mask)
        if c > mask:
            pl.hist_dropped[g] = pl.hist_stamp[slot]
        pl.hist_stamp[slot] = stamp
        pl.hist_trace[slot] = np.float32(trace)
        pl.hist_count[g] = c + 1


# -- phase 2: a presynaptic spike reaches a plastic row ---------------------------------------------

@njit(cache=True, nogil=True, inline="always")
def _deposit(ring, base, slots_mask, index, stype, delay, t, amount):
    ring[base + ((((t + delay) & slots_mask) << DELAY_SHIFT) | (stype << INDEX_BITS) | index)] += amount


@njit(cache=True, nogil=True, inline="always")
def _dma(stats, dram, read_words, write_words):
    if dram:
        stats[DMA_READS] += 1
        stats[DMA_WORDS] += read_words
        if write_words:
            stats[DMA_WRITES] += 1
            stats[DMA_WRITE_WORDS] += write_words


@njit(cache=True, nogil=True, inline="always")
def _potentiate(w, k, kind, p):
    if kind == STDP_VOGELS:
        return min(w + p[POTENTIATION] * k, p[W_MAX])
    span = p[W_MAX] - p[W_MIN]
    x = (w - p[W_MIN]) / span
    x += p[POTENTIATION] * (1.0 - x) ** p[MU_PLUS] * k
    return p[W_MIN] + min(x, 1.0) * span


@njit(cache=True, nogil=True, inline="always")
def _depress(w, k, p):
    span = p[W_MAX] - p[W_MIN]
    x = (w - p[W_MIN]) / span
    x -= p[DEPRESSION] * x ** p[MU_MINUS] * k
    return p[W_MIN] + max(x, 0.0) * span


@njit(cache=True, nogil=True)
def _stdp_row(pl, kind, p, start, length, count, t, shift, g0, ring, base, slots_mask, stats):
    """NEST's stdp_synapse / vogels_sprekeler_synapse send(), for every synapse of the row, for a
    spike sent in step ``t - shift`` (re-sent by a delay stage ``shift`` steps later)."""
    rows, rf, ri = pl.rows, pl.rows_f, pl.rows_i
    hist_base, hist_mask, hist_count = pl.hist_base, pl.hist_mask, pl.hist_count
    hist_stamp, hist_trace, hist_tau, hist_dropped = pl.hist_stamp, pl.hist_trace, pl.hist_tau, pl.hist_dropped
    synapses = np.int64(rows[start])
    t_last = np.float64(ri[start + 1])
    kplus = np.float64(rf[start + 2])
    stamp = np.float64(t + 1 - shift)
    weights = start + 3
    fixed = weights + length
    overruns = 0
    for j in range(synapses):
        half = (rows[fixed + (j >> 1)] >> np.uint32(16 * (j & 1))) & _HALF
        index = np.int64(half & _INDEX_MASK)
        stype = np.int64((half >> _U_INDEX) & _TYPE_MASK)
        delay = np.int64((half >> _U_DELAY) & _DELAY_MASK)
        d = p[DELAY_FACTOR] * (delay + shift)  # postsynaptic spikes are seen d later than the presynaptic one
        lo, hi = t_last - d, stamp - d
        w = np.float64(rf[weights + j])
        g = g0 + index
        hb, mask, c = hist_base[g], hist_mask[g], np.int64(hist_count[g])
        k0 = max(np.int64(0), c - mask - 1)
        k_hi = c - 1
        while k_hi >= k0 and hist_stamp[hb + (k_hi & mask)] > hi:
            k_hi -= 1
        k_lo = k_hi
        while k_lo >= k0 and hist_stamp[hb + (k_lo & mask)] > lo:
            k_lo -= 1
        if k_lo < k0 and hist_dropped[g] > lo and kplus > 0.0:
            overruns += 1                       # a postsynaptic spike it needed was overwritten
        for k in range(k_lo + 1, k_hi + 1):     # potentiation: pre before post
            q = hist_stamp[hb + (k & mask)]
            w = _potentiate(w, kplus * math.exp(-(q + d - t_last) / p[TAU_PRE]), kind, p)
        k_d = k_hi                              # depression: the trace of spikes strictly before hi
        if k_d >= k0 and hist_stamp[hb + (k_d & mask)] >= hi:
            k_d -= 1
        kminus = 0.0
        if k_d >= k0:
            e = hb + (k_d & mask)
            kminus = hist_trace[e] * math.exp(-(hi - hist_stamp[e]) / hist_tau[g])
        elif hist_dropped[g] != NO_STAMP and hist_dropped[g] < hi:
            overruns += 1
        if kind == STDP_VOGELS:
            w = _potentiate(w, kminus, kind, p)
            w = max(w - p[DEPRESSION], p[W_MIN])
        else:
            w = _depress(w, kminus, p)
        rf[weights + j] = np.float32(w)
        _deposit(ring, base, slots_mask, index, stype, delay, t,
                 np.int64(np.float64(rf[weights + j]) + 0.5) * count)
    rf[start + 2] = np.float32(kplus * math.exp(-(stamp - t_last) / p[TAU_PRE]) + 1.0)
    ri[start + 1] = np.int32(stamp)
    stats[PLASTIC_UPDATES] += synapses
    stats[HISTORY_OVERRUNS] += overruns
    return synapses


@njit(cache=True, nogil=True, inline="always")
def _static_word(rows, fixed, length, wide, j):
    """(index, type, delay, weight) of the j-th static synaptic word of a fixed region."""
    w = rows[fixed + j]
    weight = np.int64(rows[fixed + length + j]) if wide else np.int64(w >> _U_WEIGHT)
    return (np.int64(w & _INDEX_MASK), np.int64((w >> _U_INDEX) & _TYPE_MASK),
            np.int64((w >> _U_DELAY) & _DELAY_MASK), weight)


@njit(cache=True, nogil=True)
def _tsodyks_row(pl, p, start, length, wide, count, t, shift, g0, ring, base, slots_mask, stats):
    """NEST's tsodyks_synapse send(): propagate u, x, y from the row's last spike to this one
    (exactly), release u x of the resources, deliver w u x."""
    rows, rf, ri, tau_psc = pl.rows, pl.rows_f, pl.rows_i, pl.tau_psc
    synapses = np.int64(rows[start])
    h = np.float64(t + 1 - shift - np.int64(ri[start + 1]))
    tau_rec, tau_fac = p[TM_TAU_REC], p[TM_TAU_FACIL]
    puu = 0.0 if tau_fac == 0.0 else math.exp(-h / tau_fac)
    pzz = math.exp(-h / tau_rec)
    state = start + 2
    fixed = state + 3 * length
    for j in range(synapses):
        index, stype, delay, weight = _static_word(rows, fixed, length, wide, j)
        tau = np.float64(tau_psc[g0 + index, stype])
        pyy = math.exp(-h / tau)
        if abs(tau - tau_rec) > 1e-9 * tau_rec:
            pxy = ((pzz - 1.0) * tau_rec - (pyy - 1.0) * tau) / (tau - tau_rec)
        else:                                   # the limit tau_psc -> tau_rec
            pxy = 1.0 - pzz * (1.0 + h / tau_rec)
        s = state + 3 * j
        u, x, y = np.float64(rf[s]), np.float64(rf[s + 1]), np.float64(rf[s + 2])
        z = 1.0 - x - y
        u *= puu
        x += pxy * y + (1.0 - pzz) * z
        y *= pyy
        u += p[TM_U] * (1.0 - u)
        released = u * x
        x -= released
        y += released
        rf[s], rf[s + 1], rf[s + 2] = np.float32(u), np.float32(x), np.float32(y)
        _deposit(ring, base, slots_mask, index, stype, delay, t,
                 np.int64(weight * released + 0.5) * count)
    ri[start + 1] = np.int32(t + 1 - shift)
    stats[PLASTIC_UPDATES] += synapses
    return synapses


@njit(cache=True, nogil=True)
def _stochastic_row(rows, p, start, length, wide, count, t, ring, base, slots_mask):
    """NEST's bernoulli_synapse: each of the ``count`` spikes crosses each synapse with
    probability p; the row's own xorshift64* stream draws."""
    synapses = np.int64(rows[start])
    s = (np.uint64(rows[start + 2]) << _U32) | np.uint64(rows[start + 1])
    fixed = start + 3
    for j in range(synapses):
        index, stype, delay, weight = _static_word(rows, fixed, length, wide, j)
        crossed = 0
        for _ in range(count):
            s ^= s >> _S12
            s ^= s << _S25
            s ^= s >> _S27
            if float((s * _MULT) >> _S11) * (1.0 / 9007199254740992.0) < p:
                crossed += 1
        if crossed:
            _deposit(ring, base, slots_mask, index, stype, delay, t, weight * crossed)
    rows[start + 1] = np.uint32(s & _LOW)
    rows[start + 2] = np.uint32(s >> _U32)
    return synapses


@njit(cache=True, nogil=True)
def plastic_row(pl, a, start, count, t, g0, wide, ring, base, slots_mask, dram, stats):
    """A spike (``count`` at once, sent in step ``t``) reaching the plastic row at word ``start``
    of address-list entry ``a``, on a PE whose slice starts at neuron ``g0`` and whose input
    buffer is ``ring[base:]``; ``stats`` is the PE's counters. Returns the row's synapse count."""
    rule = pl.al_rule[a]
    kind = pl.rule_kind[rule]
    p = pl.rule_params[rule]
    length = pl.al_length[a]
    shift = pl.al_shift[a]
    if kind == STDP_PAIR or kind == STDP_VOGELS:
        synapses = _stdp_row(pl, kind, p, start, length, count, t, shift, g0, ring, base, slots_mask,
                             stats)
        _dma(stats, dram, 3 + synapses + (synapses + 1) // 2, 2 + synapses)
    elif kind == STOCHASTIC:
        synapses = _stochastic_row(pl.rows, p[P_TRANSMIT], start, length, wide, count, t, ring, base, slots_mask)
        _dma(stats, dram, 3 + (2 if wide else 1) * synapses, 2)
    else:
        synapses = _tsodyks_row(pl, p, start, length, wide, count, t, shift, g0, ring, base, slots_mask,
                                stats)
        _dma(stats, dram, 2 + (5 if wide else 4) * synapses, 1 + 3 * synapses)
    return synapses
