"""Izhikevich's simple model (IEEE TNN 14(6), 2003) driven by an input current J, Euler-stepped
with time in ms: v' = 0.04 v^2 + 5 v + 140 - u + J, u' = a (b v - u); at v >= 30 mV the neuron
spikes, v <- c, u <- u + d. The reset is applied before u is updated, which keeps u bounded for
large steps, and J is clipped below at -30 where the Euler step becomes unstable. The output is
the spike count / dt (Hz)."""
import numpy as np
from numba import njit

from .spec import ModelSpec, input_current, stack

OUTPUT, INPUT, VOLTAGE, RECOVERY = range(4)
A, B, C, D, BIAS, DT = range(6)


def derive(p, dt):
    return stack(p["tau_recovery"], p["coupling"], p["reset_voltage"], p["reset_recovery"], p["bias"],
                 np.full(np.shape(p["bias"]), dt))


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs = nrn.constants, nrn.fstate
    for i in range(lo, hi):
        h = c[i, DT]
        j = max(input_current(nrn, i, c[i, BIAS], INPUT), -30.0)
        v, u = fs[i, VOLTAGE], fs[i, RECOVERY]
        v += (0.04 * v * v + 5.0 * v + 140.0 - u + j) * h
        spiked = v >= 30.0
        if spiked:
            v = c[i, C]
        u += c[i, A] * (c[i, B] * v - u) * h
        if spiked:
            u += c[i, D]
            nrn.counts[i] = 1
            fs[i, OUTPUT] = 1000.0 / h
        else:
            fs[i, OUTPUT] = 0.0
        fs[i, VOLTAGE], fs[i, RECOVERY] = v, u


SPEC = ModelSpec(
    name="IzhikevichCurrent", update=update,
    parameters=dict(tau_recovery=0.02, coupling=0.2, reset_voltage=-65.0, reset_recovery=8.0, bias=0.0),
    state=dict(output=0.0, input=0.0, voltage=-65.0, recovery=0.0),
    state_columns=("output", "input", "voltage", "recovery"),
    recordable=("spikes", "output", "input", "voltage", "recovery"),
    derive=derive, n_constants=6, int_columns=0,
    positive=("tau_recovery",), non_negative=("coupling",))
