"""Poisson spike source with dead time: inter-spike intervals are tau_refrac plus an exponential
interval whose mean makes the rate ``rate`` (NEST's ``ppd_sup_generator`` with one process, in
continuous time). Like NEST's, the process starts outside its dead time. Spikes move to the end
of the step they fall in; each neuron draws from its own random stream."""
import numpy as np
from numba import njit

from .rng import exponential
from .spec import ModelSpec, stack

NEXT = 0                 # float state: steps from the start of this step to the next spike
STARTED = 0              # int state: the first interval has been drawn
MEAN_FREE, DEAD, START, STOP = range(4)


def derive(p, dt):
    rate = np.asarray(p["rate"], dtype=float)
    free = np.where(rate > 0, 1000.0 / np.where(rate > 0, rate, 1.0) - p["tau_refrac"], np.inf)
    return stack(free / dt, p["tau_refrac"] / dt, np.round(p["start"] / dt), np.round((p["start"] + p["duration"]) / dt))


def check(label, p):
    rate = np.asarray(p["rate"], dtype=float)
    bad = (rate > 0) & (1000.0 / np.where(rate > 0, rate, 1.0) <= p["tau_refrac"])
    if bad.any():
        raise ValueError(f"population {label!r}: rate {rate[bad][0]} Hz cannot be reached with a dead time of "
                         f"{np.asarray(p['tau_refrac'])[bad][0]} ms; the rate must be below 1000 / tau_refrac")


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs, is_ = nrn.constants, nrn.fstate, nrn.istate
    for i in range(lo, hi):
        if not (c[i, START] <= t < c[i, STOP]) or not c[i, MEAN_FREE] < np.inf:
            continue
        nxt = fs[i, NEXT]
        if is_[i, STARTED] == 0:
            is_[i, STARTED] = 1
            nxt = c[i, MEAN_FREE] * exponential(nrn.rng, i)
        while nxt < 1.0:
            nrn.counts[i] += 1
            nxt += c[i, DEAD] + c[i, MEAN_FREE] * exponential(nrn.rng, i)
        fs[i, NEXT] = nxt - 1.0


SPEC = ModelSpec(
    name="SpikeSourcePoissonRefractory", update=update,
    parameters=dict(rate=1.0, tau_refrac=0.0, start=0.0, duration=1e10),
    state={}, state_columns=("next",), recordable=("spikes",),
    derive=derive, n_constants=4, is_source=True, int_columns=1,
    non_negative=('rate', 'tau_refrac', 'start', 'duration'), extra_check=check)
