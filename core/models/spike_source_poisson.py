"""Poisson spike source. Rates above one spike per step emit several spikes in a step, as
NEST's ``poisson_generator`` delivers spikes with multiplicity; the count rides in one packet's
payload. Each neuron draws from its own random stream, so a run is repeatable whatever the
partitioning, the thread count or anything else in the process."""
import numpy as np
from numba import njit

from .rng import poisson_from
from .spec import ModelSpec, stack

RATE, START, STOP, P0 = range(4)


def derive(p, dt):
    lam = p["rate"] * dt / 1000.0
    return stack(lam, np.round(p["start"] / dt), np.round((p["start"] + p["duration"]) / dt), np.exp(-lam))


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c = nrn.constants
    for i in range(lo, hi):
        if c[i, START] <= t < c[i, STOP] and c[i, RATE] > 0:
            nrn.counts[i] = poisson_from(nrn.rng, i, c[i, RATE], c[i, P0])


SPEC = ModelSpec(
    name="SpikeSourcePoisson", update=update,
    parameters=dict(rate=1.0, start=0.0, duration=1e10),
    state={}, state_columns=(), recordable=("spikes",),
    derive=derive, n_constants=4, is_source=True, int_columns=0,
    positive=(), non_negative=('rate', 'start', 'duration'))
