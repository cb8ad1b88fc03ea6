"""A rate neuron driven by an input current J: its output each step is the rate curve at J
(``rate_curves``: LIF, rectified linear, sigmoid, tanh), in Hz, with optional adaptation
(J is reduced by the adaptation state n, dn/dt = (inc_n * rate - n) / tau_n, Euler step)."""
import numpy as np
from numba import njit

from .rate_curves import rate, seconds
from .spec import ModelSpec, input_current, stack

OUTPUT, INPUT, ADAPTATION = range(3)
CURVE, TAU_RC, TAU_REF, AMPLITUDE, BIAS, ADAPT_RATE, INC_N = range(7)


def derive(p, dt):
    return stack(p["curve"], seconds(p["tau_rc"]), seconds(p["tau_ref"]), p["amplitude"], p["bias"],
                 dt / p["tau_n"], p["inc_n"])


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs = nrn.constants, nrn.fstate
    for i in range(lo, hi):
        j = input_current(nrn, i, c[i, BIAS], INPUT)
        out = rate(np.int64(c[i, CURVE]), j - fs[i, ADAPTATION], c[i, TAU_RC], c[i, TAU_REF], c[i, AMPLITUDE])
        fs[i, OUTPUT] = out
        fs[i, ADAPTATION] += c[i, ADAPT_RATE] * (c[i, INC_N] * out - fs[i, ADAPTATION])


SPEC = ModelSpec(
    name="RateNeuron", update=update,
    parameters=dict(curve=0.0, tau_rc=20.0, tau_ref=2.0, amplitude=1.0, bias=0.0, tau_n=1000.0, inc_n=0.0),
    state=dict(output=0.0, input=0.0, adaptation=0.0),
    state_columns=("output", "input", "adaptation"),
    recordable=("output", "input", "adaptation"),
    derive=derive, n_constants=7, int_columns=0,
    positive=("tau_rc", "tau_ref", "tau_n"), non_negative=("curve", "inc_n"))
