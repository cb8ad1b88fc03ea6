"""Leaky integrate-and-fire, alpha-shaped conductance synapses (NEST ``iaf_cond_alpha``): a
weight w gives a conductance peaking at w after tau_syn. Integrated as NEST does (adaptive RKF45,
``ode.py``); constants, membrane and reset as ``if_cond_exp``."""
from numba import njit

from . import ode
from .if_cond_exp import SPIKING, TAU_EXC, TAU_INH, derive, membrane, potential, reset
from .spec import ModelSpec

V, DG_EXC, G_EXC, DG_INH, G_INH = range(5)        # then the proposed RK step


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = potential(y, c, i, refractory)
    dydt[V] = 0.0 if refractory else membrane(v, y[G_EXC], y[G_INH], c, i, drive)
    dydt[DG_EXC] = -y[DG_EXC] / c[i, TAU_EXC]
    dydt[G_EXC] = y[DG_EXC] - y[G_EXC] / c[i, TAU_EXC]
    dydt[DG_INH] = -y[DG_INH] / c[i, TAU_INH]
    dydt[G_INH] = y[DG_INH] - y[G_INH] / c[i, TAU_INH]


update = ode.make_update(__name__, rhs, scale=(1.0, 1000.0, 1000.0, 1000.0, 1000.0), eps_abs=1e-3,
                         receive=ode.alpha_input(DG_EXC, DG_INH, TAU_EXC, TAU_INH), reset=reset, **SPIKING)

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
