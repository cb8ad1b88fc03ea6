"""Single-compartment Hodgkin-Huxley neuron with Traub & Miles' (1991) channel kinetics and
exponential conductance synapses (NEST ``hh_cond_exp_traub``). Integrated as NEST does (adaptive
RKF45, ``ode.py``). A spike is a local maximum of V above v_offset + 30 mV, outside a 2 ms dead
time (NEST's default ``t_ref``, not a PyNN parameter)."""
import math

import numpy as np
from numba import njit

from . import ode
from .spec import ModelSpec, refractory_steps, stack

V, M, H, N, G_EXC, G_INH = range(6)         # then the proposed RK step
# columns of the derived constants (``derive``)
(G_NA, G_K, G_LEAK, CM, V_OFFSET, E_NA, E_K, E_LEAK, E_REV_EXC, E_REV_INH, TAU_EXC, TAU_INH, I_OFFSET,
 T_REFRAC, DT) = range(15)
DEAD_TIME = 2.0      # ms


def derive(p, dt):
    return stack(p["gbar_Na"], p["gbar_K"], p["g_leak"], p["cm"], p["v_offset"], p["e_rev_Na"], p["e_rev_K"],
                 p["e_rev_leak"], p["e_rev_E"], p["e_rev_I"], p["tau_syn_E"], p["tau_syn_I"], p["i_offset"],
                 refractory_steps(np.full_like(p["cm"], DEAD_TIME), dt), np.full_like(p["cm"], dt))


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v, m, h, n = y[0], y[1], y[2], y[3]
    i_na = c[i, G_NA] * m * m * m * h * (v - c[i, E_NA])
    i_k = c[i, G_K] * n * n * n * n * (v - c[i, E_K])
    i_leak = c[i, G_LEAK] * (v - c[i, E_LEAK])
    i_syn = y[4] * (v - c[i, E_REV_EXC]) + y[5] * (v - c[i, E_REV_INH])
    dydt[0] = (drive - i_na - i_k - i_leak - i_syn) / c[i, CM]
    u = v - c[i, V_OFFSET]
    alpha_n = 0.032 * (15.0 - u) / (math.exp((15.0 - u) / 5.0) - 1.0)
    beta_n = 0.5 * math.exp((10.0 - u) / 40.0)
    alpha_m = 0.32 * (13.0 - u) / (math.exp((13.0 - u) / 4.0) - 1.0)
    beta_m = 0.28 * (u - 40.0) / (math.exp((u - 40.0) / 5.0) - 1.0)
    alpha_h = 0.128 * math.exp((17.0 - u) / 18.0)
    beta_h = 4.0 / (1.0 + math.exp((40.0 - u) / 5.0))
    dydt[1] = alpha_m - (alpha_m + beta_m) * m
    dydt[2] = alpha_h - (alpha_h + beta_h) * h
    dydt[3] = alpha_n - (alpha_n + beta_n) * n
    dydt[4] = -y[4] / c[i, TAU_EXC]
    dydt[5] = -y[5] / c[i, TAU_INH]


@njit(cache=True, nogil=True)
def fires(y, v_old, v_offset, c, i, nrn):
    """A spike: V past its maximum, above v_offset + 30 mV."""
    return y[V] >= v_offset + 30.0 and v_old > y[V]


update = ode.make_update(__name__, rhs, scale=(1.0, 1.0, 1.0, 1.0, 1000.0, 1000.0), eps_abs=1e-3,
                         receive=ode.exponential_input(G_EXC, G_INH), reset=ode.no_reset, dt=DT, t_refrac=T_REFRAC,
                         i_offset=I_OFFSET, threshold=V_OFFSET, fires=fires)

SPEC = ModelSpec(
    name="HH_cond_exp", update=update,
    parameters=dict(gbar_Na=20.0, gbar_K=6.0, g_leak=0.01, cm=0.2, v_offset=-63.0, e_rev_Na=50.0,
                    e_rev_K=-90.0, e_rev_leak=-65.0, e_rev_E=0.0, e_rev_I=-80.0, tau_syn_E=0.2,
                    tau_syn_I=2.0, i_offset=0.0),
    state=dict(v=-65.0, gsyn_exc=0.0, gsyn_inh=0.0, h=1.0, m=0.0, n=0.0),
    state_columns=("v", "m", "h", "n", "gsyn_exc", "gsyn_inh", "rk_step"),
    recordable=("spikes", "v", "gsyn_exc", "gsyn_inh", "m", "h", "n"),
    derive=derive, n_constants=15, conductance_based=True,
    positive=('cm', 'tau_syn_E', 'tau_syn_I'), non_negative=('gbar_Na', 'gbar_K', 'g_leak'))
