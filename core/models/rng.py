"""Random streams, one per neuron (a SpiNNaker2 PE has a hardware RNG; one stream per neuron
keeps results independent of partitioning and threads): xorshift64* streams seeded by splitmix64, with
Poisson counts by inversion (small means) or Hormann's PTRS, normal deviates by Box and Muller's
transform, exponential ones by inversion and gamma ones by Marsaglia and Tsang's method (ACM TOMS
26: 363, 2000)."""
import math

import numpy as np
from numba import njit

_MULT = np.uint64(0x2545F4914F6CDD1D)
_S12, _S25, _S27, _S11 = np.uint64(12), np.uint64(25), np.uint64(27), np.uint64(11)


def seeds(seed: int, n: int, trial: int = 0) -> np.ndarray:
    """n independent non-zero stream states from one seed and a trial number (splitmix64 over
    the stream index), so each ``reset()`` starts a fresh, still reproducible realisation."""
    with np.errstate(over="ignore"):
        golden = np.uint64(0x9E3779B97F4A7C15)
        base = np.uint64((int(seed) * 0x9E3779B97F4A7C15 + int(trial) * 0xD1B54A32D192ED03) & 0xFFFFFFFFFFFFFFFF)
        x = base + golden * (np.arange(n, dtype=np.uint64) + np.uint64(1))
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    x[x == 0] = 1
    return x


@njit(cache=True, nogil=True, inline="always")
def deviate(x):
    """The uniform deviate in [0, 1) that stream state ``x`` gives."""
    return float((x * _MULT) >> _S11) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True, inline="always")
def advance(x):
    """The stream's next state after ``x`` and the uniform deviate in [0, 1) it gives."""
    x ^= x >> _S12
    x ^= x << _S25
    x ^= x >> _S27
    return x, deviate(x)


@njit(cache=True, nogil=True)
def uniform(state, i):
    state[i], u = advance(state[i])
    return u


@njit(cache=True, nogil=True)
def poisson(state, i, lam):
    return poisson_from(state, i, lam, math.exp(-lam))


INVERSION = 30.0         # means below this are drawn by inversion, larger ones by PTRS
TABLE = 8                # the cumulative probabilities P(K <= k), k < TABLE, a source may keep (a power of two: ``below``)


def poisson_table(lam, p0) -> list:
    """P(K <= k) for k < TABLE, summed as ``poisson_from``'s inversion sums them from the kept
    ``p0`` (columns for ``poisson_tabled``)."""
    p = np.asarray(p0, dtype=np.float64).copy()
    s, columns = p.copy(), []
    for k in range(TABLE):
        columns.append(s.copy())
        p = p * lam / (k + 1)
        s = s + p
    return columns


@njit(cache=True, nogil=True, inline="always")
def _invert(u, lam, p0, k):
    """Inversion, knowing the count is at least ``k``: the smallest count whose cumulative
    probability reaches u."""
    p = s = p0
    for j in range(1, k + 1):
        p *= lam / j
        s += p
    while u > s and k < 1000:
        k += 1
        p *= lam / k
        s += p
    return k


@njit(cache=True, nogil=True)
def poisson_from(state, i, lam, p0):
    """A Poisson count of mean ``lam``; ``p0 = exp(-lam)``, which a PE keeps per source rather than
    recomputing each step: inversion for small means, Hormann's PTRS for large ones."""
    if lam < INVERSION:
        return _invert(uniform(state, i), lam, p0, 0)
    return ptrs(state, i, lam)


@njit(cache=True, nogil=True, inline="always")
def poisson_tabled(state, i, lam, p0, table, row, col):
    """``poisson_from`` with the first TABLE cumulative probabilities kept in ``table[row, col:]``
    (``poisson_table``): a small count is the number of them below the uniform deviate, found
    without the inversion's dependent divisions and branches. Inlined into the source's loop
    (a call passing the table costs as much as the draw); the rare large counts and means are
    calls."""
    if lam >= INVERSION:
        return ptrs(state, i, lam)
    u = uniform(state, i)
    k = below(u, table, row, col)
    return k if k < TABLE else invert_beyond_table(u, lam, p0)


@njit(cache=True, nogil=True, inline="always")
def below(u, table, row, col):
    """How many of the TABLE cumulative probabilities in ``table[row, col:]`` lie below ``u``: a
    branch-free binary search (they never decrease), three comparisons for eight entries."""
    k = 0
    half = TABLE >> 1
    while half > 0:
        k += half * (u > table[row, col + k + half - 1])
        half >>= 1
    return k + (u > table[row, col + k]) if k == TABLE - 1 else k


@njit(cache=True, nogil=True)
def invert_beyond_table(u, lam, p0):
    """The count for a deviate ``u`` beyond the table's last cumulative probability."""
    return _invert(u, lam, p0, TABLE)


@njit(cache=True, nogil=True)
def ptrs(state, i, lam):
    """Hormann's transformed rejection with squeeze (PTRS) for large means."""
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = uniform(state, i) - 0.5
        v = uniform(state, i)
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return int(k)
        if k < 0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + math.log(inv_alpha) - math.log(a / (us * us) + b)
                <= -lam + k * loglam - math.lgamma(k + 1.0)):
            return int(k)


@njit(cache=True, nogil=True)
def normal(state, i):
    """A standard normal deviate (Box-Muller; one of the pair is used)."""
    u = 1.0 - uniform(state, i)           # in (0, 1]
    return math.sqrt(-2.0 * math.log(u)) * math.cos(2.0 * math.pi * uniform(state, i))


@njit(cache=True, nogil=True)
def exponential(state, i):
    """An exponential deviate of mean 1."""
    return -math.log(1.0 - uniform(state, i))


@njit(cache=True, nogil=True)
def gamma(state, i, shape):
    """A gamma deviate of the given shape and scale 1; shapes below 1 by boosting, X U^(1/shape)."""
    boost = 1.0
    if shape < 1.0:
        boost = (1.0 - uniform(state, i)) ** (1.0 / shape)
        shape += 1.0
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = normal(state, i)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = 1.0 - uniform(state, i)
        if math.log(u) < 0.5 * x * x + d - d * v + d * math.log(v):
            return d * v * boost
