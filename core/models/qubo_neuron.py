"""A stochastic binary neuron that anneals a QUBO, with the energy and the best state kept on the PEs.

Neuron i holds x_i in {0, 1} and the coupling part of its local field, H_i = -Σ_j J_ij x_j, so the
energy falls by h_i = H_i - b_i when x_i turns on (b_i = Q_ii, the bias). It sends a packet only
when it flips, with payload +1 (on: a spike) or -1 (off); a synapse of weight J_ij (in integer
energy quanta: excitatory for J < 0, inhibitory for J > 0, delay one step) adds J_ij d_j to the
neighbour's input, which subtracts it from H.

Step 0 loads the initial state: every neuron whose initial ``x`` is 1 turns on, as a flip, so
the fields and the energy of the initial state are computed on the machine from its packets.
From step 1 on, updates are Metropolis steps, as in simulated annealing (Kirkpatrick et al.
1983): in the steps where (t - 1) mod ``n_colours`` = ``colour`` (a proper colouring of the
coupling graph makes these parallel updates sequential ones; with one colour every neuron may
update in every step) a neuron tries, with probability ``p_update``, to flip, accepting uphill
moves with probability exp(-ΔE / T). T falls geometrically from ``t_hot`` to ``t_cold`` over
``anneal_time`` and starts again from ``t_hot`` (a restart from the current state) until
``anneals`` anneals are done; no flips after them.

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
steps, so run two steps past the last anneal to account for its last flips. The energy is
counted from x = 0 (energy 0; the offset and quantum are the host's); 2E must stay within
int32, which ``pynn_spinnaker2.qubo.integer_problem`` checks.

Replicas: with ``replica_size`` = m, the population holds size / m independent copies of a
problem of m variables (couplings only within a copy), each with its own energy and best
state. They share the PEs (a PE's neurons may belong to several copies): several anneals for
the price of one time step, when the problem leaves a PE's neurons spare.

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
# int32 state: per neuron the bits x(t), x(t-1), (unused), best and H; per PE and replica, in its
# first neuron's row, the pending partial 2ΔE, the two published ones, 2E, best 2E, best's step
S, H, PEND, PUB0, PUB1, E2, BEST2, BEST_STEP = range(8)
SEGMENT_COLUMNS = (PEND, PUB0, PUB1, E2, BEST2, BEST_STEP)
(BIAS, LOG_T_HOT, LOG_T_COLD, ANNEAL, ANNEALS, COLOUR, PERIOD, P_UPDATE, INDEX, SIZE) = range(10)
NO_BEST = np.iinfo(np.int32).max          # best 2E before the first state's energy is known


def replica_size(p) -> int:
    """Neurons per replica (``replica_size`` 0: the whole population)."""
    size = len(p["bias"])
    return int(p["replica_size"][0]) or size


def derive(p, dt):
    size = len(p["bias"])
    m = replica_size(p)
    return stack(p["bias"], np.log(p["t_hot"]), np.log(p["t_cold"]), np.round(p["anneal_time"] / dt),
                 p["anneals"], p["colour"], p["n_colours"], p["p_update"], np.arange(size) % m, np.full(size, m))


def check(label, p):
    for name in ("bias", "colour", "n_colours", "anneals", "replica_size"):
        values = np.asarray(p[name], dtype=float)
        bad = (values != np.round(values)) | (np.abs(values) >= 2 ** 24)
        if bad.any():
            raise ValueError(f"population {label!r}: {name} must be whole numbers (energy quanta, "
                             f"colours, counts) below 2**24 in magnitude, got {values[bad][0]}")
    if np.any(np.asarray(p["colour"]) >= np.asarray(p["n_colours"])):
        raise ValueError(f"population {label!r}: colour must be below n_colours")
    if np.any(np.asarray(p["p_update"]) > 1):
        raise ValueError(f"population {label!r}: p_update is a probability, must be <= 1")
    m, size = np.asarray(p["replica_size"]), len(p["bias"])
    if np.any(m != m[0]) or (m[0] and size % int(m[0])):
        raise ValueError(f"population {label!r}: replica_size must be one value that divides the population's "
                         f"size ({size}), or 0 for one replica; got {sorted(set(m.tolist()))[:3]}")


def check_state(label, state):
    x = np.asarray(state["x"])
    bad = (x != 0) & (x != 1)
    if bad.any():
        raise ValueError(f"population {label!r}: the initial state x must be 0 or 1, got {x[bad][0]}")


def check_projection(label, p, pre_index, post_index):
    m = replica_size(p)
    across = np.flatnonzero(pre_index // m != post_index // m)
    if across.size:
        k = across[0]
        raise ValueError(f"projection {label!r}: synapse {pre_index[k]} -> {post_index[k]} joins two replicas "
                         f"(replica_size {m}); each replica's energy counts flips of its own neurons only")


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    """Each run of neurons of one replica on this PE is a segment, with its own energy."""
    c = nrn.constants
    first, hi = np.int64(lo), np.int64(hi)      # segment bounds are computed in signed arithmetic
    while first < hi:
        start = first - np.int64(c[first, INDEX])
        end = start + np.int64(c[first, SIZE])
        last = min(hi, end)
        _segment(first, last, start, end, t, nrn)
        first = last


@njit(cache=True, nogil=True)
def _segment(lo, hi, r0, r1, t, nrn):
    """Neurons lo..hi-1 of the replica r0..r1-1."""
    c, s_, fs, syn = nrn.constants, nrn.istate, nrn.fstate, nrn.syn_in
    if t == 0:
        s_[lo, BEST2] = NO_BEST
    # flips of step t - 1 arrive: update H, and complete and publish the PE's 2ΔE(t - 1)
    pair = np.int64(0)
    for i in range(lo, hi):
        s = np.int64(np.rint(syn[i, 1])) - np.int64(np.rint(syn[i, 0]))    # Σ_j J_ij d_j(t - 1)
        s_[i, H] -= s
        bits = s_[i, S]
        pair += ((bits & 1) - ((bits >> 1) & 1)) * s                      # d_i(t - 1) s_i
    s_[lo, PUB0 + ((t + 1) & 1)] = s_[lo, PEND] + pair
    # every PE's 2ΔE(t - 2), published in the last step: the running energy and the best state
    total = np.int64(0)
    column = PUB0 + (t & 1)
    for r in range(r0, r1):
        total += s_[r, column]
    e2 = s_[lo, E2] + total
    s_[lo, E2] = e2
    if t >= 2 and e2 < s_[lo, BEST2]:             # from step 2 on, 2E is that of a state held
        s_[lo, BEST2] = e2
        s_[lo, BEST_STEP] = t - 1                 # steps completed when that state was held
        for i in range(lo, hi):
            bits = s_[i, S]
            s_[i, S] = (bits & 7) | (((bits >> 1) & 1) << 3)   # bit 1 holds x(t - 2) until the shift below
    # this step's flips: the initial state's in step 0, Metropolis ones after. A PE's neurons
    # usually share their schedule: what depends only on it is computed once per change
    pend = np.int64(0)
    u = t - 1
    period = anneal = anneals = log_hot = log_cold = np.float32(np.nan)
    slot = np.int64(-1)
    beta = np.nan
    for i in range(lo, hi):
        bits = s_[i, S]
        x = bits & 1
        flip = False
        if t == 0:
            flip = fs[i, X] != 0 and x == 0
        else:
            if c[i, PERIOD] != period or c[i, ANNEAL] != anneal or c[i, ANNEALS] != anneals:
                period, anneal, anneals = c[i, PERIOD], c[i, ANNEAL], c[i, ANNEALS]
                slot = u % np.int64(period) if u < np.int64(anneal) * np.int64(anneals) else np.int64(-1)
                beta = np.nan
            if slot == np.int64(c[i, COLOUR]) and (c[i, P_UPDATE] >= 1.0 or uniform(nrn.rng, i) < c[i, P_UPDATE]):
                de = (2 * x - 1) * (np.int64(s_[i, H]) - np.int64(c[i, BIAS]))
                if de <= 0:
                    flip = True
                else:
                    if c[i, LOG_T_HOT] != log_hot or c[i, LOG_T_COLD] != log_cold or np.isnan(beta):
                        log_hot, log_cold = c[i, LOG_T_HOT], c[i, LOG_T_COLD]
                        beta = 1.0 / _temperature(log_hot, log_cold, np.int64(anneal), u)
                    flip = uniform(nrn.rng, i) < math.exp(-de * beta)
        if flip:
            d = 1 - 2 * x
            pend += 2 * d * (np.int64(c[i, BIAS]) - np.int64(s_[i, H]))      # 2ΔE = -2 d h
            x ^= 1
            nrn.counts[i] = d
        s_[i, S] = (bits & 8) | ((bits << 1) & 2) | x
        fs[i, X] = x
        fs[i, ENERGY] = 0.5 * e2
    s_[lo, PEND] = pend


@njit(cache=True, nogil=True)
def _temperature(log_hot, log_cold, steps, u):
    """Geometric schedule from t_hot at an anneal's first step to t_cold at its last."""
    phase = u % steps
    f = phase / (steps - 1.0) if steps > 1 else 1.0
    return math.exp(log_hot + (log_cold - log_hot) * f)


