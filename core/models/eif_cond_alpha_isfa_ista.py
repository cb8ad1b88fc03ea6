"""Adaptive exponential integrate-and-fire neuron with alpha-shaped conductance synapses
(Brette & Gerstner 2005; NEST ``aeif_cond_alpha``): ``eif_cond_exp_isfa_ista`` with each
conductance driven by its derivative, a weight w peaking at w after tau_syn."""
from numba import njit

from . import ode
from .eif_cond_exp_isfa_ista import SPIKING, TAU_EXC, TAU_INH, adaptation, derive, membrane, potential, reset
from .eif_cond_exp_isfa_ista import SPEC as EXP_SPEC
from .spec import ModelSpec

V, W, DG_EXC, G_EXC, DG_INH, G_INH = range(6)     # then the proposed RK step


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = potential(y, c, i, refractory)
    dydt[V] = 0.0 if refractory else membrane(v, y[G_EXC], y[G_INH], y[W], c, i, drive)
    dydt[W] = adaptation(v, y[W], c, i)
    dydt[DG_EXC] = -y[DG_EXC] / c[i, TAU_EXC]
    dydt[G_EXC] = y[DG_EXC] - y[G_EXC] / c[i, TAU_EXC]
    dydt[DG_INH] = -y[DG_INH] / c[i, TAU_INH]
    dydt[G_INH] = y[DG_INH] - y[G_INH] / c[i, TAU_INH]


update = ode.make_update(__name__, rhs, scale=(1.0, 1000.0, 1000.0, 1000.0, 1000.0, 1000.0),
                         receive=ode.alpha_input(DG_EXC, DG_INH, TAU_EXC, TAU_INH), reset=reset, **SPIKING)

SPEC = ModelSpec(
    name="EIF_cond_alpha_isfa_ista", update=update, parameters=dict(EXP_SPEC.parameters),
    state=dict(EXP_SPEC.state),
    state_columns=("v", "w", "dgsyn_exc", "gsyn_exc", "dgsyn_inh", "gsyn_inh", "rk_step"),
    recordable=EXP_SPEC.recordable, derive=derive, n_constants=EXP_SPEC.n_constants, conductance_based=True,
    positive=EXP_SPEC.positive, non_negative=EXP_SPEC.non_negative)
