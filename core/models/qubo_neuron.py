"""A stochastic binary neuron that anneals a QUBO, with the energy and the best state kept on the PEs.

Neuron i holds x_i in {0, 1} and the coupling part of its local field, H_i = -Σ_j J_ij x_j, so the
energy falls by h_i = H_i - b_i when x_i turns on (b_i = Q_ii, the bias). It sends a packet only
when it flips, with payload +1 (on) or -1 (off); a synapse of weight J_ij (in integer energy
quanta: excitatory for J < 0, inhibitory for J > 0, delay one step) adds J_ij d_j to the
neighbour's input, which subtracts it from H. Updates are Metropolis steps, as in simulated
annealing (Kirkpatrick et al. 1983): in the steps where t mod ``n_colours`` = ``colour`` (a
proper colouring of the coupling graph makes these parallel updates sequential ones; with one
colour every neuron may update in every step) a neuron tries, with probability ``p_update``, to
flip, accepting uphill moves with probability exp(-ΔE / T); T falls geometrically from ``t_hot``
to ``t_cold`` over ``anneal_time``, computed on the PE from those parameters. No flips after it.

Energy bookkeeping, exact in integers (2E, int32). Flips of step t change the energy by
ΔE = Σ_i -d_i h_i + Σ_{i<j} J_ij d_i d_j, the second sum correcting for coupled neurons that
flipped together. Each PE adds its flips' -2 d_i h_i at step t and, when the flips arrive at
step t + 1 as s_i = Σ_j J_ij d_j, its pair share d_i s_i (each pair is counted by both of its
neurons), and publishes its partial sum of 2ΔE(t) in its first neuron's row. At step t + 2
every PE of the population reads the published partial sums (the partial sums of one step
are written in one of two columns, by step parity, so no PE reads a column another PE writes
in that step), adds them to its copy of 2E, identical on every PE, and when 2E falls below the
best so far, every PE snapshots its neurons' x(t) from a two-step history. So the best state
and its energy stay on the machine and are read back as data; they lag the dynamics by two
steps, so run two steps past ``anneal_time`` to account for the last flips. The initial state
is x = 0 with energy 0 (the offset and quantum are the host's); 2E must stay within int32, which
``pynn_spinnaker2.qubo.integer_problem`` checks.

Takes what ``pynn_spinnaker2.qubo`` builds, and the core enforces: one population per QUBO,
couplings between its neurons only, with delays of one step (``recurrent_only``), whole-number
weights (``integer_weights``: the weight step is one quantum, so sums are exact).
"""
import math

import numpy as np
from numba import njit

from .rng import uniform
from .spec import ModelSpec, stack

X, ENERGY = 0, 1              # float32 state, for recording: x_i, and E (quanta) two steps back
# int32 state: per neuron the bits x(t), x(t-1), (unused), best and H; per PE, in its
# first neuron's row, the pending partial 2ΔE, the two published ones, 2E, best 2E, best's step
S, H, PEND, PUB0, PUB1, E2, BEST2, BEST_STEP = range(8)
(BIAS, LOG_T_HOT, LOG_T_COLD, ANNEAL, COLOUR, PERIOD, P_UPDATE, INDEX, SIZE) = range(9)


def derive(p, dt):
    size = len(p["bias"])
    return stack(p["bias"], np.log(p["t_hot"]), np.log(p["t_cold"]), np.round(p["anneal_time"] / dt),
                 p["colour"], p["n_colours"], p["p_update"], np.arange(size), np.full(size, size))


def check(label, p):
    for name in ("bias", "colour", "n_colours"):
        values = np.asarray(p[name], dtype=float)
        bad = (values != np.round(values)) | (np.abs(values) >= 2 ** 24)
        if bad.any():
            raise ValueError(f"population {label!r}: {name} must be whole numbers (energy quanta, "
                             f"colours) below 2**24 in magnitude, got {values[bad][0]}")
    if np.any(np.asarray(p["colour"]) >= np.asarray(p["n_colours"])):
        raise ValueError(f"population {label!r}: colour must be below n_colours")
    if np.any(np.asarray(p["p_update"]) > 1):
        raise ValueError(f"population {label!r}: p_update is a probability, must be <= 1")


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, s_, fs, syn = nrn.constants, nrn.istate, nrn.fstate, nrn.syn_in
    # flips of step t - 1 arrive: update H, and complete and publish the PE's 2ΔE(t - 1)
    pair = np.int64(0)
    for i in range(lo, hi):
        s = np.int64(np.rint(syn[i, 1])) - np.int64(np.rint(syn[i, 0]))    # Σ_j J_ij d_j(t - 1)
        s_[i, H] -= s
        bits = s_[i, S]
        pair += ((bits & 1) - ((bits >> 1) & 1)) * s                      # d_i(t - 1) s_i
    s_[lo, PUB0 + ((t + 1) & 1)] = s_[lo, PEND] + pair
    # every PE's 2ΔE(t - 2), published in the last step: the running energy and the best state
    p0 = lo - np.int64(c[lo, INDEX])
    total = np.int64(0)
    for r in range(p0, p0 + np.int64(c[lo, SIZE])):
        total += s_[r, PUB0 + (t & 1)]
    e2 = s_[lo, E2] + total
    s_[lo, E2] = e2
    if e2 < s_[lo, BEST2]:
        s_[lo, BEST2] = e2
        s_[lo, BEST_STEP] = t - 1                 # steps completed when that state was held
        for i in range(lo, hi):
            bits = s_[i, S]
            s_[i, S] = (bits & 7) | (((bits >> 1) & 1) << 3)   # bit 1 holds x(t - 2) until the shift below
    # this step's Metropolis flips
    pend = np.int64(0)
    for i in range(lo, hi):
        bits = s_[i, S]
        x = bits & 1
        if t < c[i, ANNEAL] and t % np.int64(c[i, PERIOD]) == np.int64(c[i, COLOUR]) and (
                c[i, P_UPDATE] >= 1.0 or uniform(nrn.rng, i) < c[i, P_UPDATE]):
            h = np.int64(s_[i, H]) - np.int64(c[i, BIAS])
            d = 1 - 2 * x
            de = -d * h
            if de <= 0 or uniform(nrn.rng, i) < math.exp(-de / _temperature(c, i, t)):
                x ^= 1
                nrn.counts[i] = d
                pend += 2 * de
        s_[i, S] = (bits & 8) | ((bits << 1) & 2) | x
        fs[i, X] = x
        fs[i, ENERGY] = 0.5 * e2
    s_[lo, PEND] = pend


@njit(cache=True, nogil=True, inline="always")
def _temperature(c, i, t):
    """Geometric schedule from t_hot at step 0 to t_cold at the last annealing step."""
    last = c[i, ANNEAL] - 1.0
    f = min(t / last, 1.0) if last > 0 else 1.0
    return math.exp(c[i, LOG_T_HOT] + (c[i, LOG_T_COLD] - c[i, LOG_T_HOT]) * f)


SPEC = ModelSpec(
    name="QUBONeuron", update=update,
    parameters=dict(bias=0.0, t_hot=10.0, t_cold=0.1, anneal_time=1000.0, colour=0.0, n_colours=1.0,
                    p_update=1.0),
    state={}, state_columns=("x", "energy"), recordable=("x", "energy"),
    derive=derive, n_constants=9, int_columns=8, weight_units="quanta", extra_check=check,
    integer_weights=True, signed_events=True, recurrent_only=True,
    positive=("t_hot", "t_cold", "n_colours", "p_update"), non_negative=("anneal_time", "colour"))
