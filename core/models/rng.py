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


@njit(cache=True, nogil=True)
def uniform(state, i):
    x = state[i]
    x ^= x >> _S12
    x ^= x << _S25
    x ^= x >> _S27
    state[i] = x
    return float((x * _MULT) >> _S11) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def poisson(state, i, lam):
    return poisson_from(state, i, lam, math.exp(-lam))


@njit(cache=True, nogil=True)
def poisson_from(state, i, lam, p0):
    """A Poisson count of mean ``lam``; ``p0 = exp(-lam)``, which a PE keeps per source rather than
    recomputing each step: inversion for small means, Hormann's PTRS for large ones."""
    if lam < 30.0:
        p = p0
        s = p
        u = uniform(state, i)
        k = 0
        while u > s and k < 1000:
            k += 1
            p *= lam / k
            s += p
        return k
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
