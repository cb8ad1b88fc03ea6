"""Leaky integrate-and-fire, exponential conductance synapses (NEST ``iaf_cond_exp``).

The membrane and conductances are integrated together by NEST's adaptive RKF45 scheme
(``ode.py``, absolute tolerance 1e-3 on mV and nS), so the trace follows NEST's to rounding
(float32 state). As in NEST: while refractory V is clamped to v_reset; synaptic input arrives
after the step's integration; the currents use min(V, v_thresh). The constants, membrane and
reset serve the other leaky conductance-based models too."""
import numpy as np
from numba import njit

from . import ode
from .spec import ModelSpec, refractory_steps, stack

V, G_EXC, G_INH = range(3)         # then the proposed RK step
# columns of the derived constants: the neuron's (shared with the other leaky conductance-based
# models), then the two synapses'
(G_LEAK, CM, V_REST, V_RESET, V_THRESH, I_OFFSET, T_REFRAC, DT, E_REV_EXC, E_REV_INH, TAU_EXC,
 TAU_INH) = range(12)
NEURON_COLUMNS = 8
SPIKING = dict(dt=DT, t_refrac=T_REFRAC, v_reset=V_RESET, i_offset=I_OFFSET, threshold=V_THRESH)  # for make_update


def neuron_columns(p, dt):
    """The constant columns G_LEAK .. DT."""
    return [p["cm"] / p["tau_m"], p["cm"], p["v_rest"], p["v_reset"], p["v_thresh"], p["i_offset"],
            refractory_steps(p["tau_refrac"], dt), np.full_like(p["cm"], dt)]


def columns(p, dt):
    """The constant columns G_LEAK .. TAU_INH."""
    return neuron_columns(p, dt) + [p["e_rev_E"], p["e_rev_I"], p["tau_syn_E"], p["tau_syn_I"]]


def derive(p, dt):
    return stack(*columns(p, dt))


@njit(cache=True, nogil=True, inline="always")
def potential(y, c, i, refractory):
    """V as the currents see it: v_reset while refractory, else at most v_thresh."""
    return c[i, V_RESET] if refractory else min(y[V], c[i, V_THRESH])


@njit(cache=True, nogil=True, inline="always")
def membrane(v, g_exc, g_inh, c, i, drive):
    """dV/dt (mV/ms) at V = v: leak, the two synaptic conductances, drive."""
    return (c[i, G_LEAK] * (c[i, V_REST] - v) + g_exc * (c[i, E_REV_EXC] - v) + g_inh * (c[i, E_REV_INH] - v)
            + drive) / c[i, CM]


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = potential(y, c, i, refractory)
    dydt[V] = 0.0 if refractory else membrane(v, y[G_EXC], y[G_INH], c, i, drive)
    dydt[G_EXC] = -y[G_EXC] / c[i, TAU_EXC]
    dydt[G_INH] = -y[G_INH] / c[i, TAU_INH]


@njit(cache=True, nogil=True)
def reset(y, c, fs, i):
    y[V] = c[i, V_RESET]


update = ode.make_update(__name__, rhs, scale=(1.0, 1000.0, 1000.0), eps_abs=1e-3,
                         receive=ode.exponential_input(G_EXC, G_INH), reset=reset, **SPIKING)

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
