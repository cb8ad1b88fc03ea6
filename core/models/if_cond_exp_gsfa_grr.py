"""Leaky integrate-and-fire with exponential conductance synapses, spike-frequency adaptation
and relative refractoriness as two spike-triggered conductances (Muller et al. 2007, Neural
Comput. 19: 2958; NEST ``iaf_cond_exp_sfa_rr``). Integrated as NEST does (adaptive RKF45,
``ode.py``); g_s and g_r are in nS, as PyNN defines them."""
from numba import njit

from . import ode
from .if_cond_exp import (CM, E_REV_EXC, E_REV_INH, G_LEAK, SPIKING, TAU_EXC, TAU_INH, V_RESET, V_REST, columns,
                          potential)
from .spec import ModelSpec, stack

V, G_EXC, G_INH, G_SFA, G_RR = range(5)           # then the proposed RK step
# columns of the derived constants after ``if_cond_exp``'s
TAU_SFA, E_SFA, Q_SFA, TAU_RR, E_RR, Q_RR = range(12, 18)


def derive(p, dt):
    return stack(*columns(p, dt), p["tau_sfa"], p["e_rev_sfa"], p["q_sfa"], p["tau_rr"], p["e_rev_rr"], p["q_rr"])


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = potential(y, c, i, refractory)
    dydt[V] = 0.0 if refractory else (
        c[i, G_LEAK] * (c[i, V_REST] - v) + y[G_EXC] * (c[i, E_REV_EXC] - v) + y[G_INH] * (c[i, E_REV_INH] - v)
        + 1e-3 * (y[G_SFA] * (c[i, E_SFA] - v) + y[G_RR] * (c[i, E_RR] - v)) + drive) / c[i, CM]
    dydt[G_EXC] = -y[G_EXC] / c[i, TAU_EXC]
    dydt[G_INH] = -y[G_INH] / c[i, TAU_INH]
    dydt[G_SFA] = -y[G_SFA] / c[i, TAU_SFA]
    dydt[G_RR] = -y[G_RR] / c[i, TAU_RR]


@njit(cache=True, nogil=True)
def reset(y, c, fs, i):
    y[V] = c[i, V_RESET]
    y[G_SFA] += c[i, Q_SFA]
    y[G_RR] += c[i, Q_RR]


update = ode.make_update(__name__, rhs, scale=(1.0, 1000.0, 1000.0, 1.0, 1.0), eps_abs=1e-3,
                         receive=ode.exponential_input(G_EXC, G_INH), reset=reset, **SPIKING)

SPEC = ModelSpec(
    name="IF_cond_exp_gsfa_grr", update=update,
    parameters=dict(cm=1.0, tau_m=20.0, tau_refrac=0.1, tau_syn_E=5.0, tau_syn_I=5.0,
                    e_rev_E=0.0, e_rev_I=-70.0, v_thresh=-50.0, v_reset=-65.0, v_rest=-65.0, i_offset=0.0,
                    tau_sfa=100.0, e_rev_sfa=-75.0, q_sfa=15.0, tau_rr=2.0, e_rev_rr=-75.0, q_rr=3000.0),
    state=dict(v=-65.0, gsyn_exc=0.0, gsyn_inh=0.0, g_s=0.0, g_r=0.0),
    state_columns=("v", "gsyn_exc", "gsyn_inh", "g_s", "g_r", "rk_step"),
    recordable=("spikes", "v", "g_r", "g_s", "gsyn_exc", "gsyn_inh"),
    derive=derive, n_constants=18, conductance_based=True,
    positive=('cm', 'tau_m', 'tau_syn_E', 'tau_syn_I', 'tau_sfa', 'tau_rr'), non_negative=('tau_refrac',))
