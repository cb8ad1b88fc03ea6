"""Generalized integrate-and-fire neuron (Mensi et al. 2012, J. Neurophysiol. 107: 1756;
Pozzorini et al. 2015, PLoS Comput. Biol. 11: e1004275; NEST ``gif_cond_exp``): a leaky membrane
with exponential conductance synapses, a spike-triggered current eta (three exponentials) and a
moving threshold gamma (three exponentials), and stochastic spikes with intensity
lambda0 exp((V - v_t) / delta_v).

The membrane and conductances are integrated as NEST does (adaptive RKF45, ``ode.py``); eta and
gamma decay exactly; the spike draw uses the neuron's own random stream. lambda0 is in Hz, as
PyNN defines it (pyNN.nest passes the number to NEST as 1/ms, a rate 1000 times higher). As in
NEST, V is not reset in the step of a spike but held at v_reset through the refractory period."""
import math

import numpy as np
from numba import njit

from . import ode
from .if_cond_exp import DT, G_EXC, G_INH, I_OFFSET, TAU_EXC, TAU_INH, T_REFRAC, V, V_RESET, columns, membrane
from .if_cond_exp import V_THRESH as V_T_STAR
from .rng import uniform
from .spec import ModelSpec, stack

KERNELS = 3              # exponentials in eta and in gamma (PyNN's default arrays have three)
I_ETA, V_T = 4, 5        # float state after V, G_EXC, G_INH and the proposed RK step
ETA0, GAMMA0 = 6, 6 + KERNELS
# columns of the derived constants: ``if_cond_exp``'s (v_t_star in the threshold's), then these
DELTA_V, LAMBDA0 = 12, 13
P_ETA0, Q_ETA0, P_GAMMA0, Q_GAMMA0 = 14, 14 + KERNELS, 14 + 2 * KERNELS, 14 + 3 * KERNELS


def derive(p, dt):
    kernels = [np.exp(-dt / p[f"tau_eta{k}"]) for k in range(1, KERNELS + 1)]
    kernels += [p[f"a_eta{k}"] for k in range(1, KERNELS + 1)]
    kernels += [np.exp(-dt / p[f"tau_gamma{k}"]) for k in range(1, KERNELS + 1)]
    kernels += [p[f"a_gamma{k}"] for k in range(1, KERNELS + 1)]
    return stack(*columns(dict(p, v_thresh=p["v_t_star"]), dt), p["delta_v"], p["lambda0"] / 1000.0, *kernels)


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = c[i, V_RESET] if refractory else y[V]
    dydt[V] = 0.0 if refractory else membrane(v, y[G_EXC], y[G_INH], c, i, drive)
    dydt[G_EXC] = -y[G_EXC] / c[i, TAU_EXC]
    dydt[G_INH] = -y[G_INH] / c[i, TAU_INH]


@njit(cache=True, nogil=True)
def begin(c, fs, i, nrn):
    """eta and gamma decay; the step's drive is the injected current less eta, its spike level
    the moving threshold v_t."""
    eta, v_t = 0.0, c[i, V_T_STAR]
    for k in range(KERNELS):
        eta += fs[i, ETA0 + k]
        fs[i, ETA0 + k] *= c[i, P_ETA0 + k]
        v_t += fs[i, GAMMA0 + k]
        fs[i, GAMMA0 + k] *= c[i, P_GAMMA0 + k]
    fs[i, I_ETA], fs[i, V_T] = eta, v_t
    return c[i, I_OFFSET] + nrn.i_inject[i] - eta, v_t


@njit(cache=True, nogil=True)
def fires(y, v_old, v_t, c, i, nrn):
    """A spike with probability 1 - exp(-lambda dt), lambda = lambda0 exp((V - v_t) / delta_v)."""
    intensity = c[i, LAMBDA0] * math.exp((y[V] - v_t) / c[i, DELTA_V])
    return intensity > 0.0 and uniform(nrn.rng, i) < -math.expm1(-intensity * c[i, DT])


@njit(cache=True, nogil=True)
def reset(y, c, fs, i):
    """eta and gamma jump; V is held at v_reset from the next step."""
    for k in range(KERNELS):
        fs[i, ETA0 + k] += c[i, Q_ETA0 + k]
        fs[i, GAMMA0 + k] += c[i, Q_GAMMA0 + k]


update = ode.make_update(__name__, rhs, scale=(1.0, 1000.0, 1000.0), eps_abs=1e-3,
                         receive=ode.exponential_input(G_EXC, G_INH), reset=reset, dt=DT, t_refrac=T_REFRAC,
                         v_reset=V_RESET, begin=begin, fires=fires)


_KERNEL_DEFAULTS = {f"{name}{k}": value for name, values in (
    ("tau_eta", (1.0, 10.0, 100.0)), ("tau_gamma", (1.0, 10.0, 100.0)), ("a_eta", (1.0,) * 3), ("a_gamma", (1.0,) * 3))
    for k, value in enumerate(values, start=1)}

SPEC = ModelSpec(
    name="GIF_cond_exp", update=update,
    parameters=dict(v_rest=-65.0, cm=1.0, tau_m=20.0, tau_refrac=4.0, tau_syn_E=5.0, tau_syn_I=5.0,
                    e_rev_E=0.0, e_rev_I=-70.0, v_reset=-65.0, i_offset=0.0, delta_v=0.5, v_t_star=-48.0,
                    lambda0=1.0, **_KERNEL_DEFAULTS),
    state=dict(v=-65.0, v_t=-48.0, i_eta=0.0, gsyn_exc=0.0, gsyn_inh=0.0),
    state_columns=("v", "gsyn_exc", "gsyn_inh", "rk_step", "i_eta", "v_t")
    + tuple(f"eta{k}" for k in range(1, KERNELS + 1)) + tuple(f"gamma{k}" for k in range(1, KERNELS + 1)),
    recordable=("spikes", "v", "gsyn_exc", "gsyn_inh", "i_eta", "v_t"),
    derive=derive, n_constants=14 + 4 * KERNELS, conductance_based=True,
    positive=('cm', 'tau_m', 'tau_syn_E', 'tau_syn_I', 'delta_v')
    + tuple(f"tau_{n}{k}" for n in ("eta", "gamma") for k in range(1, KERNELS + 1)),
    non_negative=('tau_refrac', 'lambda0'))
