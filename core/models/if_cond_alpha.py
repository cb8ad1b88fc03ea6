"""Leaky integrate-and-fire, alpha-shaped conductance synapses (NEST ``iaf_cond_alpha``): a
weight w gives a conductance peaking at w after tau_syn. Integrated as NEST does (adaptive RKF45,
``ode.py``); constants, membrane and reset as ``if_cond_exp``."""
from numba import njit

from . import ode
from .if_cond_exp import SPIKING, TAU_EXC, TAU_INH, derive, membrane, potential, reset
from .if_cond_exp import SPEC as EXP_SPEC
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
    name="IF_cond_alpha", update=update, parameters=dict(EXP_SPEC.parameters, tau_syn_E=0.3, tau_syn_I=0.5),
    state=dict(EXP_SPEC.state), state_columns=("v", "dgsyn_exc", "gsyn_exc", "dgsyn_inh", "gsyn_inh", "rk_step"),
    recordable=EXP_SPEC.recordable, derive=derive, n_constants=EXP_SPEC.n_constants, conductance_based=True,
    positive=EXP_SPEC.positive, non_negative=EXP_SPEC.non_negative)
