"""Renewal spike sources in continuous time: the first interval is exponential (the process
starts in its last stage, or outside its dead time, as NEST's ``gamma_sup_generator`` and
``ppd_sup_generator`` do), each further one is drawn by the model. Spikes move to the end of the
step they fall in; each neuron draws from its own random stream."""
import numpy as np
from numba import njit

from .rng import exponential

NEXT = 0                 # float state: steps from the start of this step to the next spike
STARTED = 0              # int state: the first interval has been drawn
SCALE, START, STOP = range(3)   # constant columns: steps per unit of the first interval, active steps
# a renewal source's ModelSpec fields (its own constant column follows the three above)
LAYOUT = dict(state={}, state_columns=("next",), recordable=("spikes",), n_constants=4, is_source=True, int_columns=1)


def columns(scale, p, dt):
    """The constant columns SCALE, START, STOP (``scale``: np.inf for a source that never fires)."""
    return [scale, np.round(p["start"] / dt), np.round((p["start"] + p["duration"]) / dt)]


def make_update(module, interval):
    """A renewal source's ``update``; ``interval(c, i, rng)`` draws the steps from a spike to the
    next. ``module``: the model's module, which binds the result as ``update`` (the generated
    dispatch imports it from there; see ``ode.make_update``)."""
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
                nxt += interval(c, i, nrn.rng)
            fs[i, NEXT] = nxt - 1.0

    update.__module__, update.__qualname__ = module, "update"
    return njit(nogil=True)(update)
