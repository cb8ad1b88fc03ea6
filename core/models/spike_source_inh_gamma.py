"""Inhomogeneous gamma-process spike source (Muller et al. 2007, Neural Comput. 19: 2958): a
renewal process whose hazard is that of a gamma distribution with shape a and scale b
(seconds), both piecewise constant in time bins starting at ``tbins`` (ms), evaluated at the
time since the last spike. Each step spikes with the exact probability of the hazard over the
step, 1 - Q(a, (age + dt)/b) / Q(a, age/b), Q the regularized upper incomplete gamma function
(NEST's ``inh_gamma_generator`` thins a Poisson process with the same hazard; at most one spike
per step here). Nothing is emitted before the first bin or outside [start, start + duration)."""
import math

import numpy as np
from numba import njit

from .rng import uniform
from .special import log_gamma_q
from .spec import ModelSpec, stack
from .spike_source_array import advance, stamp_steps

AGE = 2                             # int state after the cursor and end of the bins: steps since a spike
SHAPE, SCALE = 0, 1                 # columns of a bin's values
START, STOP, DT = range(3)


def derive(p, dt):
    return stack(np.round(p["start"] / dt), np.round((p["start"] + p["duration"]) / dt), np.full_like(p["start"], dt))


def events(label, sequences, dt):
    """Per neuron: the step each bin begins, and its (a, b in ms); a first, silent bin (b = 0)
    from step -1 covers the time before the first one."""
    steps, values = [], []
    for i, (a, b, tbins) in enumerate(zip(sequences["a"], sequences["b"], sequences["tbins"])):
        a, b, tbins = (np.asarray(x, dtype=float).ravel() for x in (a, b, tbins))
        if not a.size == b.size == tbins.size:
            raise ValueError(f"population {label!r}, neuron {i}: a, b and tbins must have the same length, "
                             f"not {a.size}, {b.size} and {tbins.size}")
        if np.any(np.diff(tbins) <= 0) or (tbins.size and tbins[0] < 0):
            raise ValueError(f"population {label!r}, neuron {i}: tbins must be increasing and >= 0")
        if np.any(a <= 0) or np.any(b < 0):
            raise ValueError(f"population {label!r}, neuron {i}: the shapes a must be > 0 and the scales b >= 0")
        steps.append(np.concatenate([[-1], stamp_steps(tbins, dt)]))
        values.append(np.stack([np.concatenate([[1.0], a]), np.concatenate([[0.0], b * 1000.0])], axis=1))
    return steps, values


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, is_ = nrn.constants, nrn.istate
    for i in range(lo, hi):
        k = advance(nrn, i, t)[0]
        if not c[i, START] <= t < c[i, STOP]:
            continue
        a, scale = nrn.table[k - 1, SHAPE], nrn.table[k - 1, SCALE]
        age = is_[i, AGE] * c[i, DT]
        if scale > 0.0:
            survive = math.exp(log_gamma_q(a, (age + c[i, DT]) / scale) - log_gamma_q(a, age / scale))
            if uniform(nrn.rng, i) >= survive:
                nrn.counts[i] = 1
                is_[i, AGE] = 0
                continue
        is_[i, AGE] += 1


SPEC = ModelSpec(
    name="SpikeSourceInhGamma", update=update,
    parameters=dict(start=0.0, duration=1e10), state={}, state_columns=(), recordable=("spikes",),
    derive=derive, n_constants=3, is_source=True, int_columns=3,
    non_negative=('start', 'duration'), sequences=("a", "b", "tbins"), events=events,
    sequence_defaults=dict(a=(1.0,), b=(1.0,), tbins=(0.0,)))
