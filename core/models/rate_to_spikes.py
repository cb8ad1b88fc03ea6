"""Spikes from a rate curve (``rate_curves``) driven by an input current J: each step the
rate r(J) (Hz) is turned into a spike count by one of three conversions --

* regular: an integrator v += r dt emits floor(v) spikes and keeps the remainder (regular
  inter-spike intervals; with the rectified-linear curve this is the spiking rectified linear
  neuron);
* stochastic: the expected count e = |r| dt is rounded up with probability frac(e);
* Poisson: a Poisson count of mean |r| dt --

with the sign of r on curves that go negative. The output is count x ``amplitude / dt`` (Hz).
Random draws use the neuron's own stream (``rng``)."""
import math

import numpy as np
from numba import njit

from .rate_curves import rate, seconds
from .rng import poisson, uniform
from .spec import ModelSpec, input_current, stack

REGULAR, STOCHASTIC, POISSON = range(3)
CONVERSIONS = {"regular": REGULAR, "stochastic": STOCHASTIC, "poisson": POISSON}
OUTPUT, INPUT, VOLTAGE, RATE_OUT, ADAPTATION = range(5)
CURVE, TAU_RC, TAU_REF, CURVE_AMPLITUDE, AMPLITUDE, CONVERSION, BIAS, DT, ADAPT_RATE, INC_N = range(10)


def derive(p, dt):
    h = np.full(np.shape(p["bias"]), dt / 1000.0)
    return stack(p["curve"], seconds(p["tau_rc"]), seconds(p["tau_ref"]), p["curve_amplitude"],
                 p["amplitude"], p["conversion"], p["bias"], h, dt / p["tau_n"], p["inc_n"])


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs = nrn.constants, nrn.fstate
    for i in range(lo, hi):
        h = c[i, DT]
        j = input_current(nrn, i, c[i, BIAS], INPUT)
        r = rate(np.int64(c[i, CURVE]), j - fs[i, ADAPTATION], c[i, TAU_RC], c[i, TAU_REF],
                 c[i, CURVE_AMPLITUDE])
        fs[i, RATE_OUT] = r
        conversion = np.int64(c[i, CONVERSION])
        if conversion == REGULAR:
            v = fs[i, VOLTAGE] + r * h
            n = math.floor(v)
            fs[i, VOLTAGE] = v - n
        else:
            e = abs(r) * h
            if conversion == STOCHASTIC:
                n = math.floor(e)
                if uniform(nrn.rng, i) < e - n:
                    n += 1
            else:
                n = poisson(nrn.rng, i, e)
            if r < 0:
                n = -n
        fs[i, OUTPUT] = n * c[i, AMPLITUDE] / h
        nrn.counts[i] = abs(n)
        fs[i, ADAPTATION] += c[i, ADAPT_RATE] * (c[i, INC_N] * r - fs[i, ADAPTATION])


SPEC = ModelSpec(
    name="RateToSpikes", update=update,
    parameters=dict(curve=0.0, tau_rc=20.0, tau_ref=2.0, curve_amplitude=1.0, amplitude=1.0,
                    conversion=0.0, bias=0.0, tau_n=1000.0, inc_n=0.0),
    state=dict(output=0.0, input=0.0, voltage=0.0, rate_out=0.0, adaptation=0.0),
    state_columns=("output", "input", "voltage", "rate_out", "adaptation"),
    recordable=("spikes", "output", "input", "voltage", "rate_out", "adaptation"),
    derive=derive, n_constants=10, int_columns=0,
    positive=("tau_rc", "tau_ref", "amplitude", "tau_n"), non_negative=("curve", "conversion", "inc_n"))