def repartition(istate, constants, old_starts, new_starts):
    """The population's PEs changed between runs (``Emulator.carry_over``): each replica's
    energies, identical on every PE, go to the first row of each of its new segments, and the
    partial sums under way (pending and published, whose sums over the PEs are what counts)
    to its first segment; per-neuron state stays with the neurons."""
    size = int(constants[0, SIZE])
    cols = list(SEGMENT_COLUMNS)
    for r0 in range(0, len(istate), size):
        old = _segment_starts(old_starts, r0, size)
        new = _segment_starts(new_starts, r0, size)
        shared = istate[old[0], [E2, BEST2, BEST_STEP]].copy()
        partial = istate[old][:, [PEND, PUB0, PUB1]].astype(np.int64).sum(axis=0)
        istate[r0:r0 + size, cols] = 0
        istate[np.ix_(new, [E2, BEST2, BEST_STEP])] = shared
        istate[new[0], [PEND, PUB0, PUB1]] = partial


def _segment_starts(pe_starts, r0, size):
    """Rows starting a segment of the replica r0..r0+size-1: its first row and the PE starts inside it."""
    starts = np.asarray(pe_starts, dtype=np.int64)
    return np.concatenate([[r0], starts[(starts > r0) & (starts < r0 + size)]])


SPEC = ModelSpec(
    name="QUBONeuron", update=update,
    parameters=dict(bias=0.0, t_hot=10.0, t_cold=0.1, anneal_time=1000.0, anneals=1.0, colour=0.0,
                    n_colours=1.0, p_update=1.0, replica_size=0.0),
    state=dict(x=0.0), state_columns=("x", "energy"), recordable=("spikes", "x", "energy"),
    derive=derive, n_constants=10, int_columns=8, weight_units="quanta", extra_check=check,
    state_check=check_state, projection_check=check_projection, repartition=repartition,
    state_from_start=True, integer_weights=True, signed_events=True, recurrent_only=True,
    positive=("t_hot", "t_cold", "n_colours", "p_update", "anneals"),
    non_negative=("anneal_time", "colour", "replica_size"))
