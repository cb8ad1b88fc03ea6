"""Current sources as the neuron PEs hold them: each source's schedule in time steps, and per
neuron the list of sources injecting into it (``runtime/currents.py`` evaluates them).

Timing follows pyNN.nest: the value a source has at time t acts on the step (t, t + dt]; a
source's start, stop and step times are rounded to the nearest step (PyNN's rule); an AC source's
phase is counted from its start; a noise source draws a new value every dt ms from its start,
independently for each target neuron. (pyNN.nest cannot deliver a current in its first
min_delay + dt: NEST's generators reach neurons through a connection delay. The machine's sources
sit on the PEs and act from the first step.)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..network import Network

DC, AC, STEP, NOISE = range(4)
KINDS = {"dc": DC, "ac": AC, "step": STEP, "noise": NOISE}
START, STOP, AMPLITUDE, OFFSET, OMEGA, PHASE, EVERY = range(7)     # columns of ``param``
N_PARAMS = 7
MAX_STEP = 2 ** 62


def steps_of(ms, dt):
    """Times (ms) as whole steps, rounded to the nearest step as PyNN's sources round them."""
    return np.rint(np.asarray(ms, dtype=float) / dt).astype(np.int64)


def schedules(network: Network, dt: float):
    """(kind, param, step_start, step_at, step_amp): every source's schedule in steps."""
    sources = network.current_sources
    kind = np.array([KINDS[s.kind] for s in sources], dtype=np.int64)
    param = np.zeros((len(sources), N_PARAMS))
    step_at, step_amp, step_start = [], [], [0]
    for k, src in enumerate(sources):
        p = src.parameters
        if src.kind == "step":
            at = steps_of(p.get("times", []), dt)
            amplitude = np.asarray(p.get("amplitudes", []), dtype=float)
            last = np.flatnonzero(np.append(np.diff(at) != 0, True))      # a rounded-together time keeps its last value
            step_at.append(at[last])
            step_amp.append(amplitude[last])
            step_start.append(step_start[-1] + last.size)
            param[k, START], param[k, STOP] = 0, MAX_STEP
            continue
        step_start.append(step_start[-1])
        stop = p.get("stop", 1e12)
        param[k, START] = steps_of(p.get("start", 0.0), dt)
        param[k, STOP] = min(float(steps_of(stop, dt)), MAX_STEP) if np.isfinite(stop) else MAX_STEP
        if src.kind == "dc":
            param[k, AMPLITUDE] = p.get("amplitude", 1.0)
        elif src.kind == "ac":
            param[k, AMPLITUDE] = p.get("amplitude", 1.0)
            param[k, OFFSET] = p.get("offset", 0.0)
            param[k, OMEGA] = 2 * np.pi * p.get("frequency", 10.0) * dt / 1000.0
            param[k, PHASE] = np.deg2rad(p.get("phase", 0.0))
        else:
            every = p.get("dt", dt) / dt
            if abs(every - round(every)) > 1e-9 * max(1.0, every) or round(every) < 1:
                raise ValueError(f"current source {src.label!r}: the noise interval dt ({p.get('dt')} ms) must "
                                 f"be a whole multiple of the time step ({dt} ms)")
            param[k, AMPLITUDE] = p.get("mean", 0.0)
            param[k, OFFSET] = p.get("stdev", 1.0)
            param[k, EVERY] = round(every)
    cat = (lambda parts, dtype: np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype))
    return (kind, param, np.array(step_start, dtype=np.int64), cat(step_at, np.int64), cat(step_amp, np.float64))


def injections(network: Network, pop_offset: np.ndarray):
    """CSR over global neurons: each neuron's sources, in the order the sources were made."""
    n = int(pop_offset[-1])
    neuron, source = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for k, src in enumerate(network.current_sources):
        for p, index in src.targets:
            index = np.unique(np.asarray(index, dtype=np.int64))
            neuron.append(pop_offset[p] + index)
            source.append(np.full(index.size, k, dtype=np.int64))
    neuron, source = np.concatenate(neuron), np.concatenate(source)
    order = np.lexsort((source, neuron))
    inj_start = np.concatenate([[0], np.cumsum(np.bincount(neuron, minlength=n))]).astype(np.int64)
    return inj_start, source[order], neuron[order]


def recorded_entries(network: Network, inj_source: np.ndarray) -> np.ndarray:
    """Column of each injection in the recorded samples (-1: not recorded): a recorded noise
    source records every target (it is recorded as their mean, as NEST does); any other source
    gives every target the same current, so its first target is recorded."""
    record = np.full(inj_source.size, -1, dtype=np.int64)
    column = 0
    for k, src in enumerate(network.current_sources):
        if not src.record:
            continue
        mine = np.flatnonzero(inj_source == k)
        if src.kind != "noise":
            mine = mine[:1]
        record[mine] = np.arange(column, column + mine.size)
        column += mine.size
    return record


def pe_bytes(inj_start, inj_source, step_start, g0, n) -> int:
    """SRAM of a neuron PE's current sources: per neuron an offset word; per injection its
    source, held value and recording column; per source used the schedule (7 words, plus two
    per step of a step source)."""
    lo, hi = inj_start[g0], inj_start[g0 + n]
    used = np.unique(inj_source[lo:hi])
    steps = int(np.sum(step_start[used + 1] - step_start[used])) if used.size else 0
    return 4 * (n + 1) + 12 * int(hi - lo) + 4 * (N_PARAMS * used.size + 2 * steps) if hi > lo else 0


@dataclass
class CurrentImages:
    """What the neuron PEs hold for current sources (the held values are run-time state)."""
    kind: np.ndarray
    param: np.ndarray
    step_start: np.ndarray
    step_at: np.ndarray
    step_amp: np.ndarray
    inj_start: np.ndarray
    inj_source: np.ndarray
    inj_neuron: np.ndarray
    inj_record: np.ndarray

    @property
    def n_recorded(self) -> int:
        return int(self.inj_record.max()) + 1 if self.inj_record.size else 0


def current_images(network: Network, pop_offset: np.ndarray) -> CurrentImages:
    inj_start, inj_source, inj_neuron = injections(network, pop_offset)
    return CurrentImages(*schedules(network, network.timestep), inj_start, inj_source, inj_neuron,
                         recorded_entries(network, inj_source))
