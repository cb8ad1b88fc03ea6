"""Post-synaptic receptors as slots of a multi-receptor point neuron (PyNN's PointNeuron):
up to ``SLOTS`` receptors, each one of PyNN's post-synaptic responses.

Every slot holds two state variables (dg, g) with dg' = -dg/tau_rise, g' = dg - g/tau_decay and
a spike of weight w adding w g0 to dg: a beta-function conductance normalised to peak at w
(NEST's ``beta_normalization_factor``), an alpha function when the two time constants are equal
(NEST's ``aeif_cond_alpha_multisynapse``). An exponential conductance or current takes the
weight into g directly (tau_rise unused). Conductances (uS) drive g (E_syn - V); a current (nA)
adds sign g (the sign of the weights onto that receptor)."""
import math

import numpy as np
from numba import njit

SLOTS = 4
NONE, CURR_EXP, COND_EXP, COND_ALPHA, COND_BETA = range(5)
KIND_NAMES = {"CurrExpPostSynapticResponse": CURR_EXP, "CondExpPostSynapticResponse": COND_EXP,
              "CondAlphaPostSynapticResponse": COND_ALPHA, "CondBetaPostSynapticResponse": COND_BETA}
KIND, TAU_RISE, TAU_DECAY, E_REV, G0, SIGN = range(6)        # per-slot constants
WIDTH = 6
RECEPTORS = tuple(f"syn{k}" for k in range(1, SLOTS + 1))    # the core's names of the slots
G = tuple(f"g{k}" for k in range(1, SLOTS + 1))               # each slot's conductance or current


def slot_parameters():
    """Core parameters of the slots, with defaults (an unused slot has kind 0)."""
    out = {}
    for k in range(1, SLOTS + 1):
        out.update({f"kind_{k}": 0.0, f"tau_syn_{k}": 5.0, f"tau_rise_{k}": 0.2, f"e_syn_{k}": 0.0,
                    f"sign_{k}": 1.0})
    return out


def normalisation(kind, tau_rise, tau_decay):
    """g0: the jump of dg per unit weight that makes the conductance peak at the weight."""
    kind = np.asarray(kind)
    tau_rise = np.where(kind == COND_ALPHA, tau_decay, tau_rise)
    diff = tau_decay - tau_rise
    safe = np.where(np.abs(diff) > 1e-12, diff, 1.0)
    t_peak = tau_decay * tau_rise * np.log(np.where(np.abs(diff) > 1e-12, tau_decay / tau_rise, 2.0)) / safe
    peak = np.exp(-t_peak / tau_decay) - np.exp(-t_peak / tau_rise)
    beta = np.where(np.abs(peak) > 1e-15, (1.0 / tau_rise - 1.0 / tau_decay) / np.where(np.abs(peak) > 1e-15, peak, 1.0),
                    math.e / tau_decay)
    return np.where(np.abs(diff) > 1e-12, beta, math.e / tau_decay)


def state_columns(*neuron):
    """A multi-receptor model's float state columns: the neuron's, (dg, g) per slot, the proposed
    RK step."""
    return neuron + tuple(name for k in range(1, SLOTS + 1) for name in (f"dg{k}", f"g{k}")) + ("rk_step",)


def slot_constants(p):
    """The per-slot constant columns, SLOTS x WIDTH of them."""
    cols = []
    for k in range(1, SLOTS + 1):
        kind = np.asarray(p[f"kind_{k}"], dtype=float)
        tau_decay = np.asarray(p[f"tau_syn_{k}"], dtype=float)
        tau_rise = np.where(kind == COND_ALPHA, tau_decay, np.asarray(p[f"tau_rise_{k}"], dtype=float))
        cols += [kind, tau_rise, tau_decay, p[f"e_syn_{k}"], normalisation(kind, tau_rise, tau_decay),
                 p[f"sign_{k}"]]
    return cols


def check(label, p):
    for k in range(1, SLOTS + 1):
        kind = np.asarray(p[f"kind_{k}"])
        for name, used in ((f"tau_syn_{k}", kind != NONE), (f"tau_rise_{k}", kind == COND_BETA)):
            if np.any(np.asarray(p[name])[used] <= 0):
                raise ValueError(f"population {label!r}: receptor {k}: {name[:-2]} must be > 0")
        beta = kind == COND_BETA
        if np.any(np.asarray(p[f"tau_rise_{k}"])[beta] > np.asarray(p[f"tau_syn_{k}"])[beta]):
            raise ValueError(f"population {label!r}: receptor {k}: the rise time must not exceed the decay time")


@njit(cache=True, nogil=True, inline="always")
def synaptic_drive(y, g_at, c, i, c0, v):
    """Sum of the slots' currents into the membrane (nA) at V = v; slot k's g is y[g_at + 2k + 1]."""
    total = 0.0
    for k in range(SLOTS):
        base = c0 + k * WIDTH
        kind = c[i, base + KIND]
        g = y[g_at + 2 * k + 1]
        if kind == CURR_EXP:
            total += c[i, base + SIGN] * g
        elif kind != NONE:
            total += g * (c[i, base + E_REV] - v)
    return total


@njit(cache=True, nogil=True, inline="always")
def slot_derivatives(y, dydt, g_at, c, i, c0):
    """d(dg, g)/dt of every slot, stored from ``g_at`` as (dg1, g1, dg2, g2, ...)."""
    for k in range(SLOTS):
        base = c0 + k * WIDTH
        dg, g = y[g_at + 2 * k], y[g_at + 2 * k + 1]
        dydt[g_at + 2 * k] = -dg / c[i, base + TAU_RISE]
        dydt[g_at + 2 * k + 1] = dg - g / c[i, base + TAU_DECAY]


@njit(cache=True, nogil=True, inline="always")
def add_input(y, g_at, c, i, c0, syn_in):
    """A step's synaptic input (one value per slot) into the slots."""
    for k in range(SLOTS):
        base = c0 + k * WIDTH
        kind = c[i, base + KIND]
        if kind == COND_ALPHA or kind == COND_BETA:
            y[g_at + 2 * k] += syn_in[i, k] * c[i, base + G0]
        elif kind != NONE:
            y[g_at + 2 * k + 1] += syn_in[i, k]


def make_receive(g_at, c0):
    """``add_input`` as ``ode.make_update`` calls it, for slots from state column ``g_at`` and
    constant column ``c0``."""
    @njit(nogil=True)
    def receive(y, c, i, syn_in):
        add_input(y, g_at, c, i, c0, syn_in)
    return receive
