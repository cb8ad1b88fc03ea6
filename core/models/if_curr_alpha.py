"""Leaky integrate-and-fire, alpha-shaped current synapses (NEST ``iaf_psc_alpha``): a weight w
gives a current peaking at w after tau_syn."""
import numpy as np
from numba import njit

from .spec import ModelSpec, propagator_di_to_v, propagator_i_to_v, refractory_steps, stack

V, I_EXC, I_INH, DI_EXC, DI_INH = 0, 1, 2, 3, 4


def derive(p, dt):
    tm, cm = p["tau_m"], p["cm"]
    p33 = np.exp(-dt / tm)
    cols = []
    for ts in (p["tau_syn_E"], p["tau_syn_I"]):
        p11 = np.exp(-dt / ts)
        cols += [p11, dt * p11, propagator_di_to_v(ts, tm, cm, dt),
                 propagator_i_to_v(ts, tm, cm, dt), np.e / ts]
    return stack(*cols, p33, tm / cm * (1 - p33), p["v_rest"], p["v_reset"], p["v_thresh"],
                 p["i_offset"], refractory_steps(p["tau_refrac"], dt))


@njit(cache=True, nogil=True)
def update(lo, hi, t, c, fs, is_, events, syn_in, counts, rng, pe):
    for i in range(lo, hi):
        if is_[i, 0] > 0:
            is_[i, 0] -= 1
        else:
            fs[i, V] = (c[i, 12] + (fs[i, V] - c[i, 12]) * c[i, 10] + c[i, 15] * c[i, 11]
                        + c[i, 2] * fs[i, DI_EXC] + c[i, 3] * fs[i, I_EXC]
                        - c[i, 7] * fs[i, DI_INH] - c[i, 8] * fs[i, I_INH])
        fs[i, I_EXC] = c[i, 1] * fs[i, DI_EXC] + c[i, 0] * fs[i, I_EXC]
        fs[i, DI_EXC] = c[i, 0] * fs[i, DI_EXC] + c[i, 4] * syn_in[i, 0]
        fs[i, I_INH] = c[i, 6] * fs[i, DI_INH] + c[i, 5] * fs[i, I_INH]
        fs[i, DI_INH] = c[i, 5] * fs[i, DI_INH] + c[i, 9] * syn_in[i, 1]
        if fs[i, V] >= c[i, 14]:
            fs[i, V] = c[i, 13]
            is_[i, 0] = np.int32(c[i, 16])
            counts[i] = 1


SPEC = ModelSpec(
    name="IF_curr_alpha", kernel=1,
    parameters=dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=0.5, tau_syn_I=0.5,
                    i_offset=0.0, v_reset=-65.0, v_rest=-65.0, v_thresh=-50.0),
    state=dict(v=-65.0, isyn_exc=0.0, isyn_inh=0.0),
    state_columns=("v", "isyn_exc", "isyn_inh", "disyn_exc", "disyn_inh"),
    recordable=("spikes", "v", "isyn_exc", "isyn_inh"),
    derive=derive, n_constants=17)
