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

    @njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True, inline="always")
def exp_clamped(x):
    """exp that saturates instead of overflowing (an exponential spike current past V_peak)."""
    return math.exp(min(x, 700.0))
