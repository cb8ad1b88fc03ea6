"""Leaky integrate-and-fire, exponential current synapses (NEST ``iaf_psc_exp``)."""
import numpy as np
from numba import njit

from .spec import ModelSpec, fire_at_threshold, propagator_i_to_v, refractory_steps, stack

V, I_EXC, I_INH = 0, 1, 2
# columns of the derived constants (``derive``)
(P22, P11_EXC, P11_INH, P21_EXC, P21_INH, P20, V_REST, V_RESET, V_THRESH, I_OFFSET, T_REFRAC) = range(11)


def derive(p, dt):
    tm, cm = p["tau_m"], p["cm"]
    p22 = np.exp(-dt / tm)
    return stack(p22, np.exp(-dt / p["tau_syn_E"]), np.exp(-dt / p["tau_syn_I"]),
                 propagator_i_to_v(p["tau_syn_E"], tm, cm, dt),
                 propagator_i_to_v(p["tau_syn_I"], tm, cm, dt),
                 tm / cm * (1 - p22), p["v_rest"], p["v_reset"], p["v_thresh"], p["i_offset"],
                 refractory_steps(p["tau_refrac"], dt))


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs, is_, syn_in = nrn.constants, nrn.fstate, nrn.istate, nrn.syn_in
    for i in range(lo, hi):
        if is_[i, 0] > 0:
            is_[i, 0] -= 1
        else:
            fs[i, V] = (c[i, V_REST] + (fs[i, V] - c[i, V_REST]) * c[i, P22] + fs[i, I_EXC] * c[i, P21_EXC]
                        - fs[i, I_INH] * c[i, P21_INH] + (c[i, I_OFFSET] + nrn.i_inject[i]) * c[i, P20])
        fs[i, I_EXC] = fs[i, I_EXC] * c[i, P11_EXC] + syn_in[i, 0]
        fs[i, I_INH] = fs[i, I_INH] * c[i, P11_INH] + syn_in[i, 1]
        fire_at_threshold(nrn, i, V, V_THRESH, V_RESET, T_REFRAC)


SPEC = ModelSpec(
    name="IF_curr_exp", update=update,
    parameters=dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=5.0, tau_syn_I=5.0,
                    i_offset=0.0, v_reset=-65.0, v_rest=-65.0, v_thresh=-50.0),
    state=dict(v=-65.0, isyn_exc=0.0, isyn_inh=0.0),
    state_columns=("v", "isyn_exc", "isyn_inh"),
    recordable=("spikes", "v", "isyn_exc", "isyn_inh"),
    derive=derive, n_constants=11,
    positive=('cm', 'tau_m', 'tau_syn_E', 'tau_syn_I'), non_negative=('tau_refrac',))
