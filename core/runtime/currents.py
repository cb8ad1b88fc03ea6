"""Current sources on a neuron PE: before the model update the PE sums each neuron's
injections into ``nrn.i_inject``; after it, every injection advances to the current of the next
step (a noise source drawing from the target neuron's random stream), which is what a recorded
source records. So the value recorded at time t is the current acting on the step (t, t + dt],
as pyNN.nest records it."""
import math

import numpy as np
from numba import njit

from ..mapping.currents import AC, AMPLITUDE, DC, EVERY, OFFSET, OMEGA, PHASE, START, STEP, STOP
from ..models.rng import normal


@njit(cache=True, nogil=True)
def value(cur, s, t, held, rng, i):
    """Source ``s``'s current into neuron ``i`` in step ``t`` (``held``: its current in the step before)."""
    kind, p = cur.kind[s], cur.param[s]
    if kind == STEP:
        lo, hi = cur.step_start[s], cur.step_start[s + 1]
        if hi == lo or t < cur.step_at[lo]:
            return 0.0
        while hi - lo > 1:                  # last amplitude starting at or before t
            mid = (lo + hi) // 2
            if cur.step_at[mid] <= t:
                lo = mid
            else:
                hi = mid
        return cur.step_amp[lo]
    if t < p[START] or t >= p[STOP]:
        return 0.0
    if kind == DC:
        return p[AMPLITUDE]
    if kind == AC:
        return p[OFFSET] + p[AMPLITUDE] * math.sin(p[OMEGA] * (t - p[START]) + p[PHASE])
    if (t - np.int64(p[START])) % np.int64(p[EVERY]) == 0:       # NOISE: a new draw
        return p[AMPLITUDE] + p[OFFSET] * normal(rng, i)
    return held


@njit(cache=True, nogil=True)
def inject(g0, n, cur, i_inject):
    """This step's injected current of neurons g0 .. g0 + n - 1."""
    if cur.inj_start[g0] == cur.inj_start[g0 + n]:      # none on these neurons: no per-neuron loop
        i_inject[g0:g0 + n] = 0.0
        return
    for i in range(g0, g0 + n):
        total = 0.0
        for e in range(cur.inj_start[i], cur.inj_start[i + 1]):
            total += cur.inj_value[e]
        i_inject[i] = total


@njit(cache=True, nogil=True)
def advance(g0, n, t, cur, rng):
    """After step t: every injection takes its value for step t + 1; recorded ones are sampled."""
    if cur.inj_start[g0] == cur.inj_start[g0 + n]:
        return
    n_rec = cur.samples.shape[1]
    for i in range(g0, g0 + n):
        for e in range(cur.inj_start[i], cur.inj_start[i + 1]):
            cur.inj_value[e] = value(cur, cur.inj_source[e], t + 1, cur.inj_value[e], rng, i)
            if cur.inj_record[e] >= 0 and n_rec > 0:
                cur.samples[t - cur.t0[0], cur.inj_record[e]] = cur.inj_value[e]


@njit(cache=True)
def values_at(cur, inj_neuron, t, rng):
    """Every injection's current in step t, given the held ones (host side: at load, reset and
    after a change of parameters)."""
    out = np.empty(cur.inj_source.size, dtype=np.float32)
    for e in range(cur.inj_source.size):
        out[e] = value(cur, cur.inj_source[e], t, cur.inj_value[e], rng, inj_neuron[e])
    return out
