"""Poisson spike source. Rates above one spike per step emit several spikes in a step, as
NEST's ``poisson_generator`` delivers spikes with multiplicity; the count rides in one packet's
payload. Each neuron draws from its own random stream, so a run is repeatable whatever the
partitioning, the thread count or anything else in the process."""
import numpy as np
from numba import njit

from .rng import INVERSION, TABLE, advance, below, invert_beyond_table, poisson_table, poisson_tabled, ptrs
from .spec import ModelSpec, stack

RATE, START, STOP, P0, CDF = range(5)     # CDF: the first of TABLE columns


def derive(p, dt):
    lam = np.asarray(p["rate"] * dt / 1000.0, dtype=np.float64)
    p0 = np.exp(-lam).astype(np.float32)       # the table from the float32 values the PE holds
    return stack(lam, np.round(p["start"] / dt), np.round((p["start"] + p["duration"]) / dt), p0,
                 *poisson_table(lam.astype(np.float32).astype(np.float64), p0))


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c = nrn.constants
    for i in range(lo, hi):
        if c[i, START] <= t < c[i, STOP] and c[i, RATE] > 0:
            nrn.counts[i] = poisson_tabled(nrn.rng, i, c[i, RATE], c[i, P0], c, i, CDF)


@njit(cache=True, nogil=True)
def update_window(lo, hi, t0, steps, nrn):
    """``update`` for the steps t0 .. t0 + steps - 1 into ``nrn.window_counts``, source by source:
    the same draws from the same streams, with a source's stream state and table read once."""
    c, out, state = nrn.constants, nrn.window_counts, nrn.rng
    for i in range(lo, hi):
        lam, p0, start, stop = c[i, RATE], c[i, P0], c[i, START], c[i, STOP]
        x = state[i]
        for w in range(steps):
            k = 0
            if start <= t0 + w < stop and lam > 0:
                if lam >= INVERSION:
                    state[i] = x
                    k = ptrs(state, i, lam)
                    x = state[i]
                else:
                    x, u = advance(x)
                    k = below(u, c, i, CDF)
                    if k == TABLE:
                        k = invert_beyond_table(u, lam, p0)
            out[i, w] = k
        state[i] = x


SPEC = ModelSpec(
    name="SpikeSourcePoisson", update=update,
    parameters=dict(rate=1.0, start=0.0, duration=1e10),
    state={}, state_columns=(), recordable=("spikes",), update_window=update_window,
    derive=derive, n_constants=4 + TABLE, table_columns=TABLE, is_source=True, int_columns=0,
    positive=(), non_negative=('rate', 'start', 'duration'))
