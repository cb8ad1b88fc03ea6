"""Leaky integrate-and-fire, exponential conductance synapses (NEST ``iaf_cond_exp``).

The membrane and conductances are integrated together by NEST's adaptive RKF45 scheme
(``ode.py``, absolute tolerance 1e-3 on mV and nS), so the trace follows NEST's to rounding
(float32 state). As in NEST: while refractory V is clamped to v_reset; synaptic input arrives
after the step's integration; the currents use min(V, v_thresh)."""
import numpy as np
from numba import njit

from .ode import make_evolve, scratch
from .spec import ModelSpec, refractory_steps, stack

V, G_EXC, G_INH, STEP = 0, 1, 2, 3
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
    dydt[0] = 0.0 if refractory else (c[i, G_LEAK] * (c[i, V_REST] - v) + y[1] * (c[i, E_REV_EXC] - v)
                                      + y[2] * (c[i, E_REV_INH] - v) + drive) / c[i, CM]
    dydt[1] = -y[1] / c[i, TAU_EXC]
    dydt[2] = -y[2] / c[i, TAU_INH]


evolve = make_evolve(rhs, scale=(1.0, 1000.0, 1000.0), eps_abs=1e-3)


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs, is_, syn_in = nrn.constants, nrn.fstate, nrn.istate, nrn.syn_in
    y, work = scratch(nrn, 3)
    for i in range(lo, hi):
        dt = c[i, DT]
        y[0], y[1], y[2] = fs[i, V], fs[i, G_EXC], fs[i, G_INH]
        h = fs[i, STEP] if fs[i, STEP] > 0 else dt
        refractory = is_[i, 0] > 0
        drive = c[i, I_OFFSET] + nrn.i_inject[i]
        s = 0.0
        while s < dt:
            s, h = evolve(y, work, s, dt, h, c, i, drive, refractory)
        y[1] += syn_in[i, 0]
        y[2] += syn_in[i, 1]
        if refractory:
            is_[i, 0] -= 1
            y[0] = c[i, V_RESET]
        elif y[0] >= c[i, V_THRESH]:
            is_[i, 0] = np.int32(c[i, T_REFRAC])
            y[0] = c[i, V_RESET]
            nrn.counts[i] = 1
        fs[i, V], fs[i, G_EXC], fs[i, G_INH], fs[i, STEP] = y[0], y[1], y[2], h


SPEC = ModelSpec(
    name="IF_cond_exp", update=update,
    parameters=dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=5.0, tau_syn_I=5.0,
                    e_rev_E=0.0, e_rev_I=-70.0, i_offset=0.0, v_reset=-65.0, v_rest=-65.0,
                    v_thresh=-50.0),
    state=dict(v=-65.0, gsyn_exc=0.0, gsyn_inh=0.0),
    state_columns=("v", "gsyn_exc", "gsyn_inh", "rk_step"),
    recordable=("spikes", "v", "gsyn_exc", "gsyn_inh"),
    derive=derive, n_constants=12, conductance_based=True,
    positive=('cm', 'tau_m', 'tau_syn_E', 'tau_syn_I'), non_negative=('tau_refrac',))
