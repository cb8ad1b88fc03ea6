"""Adaptive exponential integrate-and-fire neuron with exponential conductance synapses
(Brette & Gerstner 2005, J. Neurophysiol. 94: 3637; NEST ``aeif_cond_exp``).

Integrated as NEST does (adaptive RKF45, ``ode.py``, absolute and relative tolerance 1e-6 on the
derivative-scaled error). As in NEST, a spike is detected after every integration sub-step
(V >= v_spike, or v_thresh when delta_T = 0): V is reset, w jumps by b and the neuron is
refractory for tau_refrac; the currents use min(V, v_spike), and V is clamped to v_reset while
refractory. Several spikes in one step are counted."""
import math

import numpy as np
from numba import njit

from .ode import make_evolve, scratch
from .spec import ModelSpec, refractory_steps, stack

V, G_EXC, G_INH, W, STEP = range(5)
# columns of the derived constants (``derive``)
(G_LEAK, CM, V_REST, E_REV_EXC, E_REV_INH, TAU_EXC, TAU_INH, V_RESET, V_THRESH, V_SPIKE, V_PEAK,
 DELTA_T, A, B, TAU_W, I_OFFSET, T_REFRAC, DT) = range(18)
TOLERANCE = 1e-6


def derive(p, dt):
    v_peak = np.where(p["delta_T"] > 0, p["v_spike"], p["v_thresh"])
    return stack(p["cm"] / p["tau_m"], p["cm"], p["v_rest"], p["e_rev_E"], p["e_rev_I"], p["tau_syn_E"],
                 p["tau_syn_I"], p["v_reset"], p["v_thresh"], p["v_spike"], v_peak, p["delta_T"], p["a"], p["b"],
                 p["tau_w"], p["i_offset"], refractory_steps(p["tau_refrac"], dt), np.full_like(p["cm"], dt))


@njit(cache=True, nogil=True, inline="always")
def membrane(v, g_exc, g_inh, w, c, i, drive):
    """dV/dt (mV/ms) at V = v: leak, exponential spike current, synapses, adaptation, drive."""
    spike = 0.0
    if c[i, DELTA_T] != 0.0:
        spike = c[i, G_LEAK] * c[i, DELTA_T] * math.exp((v - c[i, V_THRESH]) / c[i, DELTA_T])
    return (c[i, G_LEAK] * (c[i, V_REST] - v) + spike + g_exc * (c[i, E_REV_EXC] - v)
            + g_inh * (c[i, E_REV_INH] - v) - w + drive) / c[i, CM]


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = c[i, V_RESET] if refractory else min(y[0], c[i, V_SPIKE])
    dydt[0] = 0.0 if refractory else membrane(v, y[1], y[2], y[3], c, i, drive)
    dydt[1] = -y[1] / c[i, TAU_EXC]
    dydt[2] = -y[2] / c[i, TAU_INH]
    dydt[3] = (1e-3 * c[i, A] * (v - c[i, V_REST]) - y[3]) / c[i, TAU_W]


evolve = make_evolve(rhs, scale=(1.0, 1000.0, 1000.0, 1000.0), eps_abs=TOLERANCE, eps_rel=TOLERANCE,
                     a_y=0.0, a_dydt=1.0)


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs, is_, syn_in = nrn.constants, nrn.fstate, nrn.istate, nrn.syn_in
    y, work = scratch(nrn, 4)
    for i in range(lo, hi):
        dt = c[i, DT]
        for j in range(4):
            y[j] = fs[i, j]
        h = fs[i, STEP] if fs[i, STEP] > 0 else dt
        drive = c[i, I_OFFSET] + nrn.i_inject[i]
        s = 0.0
        while s < dt:
            s, h = evolve(y, work, s, dt, h, c, i, drive, is_[i, 0] > 0)
            if is_[i, 0] > 0:
                y[0] = c[i, V_RESET]
            elif y[0] >= c[i, V_PEAK]:
                y[0] = c[i, V_RESET]
                y[3] += c[i, B]
                is_[i, 0] = np.int32(c[i, T_REFRAC] + 1) if c[i, T_REFRAC] > 0 else 0
                nrn.counts[i] += 1
        if is_[i, 0] > 0:
            is_[i, 0] -= 1
        y[1] += syn_in[i, 0]
        y[2] += syn_in[i, 1]
        for j in range(4):
            fs[i, j] = y[j]
        fs[i, STEP] = h


SPEC = ModelSpec(
    name="EIF_cond_exp_isfa_ista", update=update,
    parameters=dict(cm=0.281, tau_refrac=0.1, v_spike=-40.0, v_reset=-70.6, v_rest=-70.6, tau_m=9.3667,
                    i_offset=0.0, a=4.0, b=0.0805, delta_T=2.0, tau_w=144.0, v_thresh=-50.4, e_rev_E=0.0,
                    tau_syn_E=5.0, e_rev_I=-80.0, tau_syn_I=5.0),
    state=dict(v=-70.6, w=0.0, gsyn_exc=0.0, gsyn_inh=0.0),
    state_columns=("v", "gsyn_exc", "gsyn_inh", "w", "rk_step"),
    recordable=("spikes", "v", "w", "gsyn_exc", "gsyn_inh"),
    derive=derive, n_constants=18, conductance_based=True,
    positive=('cm', 'tau_m', 'tau_syn_E', 'tau_syn_I', 'tau_w'), non_negative=('tau_refrac', 'delta_T'))
