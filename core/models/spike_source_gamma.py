"""Gamma-process spike source: inter-spike intervals are gamma distributed with shape alpha and
rate beta (Hz), mean alpha/beta. Like NEST's ``gamma_sup_generator`` (one process), the process
starts in its last stage, so the first spike follows an exponential interval of rate beta; unlike
it, time is continuous and alpha need not be a whole number (``renewal.py``)."""
import numpy as np
from numba import njit

from . import renewal
from .rng import gamma
from .spec import ModelSpec, stack

ALPHA = 3                # constant column after the renewal process's


def derive(p, dt):
    beta = np.asarray(p["beta"], dtype=float)
    scale = np.where(beta > 0, 1000.0 / np.where(beta > 0, beta, 1.0) / dt, np.inf)   # steps per unit
    return stack(*renewal.columns(scale, p, dt), p["alpha"])


@njit(cache=True, nogil=True)
def interval(c, i, rng):
    return c[i, renewal.SCALE] * gamma(rng, i, c[i, ALPHA])


update = renewal.make_update(__name__, interval)

SPEC = ModelSpec(
    name="SpikeSourceGamma", update=update,
    parameters=dict(alpha=2.0, beta=1.0, start=0.0, duration=1e10),
    derive=derive, **renewal.LAYOUT, positive=('alpha',), non_negative=('beta', 'start', 'duration'))
