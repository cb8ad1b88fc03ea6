"""Adaptive exponential integrate-and-fire neuron with exponential conductance synapses
(Brette & Gerstner 2005, J. Neurophysiol. 94: 3637; NEST ``aeif_cond_exp``).

Integrated as NEST does (adaptive RKF45, ``ode.py``, absolute and relative tolerance 1e-6 on the
derivative-scaled error). As in NEST, a spike is detected after every integration sub-step
(V >= v_spike, or v_thresh when delta_T = 0): V is reset, w jumps by b and the neuron is
refractory for tau_refrac; the currents use min(V, v_spike), and V is clamped to v_reset while
refractory. Several spikes in one step are counted. The neuron's constants and currents serve
the other AdExp models too."""
import math

import numpy as np
from numba import njit

from . import ode
from .spec import ModelSpec, refractory_steps, stack

V, W, G_EXC, G_INH = range(4)          # then the proposed RK step
# columns of the derived constants: the neuron's (shared with the other AdExp models), then the
# two synapses'
(G_LEAK, CM, V_REST, V_RESET, V_THRESH, V_SPIKE, V_PEAK, DELTA_T, A, B, TAU_W, I_OFFSET, T_REFRAC, DT,
 E_REV_EXC, E_REV_INH, TAU_EXC, TAU_INH) = range(18)
NEURON_COLUMNS = 14
TOLERANCE = 1e-6
SPIKING = dict(eps_abs=TOLERANCE, eps_rel=TOLERANCE, a_y=0.0, a_dydt=1.0, dt=DT, t_refrac=T_REFRAC,
               v_reset=V_RESET, i_offset=I_OFFSET, threshold=V_PEAK, within_step=True)   # for make_update


def neuron_columns(p, dt):
    """The constant columns G_LEAK .. DT."""
    v_peak = np.where(p["delta_T"] > 0, p["v_spike"], p["v_thresh"])
    return [p["cm"] / p["tau_m"], p["cm"], p["v_rest"], p["v_reset"], p["v_thresh"], p["v_spike"], v_peak,
            p["delta_T"], p["a"], p["b"], p["tau_w"], p["i_offset"], refractory_steps(p["tau_refrac"], dt),
            np.full_like(p["cm"], dt)]


def derive(p, dt):
    return stack(*neuron_columns(p, dt), p["e_rev_E"], p["e_rev_I"], p["tau_syn_E"], p["tau_syn_I"])


@njit(cache=True, nogil=True, inline="always")
def potential(y, c, i, refractory):
    """V as the currents see it: v_reset while refractory, else at most v_spike."""
    return c[i, V_RESET] if refractory else min(y[V], c[i, V_SPIKE])


@njit(cache=True, nogil=True, inline="always")
def spike_current(v, c, i):
    """The exponential spike current (nA) at V = v; none when delta_T = 0."""
    spike = 0.0
    if c[i, DELTA_T] != 0.0:
        spike = c[i, G_LEAK] * c[i, DELTA_T] * math.exp((v - c[i, V_THRESH]) / c[i, DELTA_T])
    return spike


@njit(cache=True, nogil=True, inline="always")
def adaptation(v, w, c, i):
    """dw/dt (nA/ms) at V = v."""
    return (1e-3 * c[i, A] * (v - c[i, V_REST]) - w) / c[i, TAU_W]


@njit(cache=True, nogil=True, inline="always")
def membrane(v, g_exc, g_inh, w, c, i, drive):
    """dV/dt (mV/ms) at V = v: leak, exponential spike current, synapses, adaptation, drive."""
    return (c[i, G_LEAK] * (c[i, V_REST] - v) + spike_current(v, c, i) + g_exc * (c[i, E_REV_EXC] - v)
            + g_inh * (c[i, E_REV_INH] - v) - w + drive) / c[i, CM]


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = potential(y, c, i, refractory)
    dydt[V] = 0.0 if refractory else membrane(v, y[G_EXC], y[G_INH], y[W], c, i, drive)
    dydt[W] = adaptation(v, y[W], c, i)
    dydt[G_EXC] = -y[G_EXC] / c[i, TAU_EXC]
    dydt[G_INH] = -y[G_INH] / c[i, TAU_INH]


@njit(cache=True, nogil=True)
def reset(y, c, fs, i):
    y[V] = c[i, V_RESET]
    y[W] += c[i, B]


update = ode.make_update(__name__, rhs, scale=(1.0, 1000.0, 1000.0, 1000.0),
                         receive=ode.exponential_input(G_EXC, G_INH), reset=reset, **SPIKING)

SPEC = ModelSpec(
    name="EIF_cond_exp_isfa_ista", update=update,
    parameters=dict(cm=0.281, tau_refrac=0.1, v_spike=-40.0, v_reset=-70.6, v_rest=-70.6, tau_m=9.3667,
                    i_offset=0.0, a=4.0, b=0.0805, delta_T=2.0, tau_w=144.0, v_thresh=-50.4, e_rev_E=0.0,
                    tau_syn_E=5.0, e_rev_I=-80.0, tau_syn_I=5.0),
    state=dict(v=-70.6, w=0.0, gsyn_exc=0.0, gsyn_inh=0.0),
    state_columns=("v", "w", "gsyn_exc", "gsyn_inh", "rk_step"),
    recordable=("spikes", "v", "w", "gsyn_exc", "gsyn_inh"),
    derive=derive, n_constants=18, conductance_based=True,
    positive=('cm', 'tau_m', 'tau_syn_E', 'tau_syn_I', 'tau_w'), non_negative=('tau_refrac', 'delta_T'))
