"""Adaptive Runge-Kutta-Fehlberg 4(5) integration, step for step as NEST integrates its
conductance-based and nonlinear models (GSL's ``rkf45`` stepper driven by ``odeiv_evolve_apply``
with the standard step-size control).

Following the same algorithm with the same tolerances takes the same sub-steps as NEST, so the
membrane traces agree to rounding, not merely to the integrator's tolerance. The algorithm, from
its published description:

* one Fehlberg step of size h: six derivative evaluations; the fifth-order solution is
  propagated and the difference to the embedded fourth-order one is the error estimate
  (Fehlberg 1969; Hairer, Norsett & Wanner, *Solving ODEs I*, table II.5.1);
* the error ratio ``r = max_i |err_i| / (eps_abs + eps_rel (a_y |y_i| + a_dydt h |y'_i|))``:
  above 1.1 the step is rejected and retried with ``h * max(0.2, 0.9 r^(-1/5))``; below 0.5 the
  next step grows to ``h * min(5, max(1, 0.9 r^(-1/6)))``;
* a step never passes the end of the time step; the step size proposed for the next step is
  kept from one time step to the next (one value per neuron, in its state).

Errors are measured in NEST's units (nS, pA), so a model passes ``scale``: the factor from its
state variables' units (uS, nA) to NEST's.

``make_update`` builds a model's whole update from what is its own (right-hand side, synaptic
input, spike condition, reset): every neuron is integrated over the step, then spikes are found
and refractoriness counted as NEST's ``iaf_cond_*``, ``hh_cond_exp_traub`` and ``gif_cond_exp``
(once, after the step) or its ``aeif_*`` models (after every sub-step) do. The functions these
factories build are not cached on disk (numba keys a closure's cache entry by its pickled closure
variables, which differ from process to process); the cached kernels that call them hold their
code.
"""
import math

import numba
import numpy as np
from numba import njit

# Fehlberg's coefficients: stage times, stage weights, 5th-order weights, error weights
A2, A3, A4, A5, A6 = 1 / 4, 3 / 8, 12 / 13, 1.0, 1 / 2
B21 = 1 / 4
B31, B32 = 3 / 32, 9 / 32
B41, B42, B43 = 1932 / 2197, -7200 / 2197, 7296 / 2197
B51, B52, B53, B54 = 439 / 216, -8.0, 3680 / 513, -845 / 4104
B61, B62, B63, B64, B65 = -8 / 27, 2.0, -3544 / 2565, 1859 / 4104, -11 / 40
C1, C3, C4, C5, C6 = 16 / 135, 6656 / 12825, 28561 / 56430, -9 / 50, 2 / 55
E1, E3, E4, E5, E6 = 1 / 360, -128 / 4275, -2197 / 75240, 1 / 50, 2 / 55

WORK_ROWS = 11      # scratch rows: y0, k1..k6, ytmp, yerr, dydt_out, spare
SCRATCH_ROWS = WORK_ROWS + 1     # and the state being integrated
MAX_STATE = 16                   # state variables a model may integrate


@njit(cache=True, nogil=True)
def scratch(nrn, n_state):
    """(state, work space) for ``evolve``: views of this thread's block of the emulator's scratch
    memory (``Neurons.scratch``), as the step loop allocates nothing."""
    block = nrn.scratch[numba.get_thread_id()]
    return block[WORK_ROWS, :n_state], block[:WORK_ROWS, :n_state]


