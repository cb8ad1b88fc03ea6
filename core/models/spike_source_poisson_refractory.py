"""Poisson spike source with dead time: inter-spike intervals are tau_refrac plus an exponential
interval whose mean makes the rate ``rate`` (NEST's ``ppd_sup_generator`` with one process, in
continuous time). Like NEST's, the process starts outside its dead time (``renewal.py``)."""
import numpy as np
from numba import njit

from . import renewal
from .rng import exponential
from .spec import ModelSpec, stack

DEAD = 3                 # constant column after the renewal process's (whose scale is the mean free interval)


def derive(p, dt):
    rate = np.asarray(p["rate"], dtype=float)
    free = np.where(rate > 0, 1000.0 / np.where(rate > 0, rate, 1.0) - p["tau_refrac"], np.inf)
    return stack(*renewal.columns(free / dt, p, dt), p["tau_refrac"] / dt)


def check(label, p):
    rate = np.asarray(p["rate"], dtype=float)
    bad = (rate > 0) & (1000.0 / np.where(rate > 0, rate, 1.0) <= p["tau_refrac"])
    if bad.any():
        raise ValueError(f"population {label!r}: rate {rate[bad][0]} Hz cannot be reached with a dead time of "
                         f"{np.asarray(p['tau_refrac'])[bad][0]} ms; the rate must be below 1000 / tau_refrac")


@njit(cache=True, nogil=True)
def interval(c, i, rng):
    return c[i, DEAD] + c[i, renewal.SCALE] * exponential(rng, i)


update = renewal.make_update(__name__, interval)

SPEC = ModelSpec(
    name="SpikeSourcePoissonRefractory", update=update,
    parameters=dict(rate=1.0, tau_refrac=0.0, start=0.0, duration=1e10),
    derive=derive, **renewal.LAYOUT, non_negative=('rate', 'tau_refrac', 'start', 'duration'), extra_check=check)
