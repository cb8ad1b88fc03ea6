"""Adaptive exponential integrate-and-fire neuron with alpha-shaped conductance synapses
(Brette & Gerstner 2005; NEST ``aeif_cond_alpha``): ``eif_cond_exp_isfa_ista`` with each
conductance driven by its derivative, a weight w peaking at w after tau_syn."""
import math

import numpy as np
from numba import njit

from .eif_cond_exp_isfa_ista import (A, B, DT, I_OFFSET, TAU_EXC, TAU_INH, TAU_W, TOLERANCE, T_REFRAC,
                                     V_PEAK, V_RESET, V_REST, V_SPIKE, derive, membrane)
from .eif_cond_exp_isfa_ista import SPEC as EXP_SPEC
from .ode import make_evolve, scratch
from .spec import ModelSpec

V, DG_EXC, G_EXC, DG_INH, G_INH, W, STEP = range(7)


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = c[i, V_RESET] if refractory else min(y[0], c[i, V_SPIKE])
    dydt[0] = 0.0 if refractory else membrane(v, y[2], y[4], y[5], c, i, drive)
    dydt[1] = -y[1] / c[i, TAU_EXC]
    dydt[2] = y[1] - y[2] / c[i, TAU_EXC]
    dydt[3] = -y[3] / c[i, TAU_INH]
    dydt[4] = y[3] - y[4] / c[i, TAU_INH]
    dydt[5] = (1e-3 * c[i, A] * (v - c[i, V_REST]) - y[5]) / c[i, TAU_W]


evolve = make_evolve(rhs, scale=(1.0, 1000.0, 1000.0, 1000.0, 1000.0, 1000.0), eps_abs=TOLERANCE,
                     eps_rel=TOLERANCE, a_y=0.0, a_dydt=1.0)


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs, is_, syn_in = nrn.constants, nrn.fstate, nrn.istate, nrn.syn_in
    y, work = scratch(nrn, 6)
    for i in range(lo, hi):
        dt = c[i, DT]
        for j in range(6):
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
                y[5] += c[i, B]
                is_[i, 0] = np.int32(c[i, T_REFRAC] + 1) if c[i, T_REFRAC] > 0 else 0
                nrn.counts[i] += 1
        if is_[i, 0] > 0:
            is_[i, 0] -= 1
        y[1] += syn_in[i, 0] * (math.e / c[i, TAU_EXC])
        y[3] += syn_in[i, 1] * (math.e / c[i, TAU_INH])
        for j in range(6):
            fs[i, j] = y[j]
        fs[i, STEP] = h


SPEC = ModelSpec(
    name="EIF_cond_alpha_isfa_ista", update=update, parameters=dict(EXP_SPEC.parameters),
    state=dict(EXP_SPEC.state),
    state_columns=("v", "dgsyn_exc", "gsyn_exc", "dgsyn_inh", "gsyn_inh", "w", "rk_step"),
    recordable=EXP_SPEC.recordable, derive=derive, n_constants=EXP_SPEC.n_constants, conductance_based=True,
    positive=EXP_SPEC.positive, non_negative=EXP_SPEC.non_negative)