def make_evolve(rhs, scale, eps_abs, eps_rel=0.0, a_y=1.0, a_dydt=0.0):
    """One accepted adaptive step (GSL's ``evolve_apply``) for the system ``rhs``.

    ``rhs(y, dydt, c, i, drive, refractory)`` writes dy/dt for neuron ``i`` (constants ``c``,
    injected plus offset current ``drive``). The returned function
    ``evolve(y, work, t, t_end, h, c, i, drive, refractory) -> (t, h)`` advances ``y`` in place
    from ``t`` by one accepted step (never past ``t_end``) and returns the new time and the step
    size proposed for the next step."""
    scale = np.asarray(scale, dtype=np.float64)
    n = scale.size
    use_dydt = a_dydt != 0.0

    @njit(nogil=True)
    def evolve(y, work, t, t_end, h, c, i, drive, refractory):
        y0, k1, k2, k3, k4, k5, k6, ytmp, yerr, dydt_out = (
            work[0], work[1], work[2], work[3], work[4], work[5], work[6], work[7], work[8], work[9])
        t0 = t
        remaining = t_end - t0
        for j in range(n):
            y0[j] = y[j]
        rhs(y0, k1, c, i, drive, refractory)
        h0 = h
        while True:
            final = h0 > remaining
            if final:
                h0 = remaining
            for j in range(n):
                ytmp[j] = y0[j] + h0 * B21 * k1[j]
            rhs(ytmp, k2, c, i, drive, refractory)
            for j in range(n):
                ytmp[j] = y0[j] + h0 * (B31 * k1[j] + B32 * k2[j])
            rhs(ytmp, k3, c, i, drive, refractory)
            for j in range(n):
                ytmp[j] = y0[j] + h0 * (B41 * k1[j] + B42 * k2[j] + B43 * k3[j])
            rhs(ytmp, k4, c, i, drive, refractory)
            for j in range(n):
                ytmp[j] = y0[j] + h0 * (B51 * k1[j] + B52 * k2[j] + B53 * k3[j] + B54 * k4[j])
            rhs(ytmp, k5, c, i, drive, refractory)
            for j in range(n):
                ytmp[j] = y0[j] + h0 * (B61 * k1[j] + B62 * k2[j] + B63 * k3[j] + B64 * k4[j] + B65 * k5[j])
            rhs(ytmp, k6, c, i, drive, refractory)
            for j in range(n):
                y[j] = y0[j] + h0 * (C1 * k1[j] + C3 * k3[j] + C4 * k4[j] + C5 * k5[j] + C6 * k6[j])
                yerr[j] = h0 * (E1 * k1[j] + E3 * k3[j] + E4 * k4[j] + E5 * k5[j] + E6 * k6[j])
            if use_dydt:
                rhs(y, dydt_out, c, i, drive, refractory)
            t = t_end if final else t0 + h0
            ratio = 2.2250738585072014e-308
            for j in range(n):
                d = eps_abs
                if eps_rel != 0.0:
                    d += eps_rel * (a_y * abs(y[j] * scale[j]) + (a_dydt * abs(h0 * dydt_out[j] * scale[j])
                                                                    if use_dydt else 0.0))
                ratio = max(ratio, abs(yerr[j] * scale[j]) / d)
            if ratio > 1.1:
                shrink = max(0.2, 0.9 * ratio ** (-1.0 / 5.0))
                h_new = shrink * h0
                if h_new < h0 and t + h_new != t:
                    for j in range(n):
                        y[j] = y0[j]
                    h0 = h_new
                    continue
                return t, h0
            if ratio < 0.5:
                grow = min(5.0, max(1.0, 0.9 * ratio ** (-1.0 / 6.0)))
                return t, grow * h0
            return t, h0

    return evolve


@njit(cache=True, nogil=True)
def crosses(y, v_old, level, c, i, nrn):
    """The usual spike condition: V at or above the step's spike level."""
    return y[0] >= level


@njit(cache=True, nogil=True)
def no_reset(y, c, fs, i):
    """The reset of a model whose dynamics make the spike and its recovery (HH)."""


def exponential_input(exc, inh):
    """A step's excitatory and inhibitory input added to the conductances in state columns
    ``exc`` and ``inh``: an exponential conductance jumps by the weight."""
    @njit(nogil=True)
    def receive(y, c, i, syn_in):
        y[exc] += syn_in[i, 0]
        y[inh] += syn_in[i, 1]
    return receive


def alpha_input(exc, inh, tau_exc, tau_inh):
    """A step's input added to the conductances' derivatives in state columns ``exc`` and
    ``inh``: an alpha conductance peaks at the weight after tau_syn (constant columns
    ``tau_exc``, ``tau_inh``) when its derivative jumps by e/tau_syn times the weight."""
    @njit(nogil=True)
    def receive(y, c, i, syn_in):
        y[exc] += syn_in[i, 0] * (math.e / c[i, tau_exc])
        y[inh] += syn_in[i, 1] * (math.e / c[i, tau_inh])
    return receive


