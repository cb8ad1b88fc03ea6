"""Leaky integrate-and-fire, exponential conductance synapses (NEST ``iaf_cond_exp``).

V is advanced by the exact solution for conductances held over the step (exponential Euler);
conductances decay exactly. Inputs are added after the V update, as in NEST."""
import math

import numpy as np
from numba import njit

from .spec import ModelSpec, refractory_steps, stack

V, G_EXC, G_INH = 0, 1, 2


def derive(p, dt):
    return stack(p["cm"] / p["tau_m"], p["cm"], p["v_rest"], p["e_rev_E"], p["e_rev_I"],
                 np.exp(-dt / p["tau_syn_E"]), np.exp(-dt / p["tau_syn_I"]), p["v_reset"],
                 p["v_thresh"], p["i_offset"], refractory_steps(p["tau_refrac"], dt),
                 np.full_like(p["cm"], dt))


@njit(cache=True, nogil=True)
def update(lo, hi, t, c, fs, is_, events, syn_in, counts, rng, pe):
    for i in range(lo, hi):
        if is_[i, 0] > 0:
            is_[i, 0] -= 1
            fs[i, V] = c[i, 7]
        else:
            g_total = c[i, 0] + fs[i, G_EXC] + fs[i, G_INH]
            v_inf = (c[i, 0] * c[i, 2] + fs[i, G_EXC] * c[i, 3] + fs[i, G_INH] * c[i, 4]
                     + c[i, 9]) / g_total
            fs[i, V] = v_inf + (fs[i, V] - v_inf) * math.exp(-c[i, 11] * g_total / c[i, 1])
            if fs[i, V] >= c[i, 8]:
                fs[i, V] = c[i, 7]
                is_[i, 0] = np.int32(c[i, 10])
                counts[i] = 1
        fs[i, G_EXC] = fs[i, G_EXC] * c[i, 5] + syn_in[i, 0]
        fs[i, G_INH] = fs[i, G_INH] * c[i, 6] + syn_in[i, 1]


SPEC = ModelSpec(
    name="IF_cond_exp", kernel=2,
    parameters=dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=5.0, tau_syn_I=5.0,
                    e_rev_E=0.0, e_rev_I=-70.0, i_offset=0.0, v_reset=-65.0, v_rest=-65.0,
                    v_thresh=-50.0),
    state=dict(v=-65.0, gsyn_exc=0.0, gsyn_inh=0.0),
    state_columns=("v", "gsyn_exc", "gsyn_inh"),
    recordable=("spikes", "v", "gsyn_exc", "gsyn_inh"),
    derive=derive, n_constants=12, conductance_based=True)
