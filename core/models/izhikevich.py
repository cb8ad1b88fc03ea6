"""Izhikevich's (2003, IEEE Trans. Neural Netw. 14: 1569) quadratic neuron, forward Euler as
NEST's ``izhikevich`` integrates it (``consistent_integration``); synapses step v by the weight
(mV). As in NEST, currents enter the equations in pA: 1 nA of i_offset or injected current
adds 1000 mV/ms."""
import numpy as np
from numba import njit

from .spec import ModelSpec, stack

V, U = 0, 1
A, B, C, D, I_OFFSET, DT = range(6)
V_PEAK = 30.0


def derive(p, dt):
    return stack(p["a"], p["b"], p["c"], p["d"], p["i_offset"], np.full_like(p["a"], dt))


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs = nrn.constants, nrn.fstate
    for i in range(lo, hi):
        v, u, h = fs[i, V], fs[i, U], c[i, DT]
        drive = 1000.0 * (c[i, I_OFFSET] + nrn.i_inject[i])
        v_new = v + h * (0.04 * v * v + 5.0 * v + 140.0 - u + drive) + nrn.syn_in[i, 0] - nrn.syn_in[i, 1]
        u_new = u + h * c[i, A] * (c[i, B] * v - u)
        if v_new >= V_PEAK:
            v_new = c[i, C]
            u_new += c[i, D]
            nrn.counts[i] = 1
        fs[i, V], fs[i, U] = v_new, u_new


SPEC = ModelSpec(
    name="Izhikevich", update=update,
    parameters=dict(a=0.02, b=0.2, c=-65.0, d=2.0, i_offset=0.0),
    state=dict(v=-70.0, u=-14.0), state_columns=("v", "u"), recordable=("spikes", "v", "u"),
    derive=derive, n_constants=6, int_columns=0, weight_units="mV")
