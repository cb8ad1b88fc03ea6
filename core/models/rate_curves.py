"""Rate curves of neurons driven by an input current J (dimensionless): the steady-state firing
rate (Hz) as a function of J, shared by the rate models and the rate-to-spike converters.

LIF: 1 / (tau_ref + tau_rc ln(1 + 1/(J - 1))) above the threshold J = 1 (Eliasmith & Anderson
2003, ch. 4); rectified linear: max(J, 0); sigmoid: (1/tau_ref) / (1 + e^-J); tanh:
(1/tau_ref) tanh(J). Time constants are held in seconds in the PE's constants.
"""
import math

import numpy as np
from numba import njit

LIF, RECTIFIED_LINEAR, SIGMOID, TANH = range(4)
CURVES = {"lif": LIF, "rectified_linear": RECTIFIED_LINEAR, "sigmoid": SIGMOID, "tanh": TANH}
NEGATIVE = (TANH,)          # curves whose rates can be negative


@njit(cache=True, nogil=True, inline="always")
def rate(curve, j, tau_rc, tau_ref, amplitude):
    """Firing rate (Hz) of ``curve`` at current ``j``; ``tau_rc``, ``tau_ref`` in seconds."""
    if curve == LIF:
        if j > 1.0:
            return amplitude / (tau_ref + tau_rc * math.log1p(1.0 / (j - 1.0)))
        return 0.0
    if curve == RECTIFIED_LINEAR:
        return amplitude * max(j, 0.0)
    if curve == SIGMOID:
        return (1.0 / tau_ref) / (1.0 + math.exp(-j)) if j > -80.0 else 0.0
    return (1.0 / tau_ref) * math.tanh(j)


def curve_id(name: str) -> int:
    if name not in CURVES:
        raise ValueError(f"unknown rate curve {name!r}; known curves: {', '.join(CURVES)}")
    return CURVES[name]


def seconds(ms):
    return np.asarray(ms, dtype=float) / 1000.0
