"""Adaptive exponential integrate-and-fire with up to four receptors, each an exponential current
or an exponential, alpha or beta conductance (PyNN's PointNeuron of AdExp and post-synaptic
responses; NEST ``aeif_cond_alpha_multisynapse`` / ``aeif_cond_beta_multisynapse``): integrated
and updated as ``eif_cond_exp_isfa_ista`` (NEST's adaptive RKF45 with tolerance 1e-6, spikes
detected after every sub-step)."""
import math

import numpy as np
from numba import njit

from . import synapse_slots as slots
from .ode import make_evolve, scratch
from .spec import ModelSpec, refractory_steps, stack

V, W, G_AT = 0, 1, 2
N_ODE = 2 + 2 * slots.SLOTS
STEP = N_ODE
(G_LEAK, CM, V_REST, V_RESET, V_THRESH, V_SPIKE, V_PEAK, DELTA_T, A, B, TAU_W, I_OFFSET, T_REFRAC, DT) = range(14)
C0 = 14
TOLERANCE = 1e-6


def derive(p, dt):
    v_peak = np.where(p["delta_T"] > 0, p["v_spike"], p["v_thresh"])
    return stack(p["cm"] / p["tau_m"], p["cm"], p["v_rest"], p["v_reset"], p["v_thresh"], p["v_spike"], v_peak,
                 p["delta_T"], p["a"], p["b"], p["tau_w"], p["i_offset"], refractory_steps(p["tau_refrac"], dt),
                 np.full_like(p["cm"], dt), *slots.slot_constants(p))


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = c[i, V_RESET] if refractory else min(y[0], c[i, V_SPIKE])
    spike = 0.0
    if c[i, DELTA_T] != 0.0:
        spike = c[i, G_LEAK] * c[i, DELTA_T] * math.exp((v - c[i, V_THRESH]) / c[i, DELTA_T])
    dydt[0] = 0.0 if refractory else (c[i, G_LEAK] * (c[i, V_REST] - v) + spike
                                      + slots.synaptic_drive(y, G_AT, c, i, C0, v) - y[1] + drive) / c[i, CM]
    dydt[1] = (1e-3 * c[i, A] * (v - c[i, V_REST]) - y[1]) / c[i, TAU_W]
    slots.slot_derivatives(y, dydt, G_AT, c, i, C0)


evolve = make_evolve(rhs, scale=(1.0, 1000.0) + (1000.0,) * (2 * slots.SLOTS), eps_abs=TOLERANCE,
                     eps_rel=TOLERANCE, a_y=0.0, a_dydt=1.0)


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs, is_ = nrn.constants, nrn.fstate, nrn.istate
    y, work = scratch(nrn, N_ODE)
    for i in range(lo, hi):
        dt = c[i, DT]
        for j in range(N_ODE):
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
                y[1] += c[i, B]
                is_[i, 0] = np.int32(c[i, T_REFRAC] + 1) if c[i, T_REFRAC] > 0 else 0
                nrn.counts[i] += 1
        if is_[i, 0] > 0:
            is_[i, 0] -= 1
        slots.add_input(y, G_AT, c, i, C0, nrn.syn_in)
        for j in range(N_ODE):
            fs[i, j] = y[j]
        fs[i, STEP] = h


def _columns():
    out = ["v", "w"]
    for k in range(1, slots.SLOTS + 1):
        out += [f"dg{k}", f"g{k}"]
    return tuple(out) + ("rk_step",)


SPEC = ModelSpec(
    name="AdExp_multisynapse", update=update,
    parameters=dict(cm=0.281, tau_refrac=0.1, v_spike=-40.0, v_reset=-70.6, v_rest=-70.6, tau_m=9.3667,
                    i_offset=0.0, a=4.0, b=0.0805, delta_T=2.0, tau_w=144.0, v_thresh=-50.4,
                    **slots.slot_parameters()),
    state=dict(v=-70.6, w=0.0, **{f"g{k}": 0.0 for k in range(1, slots.SLOTS + 1)}), state_columns=_columns(),
    recordable=("spikes", "v", "w") + tuple(f"g{k}" for k in range(1, slots.SLOTS + 1)),
    derive=derive, n_constants=C0 + slots.WIDTH * slots.SLOTS, conductance_based=True,
    receptors=tuple(f"syn{k}" for k in range(1, slots.SLOTS + 1)),
    positive=('cm', 'tau_m', 'tau_w'), non_negative=('tau_refrac', 'delta_T'), extra_check=slots.check)
