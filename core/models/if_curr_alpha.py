"""Leaky integrate-and-fire, alpha-shaped current synapses (NEST ``iaf_psc_alpha``): a weight w
gives a current peaking at w after tau_syn."""
import numpy as np
from numba import njit

from .if_curr_exp import SPEC as EXP_SPEC
from .spec import ModelSpec, fire_at_threshold, propagator_di_to_v, propagator_i_to_v, refractory_steps, stack

V, I_EXC, I_INH, DI_EXC, DI_INH = 0, 1, 2, 3, 4
# columns of the derived constants (``derive``)
(P11_EXC, P21_EXC, P31_EXC, P32_EXC, PSC_EXC, P11_INH, P21_INH, P31_INH, P32_INH, PSC_INH,
 P33, P30, V_REST, V_RESET, V_THRESH, I_OFFSET, T_REFRAC) = range(17)


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
def update(lo, hi, t, nrn):
    c, fs, is_, syn_in = nrn.constants, nrn.fstate, nrn.istate, nrn.syn_in
    for i in range(lo, hi):
        if is_[i, 0] > 0:
            is_[i, 0] -= 1
        else:
            fs[i, V] = (c[i, V_REST] + (fs[i, V] - c[i, V_REST]) * c[i, P33] + (c[i, I_OFFSET] + nrn.i_inject[i]) * c[i, P30]
                        + c[i, P31_EXC] * fs[i, DI_EXC] + c[i, P32_EXC] * fs[i, I_EXC]
                        - c[i, P31_INH] * fs[i, DI_INH] - c[i, P32_INH] * fs[i, I_INH])
        fs[i, I_EXC] = c[i, P21_EXC] * fs[i, DI_EXC] + c[i, P11_EXC] * fs[i, I_EXC]
        fs[i, DI_EXC] = c[i, P11_EXC] * fs[i, DI_EXC] + c[i, PSC_EXC] * syn_in[i, 0]
        fs[i, I_INH] = c[i, P21_INH] * fs[i, DI_INH] + c[i, P11_INH] * fs[i, I_INH]
        fs[i, DI_INH] = c[i, P11_INH] * fs[i, DI_INH] + c[i, PSC_INH] * syn_in[i, 1]
        fire_at_threshold(nrn, i, V, V_THRESH, V_RESET, T_REFRAC)


SPEC = ModelSpec(
    name="IF_curr_alpha", update=update, parameters=dict(EXP_SPEC.parameters, tau_syn_E=0.5, tau_syn_I=0.5),
    state=dict(EXP_SPEC.state), state_columns=("v", "isyn_exc", "isyn_inh", "disyn_exc", "disyn_inh"),
    recordable=EXP_SPEC.recordable, derive=derive, n_constants=17,
    positive=EXP_SPEC.positive, non_negative=EXP_SPEC.non_negative)
