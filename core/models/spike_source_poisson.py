"""Poisson spike source. Rates above one spike per step emit several spikes in a step, as
NEST's ``poisson_generator`` delivers spikes with multiplicity; the count rides in one packet's
payload. Each neuron draws from its own random stream, so a run is repeatable whatever the
partitioning, the thread count or anything else in the process."""
import numpy as np
from numba import njit

from .rng import INVERSION, TABLE, advance, deviate, invert_beyond_table, poisson_table, poisson_tabled, ptrs
from .spec import ModelSpec, stack

RATE, START, STOP, P0, CDF = range(5)     # CDF: the first of TABLE columns
_RATE, _START, _STOP, _P0, _CDF = (np.uint64(c) for c in (RATE, START, STOP, P0, CDF))


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
    """``update`` for the steps t0 .. t0 + steps - 1 into ``nrn.window_counts``: the same draws
    from the same streams, step by step over the sources with no call or branch, which LLVM
    vectorises: the constants column-major (``nrn.source_constants``), flat and indexed unsigned
    (numba's wrap-around of signed indices would hide that the accesses are contiguous). Counts
    past the table and means for PTRS follow in a second pass."""
    n_all = np.uint64(nrn.source_constants.shape[1])
    c, out = nrn.source_constants.reshape(nrn.source_constants.size), nrn.window_counts.reshape(nrn.window_counts.size)
    state, first = nrn.rng, np.uint64(lo)
    for w in range(steps):
        t = t0 + w
        row = np.uint64(w) * n_all
        rare = 0
        for g in range(first, np.uint64(hi)):
            lam = c[_RATE * n_all + g]
            drawn = (c[_START * n_all + g] <= t) & (t < c[_STOP * n_all + g]) & (lam > 0) & (lam < INVERSION)
            old = state[g]
            x, u = advance(old)
            k = np.int32(0)
            for j in range(TABLE):
                k += np.int32(u > c[(_CDF + np.uint64(j)) * n_all + g])
            state[g] = x if drawn else old
            out[row + g] = k if drawn else 0
            rare += np.int32(k == TABLE) | np.int32(lam >= INVERSION)
        if rare:
            for g in range(first, np.uint64(hi)):
                lam = c[_RATE * n_all + g]
                if lam >= INVERSION and c[_START * n_all + g] <= t < c[_STOP * n_all + g]:
                    out[row + g] = ptrs(state, g, lam)
                elif lam < INVERSION and out[row + g] == TABLE:
                    out[row + g] = invert_beyond_table(deviate(state[g]), lam, c[_P0 * n_all + g])


SPEC = ModelSpec(
    name="SpikeSourcePoisson", update=update,
    parameters=dict(rate=1.0, start=0.0, duration=1e10),
    state={}, state_columns=(), recordable=("spikes",), update_window=update_window,
    derive=derive, n_constants=4 + TABLE, table_columns=TABLE, is_source=True, int_columns=0,
    positive=(), non_negative=('rate', 'start', 'duration'))
