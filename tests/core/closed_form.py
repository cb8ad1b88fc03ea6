"""Closed-form membrane and synaptic traces in float64, to test the emulated neuron models against.

A spike of weight w arriving at time 0 gives (s = time since arrival, PSP = V - v_rest):

* exponential current ``I = w exp(-s/ts)``; PSP ``w ts tm / (cm (tm - ts)) (exp(-s/tm) - exp(-s/ts))``;
* alpha current ``I = w (s/ts) exp(1 - s/ts)`` (peak w at s = ts); PSP
  ``w e / (ts cm) exp(-s/tm) (1 - exp(-c s)(1 + c s)) / c^2`` with ``c = 1/ts - 1/tm``.

Both follow from ``cm dV/dt = -cm (V - v_rest)/tm + I`` (NEST ``iaf_psc_exp``/``iaf_psc_alpha``);
the current models are linear, so PSPs add. Conductance synapses make the membrane equation
time-varying, ``cm dV/dt = gL (v_rest - V) + ge (Ee - V) + gi (Ei - V) + i_offset`` (NEST
``iaf_cond_exp``); over one step it has the exact solution ``V(h) = exp(-A(h)) (V(0) + int_0^h
exp(A(u)) b(u) du / cm)`` with ``A(u) = int_0^u (gL + ge + gi) / cm`` in closed form, and the remaining
integral of a smooth function over one step is taken by Gauss-Legendre quadrature to machine precision.
"""
import numpy as np

INHIBITORY_SIGN = (1.0, -1.0)


def exp_current(s, w, tau_syn):
    s = np.asarray(s, float)
    return np.where(s >= 0, w * np.exp(-np.maximum(s, 0) / tau_syn), 0.0)


def exp_psp(s, w, tau_syn, tau_m, cm):
    s = np.maximum(np.asarray(s, float), 0.0)
    return w * tau_syn * tau_m / (cm * (tau_m - tau_syn)) * (np.exp(-s / tau_m) - np.exp(-s / tau_syn))


def alpha_current(s, w, tau_syn):
    s = np.asarray(s, float)
    x = np.maximum(s, 0) / tau_syn
    return np.where(s >= 0, w * x * np.exp(1 - x), 0.0)


def alpha_psp(s, w, tau_syn, tau_m, cm):
    s = np.maximum(np.asarray(s, float), 0.0)
    c = 1 / tau_syn - 1 / tau_m
    return w * np.e / (tau_syn * cm) * np.exp(-s / tau_m) * (1 - np.exp(-c * s) * (1 + c * s)) / c ** 2


def current_trace(times, arrivals, p, shape):
    """V and both synaptic currents of a current-based neuron at ``times`` (ms): ``arrivals`` is a
    list of (time ms, weight magnitude, receptor 0/1); ``shape`` 'exp' or 'alpha'."""
    current, psp = (exp_current, exp_psp) if shape == "exp" else (alpha_current, alpha_psp)
    times = np.asarray(times, float)
    v = np.full(times.shape, float(p["v_rest"]))
    isyn = np.zeros((2,) + times.shape)
    for t_a, w, receptor in arrivals:
        tau = p["tau_syn_E"] if receptor == 0 else p["tau_syn_I"]
        v += INHIBITORY_SIGN[receptor] * psp(times - t_a, w, tau, p["tau_m"], p["cm"])
        isyn[receptor] += current(times - t_a, w, tau)
    return v, isyn[0], isyn[1]


def conductance_trace(n_steps, dt, arrivals, p, nodes=16):
    """V, ge, gi of a subthreshold IF_cond_exp neuron at times k*dt, k = 0..n_steps, from V = v_rest.
    ``arrivals``: (time ms, weight magnitude, receptor 0/1), on the time grid; a conductance jumps at
    its arrival time and acts on V from then on, as in NEST."""
    gl = p["cm"] / p["tau_m"]
    k = np.arange(n_steps + 1)
    g = np.zeros((2, n_steps + 1))
    for t_a, w, receptor in arrivals:
        tau = p["tau_syn_E"] if receptor == 0 else p["tau_syn_I"]
        g[receptor] += np.where(k >= round(t_a / dt), w * np.exp(-(k * dt - t_a) / tau), 0.0)
    ge0, gi0 = g[:, :-1]                                   # at the start of each step
    te, ti = p["tau_syn_E"], p["tau_syn_I"]

    def a(u):   # integral of the total conductance over [0, u], / cm; u: (nodes,) -> (nodes, steps)
        u = np.asarray(u)[:, None]
        return (gl * u + ge0 * te * -np.expm1(-u / te) + gi0 * ti * -np.expm1(-u / ti)) / p["cm"]

    x, wq = np.polynomial.legendre.leggauss(nodes)
    u = (x + 1) * dt / 2
    b = (gl * p["v_rest"] + ge0 * np.exp(-u[:, None] / te) * p["e_rev_E"]
         + gi0 * np.exp(-u[:, None] / ti) * p["e_rev_I"] + p["i_offset"]) / p["cm"]
    a_h = a([dt])[0]
    drive = np.exp(-a_h) * (dt / 2 * wq[:, None] * np.exp(a(u)) * b).sum(axis=0)
    decay = np.exp(-a_h)
    v = np.empty(n_steps + 1)
    v[0] = p["v_rest"]
    for j in range(n_steps):
        v[j + 1] = decay[j] * v[j] + drive[j]
    return v, g[0], g[1]
