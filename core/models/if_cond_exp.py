"""Leaky integrate-and-fire, exponential conductance synapses (NEST ``iaf_cond_exp``).

V is advanced by the exact solution for conductances held over the step (exponential Euler);
conductances decay exactly. Inputs are added after the V update, as in NEST."""
import math

import numpy as np
from numba import njit

from .spec import ModelSpec, refractory_steps, stack

V, G_EXC, G_INH = 0, 1, 2
# columns of the derived constants (``derive``)
(G_LEAK, CM, V_REST, E_REV_EXC, E_REV_INH, DECAY_EXC, DECAY_INH, V_RESET, V_THRESH, I_OFFSET,
 T_REFRAC, DT) = range(12)


def derive(p, dt):
    return stack(p["cm"] / p["tau_m"], p["cm"], p["v_rest"], p["e_rev_E"], p["e_rev_I"],
                 np.exp(-dt / p["tau_syn_E"]), np.exp(-dt / p["tau_syn_I"]), p["v_reset"],
                 p["v_thresh"], p["i_offset"], refractory_steps(p["tau_refrac"], dt),
                 np.full_like(p["cm"], dt))


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs, is_, syn_in, counts = nrn.constants, nrn.fstate, nrn.istate, nrn.syn_in, nrn.counts
    for i in range(lo, hi):
        if is_[i, 0] > 0:
            is_[i, 0] -= 1
            fs[i, V] = c[i, V_RESET]
        else:
            g_total = c[i, G_LEAK] + fs[i, G_EXC] + fs[i, G_INH]
            v_inf = (c[i, G_LEAK] * c[i, V_REST] + fs[i, G_EXC] * c[i, E_REV_EXC] + fs[i, G_INH] * c[i, E_REV_INH]
                     + (c[i, I_OFFSET] + nrn.i_inject[i])) / g_total
            fs[i, V] = v_inf + (fs[i, V] - v_inf) * math.exp(-c[i, DT] * g_total / c[i, CM])
            if fs[i, V] >= c[i, V_THRESH]:
                fs[i, V] = c[i, V_RESET]
                is_[i, 0] = np.int32(c[i, T_REFRAC])
                counts[i] = 1
        fs[i, G_EXC] = fs[i, G_EXC] * c[i, DECAY_EXC] + syn_in[i, 0]
        fs[i, G_INH] = fs[i, G_INH] * c[i, DECAY_INH] + syn_in[i, 1]


SPEC = ModelSpec(
    name="IF_cond_exp", update=update,
    parameters=dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=5.0, tau_syn_I=5.0,
                    e_rev_E=0.0, e_rev_I=-70.0, i_offset=0.0, v_reset=-65.0, v_rest=-65.0,
                    v_thresh=-50.0),
    state=dict(v=-65.0, gsyn_exc=0.0, gsyn_inh=0.0),
    state_columns=("v", "gsyn_exc", "gsyn_inh"),
    recordable=("spikes", "v", "gsyn_exc", "gsyn_inh"),
    derive=derive, n_constants=12, conductance_based=True,
    positive=('cm', 'tau_m', 'tau_syn_E', 'tau_syn_I'), non_negative=('tau_refrac',))
