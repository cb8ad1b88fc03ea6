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

from .ode import make_evolve, scratch
from .rng import uniform
from .spec import ModelSpec, refractory_steps, stack

KERNELS = 3              # exponentials in eta and in gamma (PyNN's default arrays have three)
V, G_EXC, G_INH, STEP, I_ETA, V_T = range(6)
ETA0, GAMMA0 = 6, 6 + KERNELS
# columns of the derived constants (``derive``)
(G_LEAK, CM, V_REST, E_REV_EXC, E_REV_INH, TAU_EXC, TAU_INH, V_RESET, I_OFFSET, T_REFRAC, DT, DELTA_V,
 V_T_STAR, LAMBDA0) = range(14)
P_ETA0, Q_ETA0, P_GAMMA0, Q_GAMMA0 = 14, 14 + KERNELS, 14 + 2 * KERNELS, 14 + 3 * KERNELS


def derive(p, dt):
    kernels = [np.exp(-dt / p[f"tau_eta{k}"]) for k in range(1, KERNELS + 1)]
    kernels += [p[f"a_eta{k}"] for k in range(1, KERNELS + 1)]
    kernels += [np.exp(-dt / p[f"tau_gamma{k}"]) for k in range(1, KERNELS + 1)]
    kernels += [p[f"a_gamma{k}"] for k in range(1, KERNELS + 1)]
    return stack(p["cm"] / p["tau_m"], p["cm"], p["v_rest"], p["e_rev_E"], p["e_rev_I"], p["tau_syn_E"],
                 p["tau_syn_I"], p["v_reset"], p["i_offset"], refractory_steps(p["tau_refrac"], dt),
                 np.full_like(p["cm"], dt), p["delta_v"], p["v_t_star"], p["lambda0"] / 1000.0, *kernels)


@njit(cache=True, nogil=True)
def rhs(y, dydt, c, i, drive, refractory):
    v = c[i, V_RESET] if refractory else y[0]
    dydt[0] = 0.0 if refractory else (c[i, G_LEAK] * (c[i, V_REST] - v) + y[1] * (c[i, E_REV_EXC] - v)
                                      + y[2] * (c[i, E_REV_INH] - v) + drive) / c[i, CM]
    dydt[1] = -y[1] / c[i, TAU_EXC]
    dydt[2] = -y[2] / c[i, TAU_INH]


evolve = make_evolve(rhs, scale=(1.0, 1000.0, 1000.0), eps_abs=1e-3)


@njit(cache=True, nogil=True)
def update(lo, hi, t, nrn):
    c, fs, is_, syn_in = nrn.constants, nrn.fstate, nrn.istate, nrn.syn_in
    y, work = scratch(nrn, 3)
    for i in range(lo, hi):
        dt = c[i, DT]
        eta, v_t = 0.0, c[i, V_T_STAR]
        for k in range(KERNELS):
            eta += fs[i, ETA0 + k]
            fs[i, ETA0 + k] *= c[i, P_ETA0 + k]
            v_t += fs[i, GAMMA0 + k]
            fs[i, GAMMA0 + k] *= c[i, P_GAMMA0 + k]
        fs[i, I_ETA], fs[i, V_T] = eta, v_t
        y[0], y[1], y[2] = fs[i, V], fs[i, G_EXC], fs[i, G_INH]
        h = fs[i, STEP] if fs[i, STEP] > 0 else dt
        refractory = is_[i, 0] > 0
        drive = c[i, I_OFFSET] + nrn.i_inject[i] - eta
        s = 0.0
        while s < dt:
            s, h = evolve(y, work, s, dt, h, c, i, drive, refractory)
        y[1] += syn_in[i, 0]
        y[2] += syn_in[i, 1]
        if not refractory:
            intensity = c[i, LAMBDA0] * math.exp((y[0] - v_t) / c[i, DELTA_V])
            if intensity > 0.0 and uniform(nrn.rng, i) < -math.expm1(-intensity * dt):
                for k in range(KERNELS):
                    fs[i, ETA0 + k] += c[i, Q_ETA0 + k]
                    fs[i, GAMMA0 + k] += c[i, Q_GAMMA0 + k]
                is_[i, 0] = np.int32(c[i, T_REFRAC])
                nrn.counts[i] = 1
        else:
            is_[i, 0] -= 1
            y[0] = c[i, V_RESET]
        fs[i, V], fs[i, G_EXC], fs[i, G_INH], fs[i, STEP] = y[0], y[1], y[2], h


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
