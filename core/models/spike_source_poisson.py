"""Poisson spike source. Rates above one spike per step emit several spikes in a step, as
NEST's ``poisson_generator`` delivers spikes with multiplicity; the count rides in one packet's
payload. Each neuron draws from its own random stream, so a run is repeatable whatever the
partitioning, the thread count or anything else in the process."""
import numpy as np
from numba import njit

from .rng import poisson
from .spec import ModelSpec, stack

RATE, START, STOP = range(3)


def derive(p, dt):
    return stack(p["rate"] * dt / 1000.0, np.round(p["start"] / dt),
                 np.round((p["start"] + p["duration"]) / dt))


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c = nrn.constants
    for i in range(lo, hi):
        if c[i, START] <= t < c[i, STOP] and c[i, RATE] > 0:
            nrn.counts[i] = poisson(nrn.rng, i, c[i, RATE])


SPEC = ModelSpec(
    name="SpikeSourcePoisson", update=update,
    parameters=dict(rate=1.0, start=0.0, duration=1e10),
    state={}, state_columns=(), recordable=("spikes",),
    derive=derive, n_constants=3, is_source=True, int_columns=0,
    positive=(), non_negative=('rate', 'start', 'duration'))
