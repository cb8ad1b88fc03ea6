"""Leaky integrate-and-fire, alpha-shaped conductance synapses (NEST ``iaf_cond_alpha``): a
weight w gives a conductance peaking at w after tau_syn. Integrated as NEST does (adaptive RKF45,
``ode.py``); the spike check comes before the step's input, as in NEST."""
import math

import numpy as np
from numba import njit

from .ode import make_evolve, scratch
from .spec import ModelSpec, refractory_steps, stack

V, DG_EXC, G_EXC, DG_INH, G_INH, STEP = range(6)
# columns of the derived constants (``derive``)
(G_LEAK, CM, V_REST, E_REV_EXC, E_REV_INH, TAU_EXC, TAU_INH, V_RESET, V_THRESH, I_OFFSET,
 T_REFRAC, DT) = range(12)


def derive(p, dt):
    return stack(p["cm"] / p["tau_m"], p["cm"], p["v_rest"], p["e_rev_E"], p["e_rev_I"], p["tau_syn_E"],
                 p["tau_syn_I"], p["v_reset"], p["v_thresh"], p["i_offset"], refractory_steps(p["tau_refrac"], dt),
                 np.full_like(p["cm"], dt))


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = c[i, V_RESET] if refractory else min(y[0], c[i, V_THRESH])
    dydt[0] = 0.0 if refractory else (c[i, G_LEAK] * (c[i, V_REST] - v) + y[2] * (c[i, E_REV_EXC] - v)
                                      + y[4] * (c[i, E_REV_INH] - v) + drive) / c[i, CM]
    dydt[1] = -y[1] / c[i, TAU_EXC]
    dydt[2] = y[1] - y[2] / c[i, TAU_EXC]
    dydt[3] = -y[3] / c[i, TAU_INH]
    dydt[4] = y[3] - y[4] / c[i, TAU_INH]


evolve = make_evolve(rhs, scale=(1.0, 1000.0, 1000.0, 1000.0, 1000.0), eps_abs=1e-3)


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs, is_, syn_in = nrn.constants, nrn.fstate, nrn.istate, nrn.syn_in
    y, work = scratch(nrn, 5)
    for i in range(lo, hi):
        dt = c[i, DT]
        for j in range(5):
            y[j] = fs[i, j]
        h = fs[i, STEP] if fs[i, STEP] > 0 else dt
        refractory = is_[i, 0] > 0
        drive = c[i, I_OFFSET] + nrn.i_inject[i]
        s = 0.0
        while s < dt:
            s, h = evolve(y, work, s, dt, h, c, i, drive, refractory)
        if refractory:
            is_[i, 0] -= 1
            y[0] = c[i, V_RESET]
        elif y[0] >= c[i, V_THRESH]:
            is_[i, 0] = np.int32(c[i, T_REFRAC])
            y[0] = c[i, V_RESET]
            nrn.counts[i] = 1
        y[1] += syn_in[i, 0] * (math.e / c[i, TAU_EXC])
        y[3] += syn_in[i, 1] * (math.e / c[i, TAU_INH])
        for j in range(5):
            fs[i, j] = y[j]
        fs[i, STEP] = h


SPEC = ModelSpec(
    name="IF_cond_alpha", update=update,
    parameters=dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=0.3, tau_syn_I=0.5,
                    e_rev_E=0.0, e_rev_I=-70.0, i_offset=0.0, v_reset=-65.0, v_rest=-65.0,
                    v_thresh=-50.0),
    state=dict(v=-65.0, gsyn_exc=0.0, gsyn_inh=0.0),
    state_columns=("v", "dgsyn_exc", "gsyn_exc", "dgsyn_inh", "gsyn_inh", "rk_step"),
    recordable=("spikes", "v", "gsyn_exc", "gsyn_inh"),
    derive=derive, n_constants=12, conductance_based=True,
    positive=('cm', 'tau_m', 'tau_syn_E', 'tau_syn_I'), non_negative=('tau_refrac',))
