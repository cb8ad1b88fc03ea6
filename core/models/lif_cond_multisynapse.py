"""Leaky integrate-and-fire with up to four conductance receptors, each exponential, alpha or
beta shaped (PyNN's PointNeuron of LIF and Cond*PostSynapticResponse; ``synapse_slots.py``).
Integrated and updated as NEST's ``iaf_cond_*`` models are (adaptive RKF45, absolute tolerance
1e-3 on mV and nS; V clamped to v_reset while refractory; currents use min(V, v_thresh))."""
import numpy as np
from numba import njit

from . import synapse_slots as slots
from .ode import make_evolve, scratch
from .spec import ModelSpec, refractory_steps, stack

V, G_AT = 0, 1                              # then (dg, g) per slot
STEP = 1 + 2 * slots.SLOTS
N_ODE = 1 + 2 * slots.SLOTS
G_LEAK, CM, V_REST, V_RESET, V_THRESH, I_OFFSET, T_REFRAC, DT = range(8)
C0 = 8


def derive(p, dt):
    return stack(p["cm"] / p["tau_m"], p["cm"], p["v_rest"], p["v_reset"], p["v_thresh"], p["i_offset"],
                 refractory_steps(p["tau_refrac"], dt), np.full_like(p["cm"], dt), *slots.slot_constants(p))


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = c[i, V_RESET] if refractory else min(y[0], c[i, V_THRESH])
    dydt[0] = 0.0 if refractory else (c[i, G_LEAK] * (c[i, V_REST] - v) + slots.synaptic_drive(y, G_AT, c, i, C0, v)
                                      + drive) / c[i, CM]
    slots.slot_derivatives(y, dydt, G_AT, c, i, C0)


evolve = make_evolve(rhs, scale=(1.0,) + (1000.0,) * (2 * slots.SLOTS), eps_abs=1e-3)


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs, is_ = nrn.constants, nrn.fstate, nrn.istate
    y, work = scratch(nrn, N_ODE)
    for i in range(lo, hi):
        dt = c[i, DT]
        for j in range(N_ODE):
            y[j] = fs[i, j]
        h = fs[i, STEP] if fs[i, STEP] > 0 else dt
        refractory = is_[i, 0] > 0
        drive = c[i, I_OFFSET] + nrn.i_inject[i]
        s = 0.0
        while s < dt:
            s, h = evolve(y, work, s, dt, h, c, i, drive, refractory)
        slots.add_input(y, G_AT, c, i, C0, nrn.syn_in)
        if refractory:
            is_[i, 0] -= 1
            y[0] = c[i, V_RESET]
        elif y[0] >= c[i, V_THRESH]:
            is_[i, 0] = np.int32(c[i, T_REFRAC])
            y[0] = c[i, V_RESET]
            nrn.counts[i] = 1
        for j in range(N_ODE):
            fs[i, j] = y[j]
        fs[i, STEP] = h


def _columns():
    out = ["v"]
    for k in range(1, slots.SLOTS + 1):
        out += [f"dg{k}", f"g{k}"]
    return tuple(out) + ("rk_step",)


SPEC = ModelSpec(
    name="LIF_cond_multisynapse", update=update,
    parameters=dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, i_offset=0.0,
                    **slots.slot_parameters()),
    state=dict(v=-65.0, **{f"g{k}": 0.0 for k in range(1, slots.SLOTS + 1)}), state_columns=_columns(),
    recordable=("spikes", "v") + tuple(f"g{k}" for k in range(1, slots.SLOTS + 1)),
    derive=derive, n_constants=C0 + slots.WIDTH * slots.SLOTS, conductance_based=True,
    receptors=tuple(f"syn{k}" for k in range(1, slots.SLOTS + 1)),
    positive=('cm', 'tau_m'), non_negative=('tau_refrac',), extra_check=slots.check)
