"""Gamma-process spike source: inter-spike intervals are gamma distributed with shape alpha and
rate beta (Hz), mean alpha/beta. Like NEST's ``gamma_sup_generator`` (one process), the process
starts in its last stage, so the first spike follows an exponential interval of rate beta; unlike
it, time is continuous and alpha need not be a whole number. Spikes move to the end of the step
they fall in; each neuron draws from its own random stream."""
import numpy as np
from numba import njit

from .rng import exponential, gamma
from .spec import ModelSpec, stack

NEXT = 0
STARTED = 0
ALPHA, SCALE, START, STOP = range(4)


def derive(p, dt):
    beta = np.asarray(p["beta"], dtype=float)
    scale = np.where(beta > 0, 1000.0 / np.where(beta > 0, beta, 1.0) / dt, np.inf)   # steps per unit
    return stack(p["alpha"], scale, np.round(p["start"] / dt), np.round((p["start"] + p["duration"]) / dt))


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs, is_ = nrn.constants, nrn.fstate, nrn.istate
    for i in range(lo, hi):
        if not (c[i, START] <= t < c[i, STOP]) or not c[i, SCALE] < np.inf:
            continue
        nxt = fs[i, NEXT]
        if is_[i, STARTED] == 0:
            is_[i, STARTED] = 1
            nxt = c[i, SCALE] * exponential(nrn.rng, i)
        while nxt < 1.0:
            nrn.counts[i] += 1
            nxt += c[i, SCALE] * gamma(nrn.rng, i, c[i, ALPHA])
        fs[i, NEXT] = nxt - 1.0


SPEC = ModelSpec(
    name="SpikeSourceGamma", update=update,
    parameters=dict(alpha=2.0, beta=1.0, start=0.0, duration=1e10),
    state={}, state_columns=("next",), recordable=("spikes",),
    derive=derive, n_constants=4, is_source=True, int_columns=1,
    positive=('alpha',), non_negative=('beta', 'start', 'duration'))
