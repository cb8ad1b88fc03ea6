"""Poisson spike source. Rates above one spike per step emit several packets in a step, as
NEST's ``poisson_generator`` delivers spikes with multiplicity. Draws come from the PE's own
random number generator, so a run is repeatable whatever else runs in the process."""
import numpy as np
from numba import njit

from .rng import poisson
from .spec import ModelSpec, stack


def derive(p, dt):
    return stack(p["rate"] * dt / 1000.0, np.round(p["start"] / dt),
                 np.round((p["start"] + p["duration"]) / dt))


@njit(cache=True, nogil=True)
def update(lo, hi, t, c, fs, is_, events, syn_in, counts, rng, pe):
    for i in range(lo, hi):
        if c[i, 1] <= t < c[i, 2] and c[i, 0] > 0:
            counts[i] = poisson(rng, pe, c[i, 0])


SPEC = ModelSpec(
    name="SpikeSourcePoisson", kernel=3,
    parameters=dict(rate=1.0, start=0.0, duration=1e10),
    state={}, state_columns=(), recordable=("spikes",),
    derive=derive, n_constants=3, is_source=True,
    positive=(), non_negative=('rate', 'start', 'duration'))
