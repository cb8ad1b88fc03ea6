"""Leaky integrate-and-fire, exponential current synapses (NEST ``iaf_psc_exp``)."""
import numpy as np
from numba import njit

from .spec import ModelSpec, propagator_i_to_v, refractory_steps, stack

V, I_EXC, I_INH = 0, 1, 2


def derive(p, dt):
    tm, cm = p["tau_m"], p["cm"]
    p22 = np.exp(-dt / tm)
    return stack(p22, np.exp(-dt / p["tau_syn_E"]), np.exp(-dt / p["tau_syn_I"]),
                 propagator_i_to_v(p["tau_syn_E"], tm, cm, dt),
                 propagator_i_to_v(p["tau_syn_I"], tm, cm, dt),
                 tm / cm * (1 - p22), p["v_rest"], p["v_reset"], p["v_thresh"], p["i_offset"],
                 refractory_steps(p["tau_refrac"], dt))


@njit(cache=True, nogil=True)
def update(lo, hi, t, c, fs, is_, events, syn_in, counts, rng, pe):
    for i in range(lo, hi):
        if is_[i, 0] > 0:
            is_[i, 0] -= 1
        else:
            fs[i, V] = (c[i, 6] + (fs[i, V] - c[i, 6]) * c[i, 0] + fs[i, I_EXC] * c[i, 3]
                        - fs[i, I_INH] * c[i, 4] + c[i, 9] * c[i, 5])
        fs[i, I_EXC] = fs[i, I_EXC] * c[i, 1] + syn_in[i, 0]
        fs[i, I_INH] = fs[i, I_INH] * c[i, 2] + syn_in[i, 1]
        if fs[i, V] >= c[i, 8]:
            fs[i, V] = c[i, 7]
            is_[i, 0] = np.int32(c[i, 10])
            counts[i] = 1


SPEC = ModelSpec(
    name="IF_curr_exp", kernel=0,
    parameters=dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=5.0, tau_syn_I=5.0,
                    i_offset=0.0, v_reset=-65.0, v_rest=-65.0, v_thresh=-50.0),
    state=dict(v=-65.0, isyn_exc=0.0, isyn_inh=0.0),
    state_columns=("v", "isyn_exc", "isyn_inh"),
    recordable=("spikes", "v", "isyn_exc", "isyn_inh"),
    derive=derive, n_constants=11)
