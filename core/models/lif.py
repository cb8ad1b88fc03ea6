"""Leaky integrate-and-fire driven by an input current J (dimensionless, threshold 1), with
optional spike-rate adaptation (Eliasmith & Anderson 2003, ch. 4; adaptation as in Koch 1999).

Each step the membrane integrates exactly over the part of the step not spent refractory,
v <- v + (J - v)(1 - e^{-dt'/tau_rc}); a neuron crossing 1 spikes, its spike time within the step
is interpolated and its refractory period counted from there, so rates follow the analytic
curve without a one-step bias. J = bias + injected current + synaptic input - adaptation.
The output is the spike count times ``amplitude / dt`` (a spike of unit area), in Hz.
Parameters and state times are in ms; the PE holds its constants in seconds.
"""
import math

import numpy as np
from numba import njit

from .rate_curves import seconds
from .spec import ModelSpec, input_current, stack

OUTPUT, INPUT, VOLTAGE, REFRACTORY, ADAPTATION = range(5)
(DT, TAU_RC, TAU_REF, DECAY, MIN_V, AMPLITUDE, BIAS, ADAPT_RATE, INC_N) = range(9)


def derive(p, dt):
    h, tau_rc = dt / 1000.0, seconds(p["tau_rc"])
    return stack(np.full_like(tau_rc, h), tau_rc, seconds(p["tau_ref"]), -np.expm1(-h / tau_rc),
                 p["min_voltage"], p["amplitude"], p["bias"], h / seconds(p["tau_n"]), p["inc_n"])


_MS, _S = np.float32(1000.0), np.float32(1e-3)


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    """In float32 as the PE computes (the spike time's logarithm aside): float64 round trips cost
    a fifth of the update."""
    c, fs = nrn.constants, nrn.fstate
    for i in range(lo, hi):
        h = c[i, DT]
        j = input_current(nrn, i, c[i, BIAS], INPUT) - fs[i, ADAPTATION]
        ref = fs[i, REFRACTORY] * _S - h
        v = fs[i, VOLTAGE]
        if ref <= 0.0:
            v += (j - v) * c[i, DECAY]
        elif ref < h:
            v -= (j - v) * math.expm1(-(h - ref) / c[i, TAU_RC])
        out = np.float32(0.0)
        if v > 1.0:
            t_spike = h + c[i, TAU_RC] * math.log1p(-(v - 1.0) / (j - 1.0))
            v = 0.0
            ref = c[i, TAU_REF] + t_spike
            out = c[i, AMPLITUDE] / h
            nrn.counts[i] = 1
        elif v < c[i, MIN_V]:
            v = c[i, MIN_V]
        fs[i, VOLTAGE] = v
        fs[i, REFRACTORY] = ref * _MS
        fs[i, OUTPUT] = out
        n = fs[i, ADAPTATION]
        if c[i, INC_N] != 0.0 or n != 0.0:       # a plain LIF skips its (zero) adaptation
            fs[i, ADAPTATION] = n + c[i, ADAPT_RATE] * (c[i, INC_N] * out - n)


SPEC = ModelSpec(
    name="LIF", update=update,
    parameters=dict(tau_rc=20.0, tau_ref=2.0, min_voltage=0.0, amplitude=1.0, bias=0.0,
                    tau_n=1000.0, inc_n=0.0),
    state=dict(output=0.0, input=0.0, voltage=0.0, refractory_time=0.0, adaptation=0.0),
    state_columns=("output", "input", "voltage", "refractory_time", "adaptation"),
    recordable=("spikes", "output", "input", "voltage", "refractory_time", "adaptation"),
    derive=derive, n_constants=9, int_columns=0,
    positive=("tau_rc", "tau_n", "amplitude"), non_negative=("tau_ref", "inc_n"))
