"""Spike source replaying given times. Spikes are stamped at the end of the step that emits
them, as in NEST; a time t belongs to the step ending at or after it, so t on the grid is emitted
in step t/dt - 1 and carries stamp t, and a time between grid points moves to the end of its step
(NEST's ``spike_generator`` on the grid: ``Time::ms_stamp``, after rounding to NEST's 1 us tics).
Each neuron walks its own sorted event list with a cursor held in its int32 state."""
import numpy as np
from numba import njit

from .spec import TICS_PER_MS, ModelSpec

CURSOR, END = 0, 1


def stamp_steps(times, dt):
    """The grid stamp (in steps) of each spike time: the end of the step the time falls in."""
    tics = np.floor(np.asarray(times, dtype=float) * TICS_PER_MS + 0.5)
    return np.ceil(tics / np.round(dt * TICS_PER_MS) - 1e-9).astype(np.int64)


def events(label, sequences, dt):
    """Per neuron: the steps that emit its spikes (no values)."""
    steps = []
    for i, times in enumerate(sequences["spike_times"]):
        s = stamp_steps(times, dt) - 1
        if s.size and s.min() < 0:
            raise ValueError(f"population {label!r}, neuron {i}: spike time {times[np.argmin(s)]} ms is before "
                             f"the first time step; spike times must be >= one time step ({dt} ms)")
        steps.append(s)
    return steps, None


@njit(cache=True, nogil=True)
def advance(nrn, i, t):
    """Moves neuron ``i``'s cursor past its events up to step ``t``; returns the new cursor and
    how many of the events passed fall on ``t``."""
    is_, events = nrn.istate, nrn.events
    k, now = is_[i, CURSOR], 0
    while k < is_[i, END] and events[k] <= t:
        if events[k] == t:
            now += 1
        k += 1
    is_[i, CURSOR] = k
    return k, now


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    for i in range(lo, hi):
        nrn.counts[i] += advance(nrn, i, t)[1]


SPEC = ModelSpec(
    name="SpikeSourceArray", update=update,
    parameters={}, state={}, state_columns=(), recordable=("spikes",),
    derive=None, n_constants=0, is_source=True, int_columns=2, sequences=("spike_times",), events=events)