def make_update(module, rhs, scale, eps_abs, eps_rel=0.0, a_y=1.0, a_dydt=0.0, *, receive, reset, dt, t_refrac,
                v_reset=None, i_offset=None, threshold=None, begin=None, fires=crosses, within_step=False):
    """A model's ``update(lo, hi, t, nrn)``: each neuron's state (float state columns 0 .. n-1,
    the proposed RK step in column n, n = len(scale)) integrated over the step by ``evolve``,
    its spikes, refractory count (int state column 0) and synaptic input.

    What the model brings, as njit functions:

    * ``rhs``, ``scale`` and the tolerances: the system and its error control (``make_evolve``);
    * ``begin(c, fs, i, nrn) -> (drive, level)``: the step's injected plus offset current and
      spike level; by default ``c[i, i_offset] + nrn.i_inject[i]`` and ``c[i, threshold]``;
    * ``fires(y, v_old, level, c, i, nrn)``: the spike condition (``v_old``: V at the step's
      start); ``receive(y, c, i, syn_in)``: the step's synaptic input into the state;
    * ``reset(y, c, fs, i)``: what a spike does to the state;
    * the constant columns of the time step ``dt`` and the refractory period ``t_refrac`` (in
      steps), and ``v_reset``: V is held there while refractory (None: V runs free).

    Spikes are checked once after the step (NEST's ``iaf_cond_*``: at most one spike a step,
    refractory for t_refrac steps from the next) or, with ``within_step``, after every sub-step
    (NEST's ``aeif_*``: several spikes a step may count; refractory from the sub-step of the
    spike, t_refrac + 1 counted down at the step's end).

    ``module`` is the name of the model's module, which binds the result as ``update``: the
    generated dispatch (``core.runtime.dispatch``) imports it from there."""
    if begin is None and (i_offset is None or threshold is None):
        raise ValueError(f"{module}: make_update needs the i_offset and threshold columns, or a begin function")
    n = len(scale)
    if n > MAX_STATE:
        raise ValueError(f"{module}: {n} state variables, more than the {MAX_STATE} the scratch memory holds")
    evolve = make_evolve(rhs, scale, eps_abs, eps_rel, a_y, a_dydt)
    hold = v_reset is not None
    v_hold = v_reset if hold else 0
    if begin is None:
        @njit(nogil=True)
        def begin(c, fs, i, nrn):
            return c[i, i_offset] + nrn.i_inject[i], c[i, threshold]

    def update(lo, hi, t, nrn):
        c, fs, is_ = nrn.constants, nrn.fstate, nrn.istate
        y, work = scratch(nrn, n)
        for i in range(lo, hi):
            step = c[i, dt]
            for j in range(n):
                y[j] = fs[i, j]
            h = fs[i, n] if fs[i, n] > 0 else step
            drive, level = begin(c, fs, i, nrn)
            v_old = y[0]
            s = 0.0
            if within_step:
                while s < step:
                    s, h = evolve(y, work, s, step, h, c, i, drive, is_[i, 0] > 0)
                    if is_[i, 0] > 0:
                        if hold:
                            y[0] = c[i, v_hold]
                    elif fires(y, v_old, level, c, i, nrn):
                        reset(y, c, fs, i)
                        is_[i, 0] = np.int32(c[i, t_refrac] + 1) if c[i, t_refrac] > 0 else 0
                        nrn.counts[i] += 1
                if is_[i, 0] > 0:
                    is_[i, 0] -= 1
                receive(y, c, i, nrn.syn_in)
            else:
                refractory = is_[i, 0] > 0
                while s < step:
                    s, h = evolve(y, work, s, step, h, c, i, drive, refractory)
                receive(y, c, i, nrn.syn_in)
                if refractory:
                    is_[i, 0] -= 1
                    if hold:
                        y[0] = c[i, v_hold]
                elif fires(y, v_old, level, c, i, nrn):
                    is_[i, 0] = np.int32(c[i, t_refrac])
                    reset(y, c, fs, i)
                    nrn.counts[i] = 1
            for j in range(n):
                fs[i, j] = y[j]
            fs[i, n] = h

    update.__module__, update.__qualname__ = module, "update"
    return njit(nogil=True)(update)
