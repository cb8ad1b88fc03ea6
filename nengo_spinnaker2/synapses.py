"""Nengo synapses as the discrete filters the receiving PEs run (``core.network.DiscreteFilter``).

A ``LinearFilter`` (Lowpass, Alpha or any transfer function) is discretised by nengo's own
``_get_ss`` (zero-order hold by default), so the PE steps nengo's state-space system; nengo runs
systems without pass-through with the input advanced one step (x[t] = A x[t-1] + B u[t],
y = C x[t]), which is the pass-through system (A, B, CA, CB). ``Triangle`` is an FIR filter,
written as a shift register of its past inputs.

A synapse in nengo is an update: whatever reads its output in step t -- an ensemble, a node, a
probe -- sees the value computed in step t - 1, so a chain of k synapses through passthrough
nodes is F1 ... Fk z^-k. The machine supplies one of those steps where the value drives neurons
(settled at the end of step t, it acts in step t + 1); values the host sends a step ahead need
one more; what is left is the filter's pure delay (``chain``). A chain without synapses into
neurons is the one case left a step late: nengo's same-step update has no counterpart on
cores that exchange packets between steps.
"""
from __future__ import annotations

import nengo
import numpy as np
from nengo.utils.filter_design import ss2tf, tf2ss

from core.network import DiscreteFilter


def discrete_filter(synapse, dt: float, what: str) -> DiscreteFilter:
    """The filter a PE runs for ``synapse`` at time step ``dt`` (s); ``what`` names the object."""
    if synapse is None:
        return DiscreteFilter()
    if isinstance(synapse, nengo.synapses.LinearFilter):
        A, B, C, D = synapse._get_ss(dt)
        A, B, C = np.atleast_2d(A), np.ravel(B), np.ravel(C)
        D = float(np.ravel(D)[0]) if np.size(D) else 0.0
        if A.size and not (np.isfinite(A).all() and np.isfinite(B).all()):
            raise ValueError(f"{what}: synapse {synapse} has no finite discrete form at dt={dt}")
        if A.size == 0:
            return DiscreteFilter(D=D)
        if D == 0.0:                       # nengo's NoD / OneX step: input advanced one step
            return DiscreteFilter(A, B, C @ A, float(C @ B))
        return DiscreteFilter(A, B, C, D)
    if isinstance(synapse, nengo.synapses.Triangle):
        n_taps = int(np.round(synapse.t / float(dt))) + 1
        h = np.arange(n_taps, 0, -1, dtype=float)
        h /= h.sum()
        k = n_taps - 1
        if k == 0:
            return DiscreteFilter(D=h[0])
        B = np.zeros(k)
        B[0] = 1.0
        return DiscreteFilter(np.eye(k, k, -1), B, h[1:], h[0])
    raise NotImplementedError(f"{what}: synapse type {type(synapse).__name__} cannot run on the PEs; "
                              "use a nengo.LinearFilter (Lowpass, Alpha, or any transfer function) or "
                              "nengo.Triangle")


def _tf(f: DiscreteFilter):
    if f.order == 0:
        return np.array([f.D]), np.array([1.0])
    num, den = ss2tf(f.A, f.B.reshape(-1, 1), f.C.reshape(1, -1), np.array([[f.D]]))
    return np.ravel(num), np.ravel(den)


def chain(filters, delays: int) -> DiscreteFilter:
    """Synapses in series (None: no synapse) as one filter F1 F2 ... Fk z^-delays."""
    present = [f for f in filters if f is not None]
    delays = max(delays, 0)
    if len(present) == 1 and delays == 0:
        return present[0]
    if not present and delays == 0:
        return DiscreteFilter()
    num, den = np.array([1.0]), np.array([1.0])
    for f in present:
        n, d = _tf(f)
        num, den = np.polymul(num, n), np.polymul(den, d)
    den = np.polymul(den, np.r_[1.0, np.zeros(delays)])
    num = np.trim_zeros(num, "f") if np.any(num) else np.array([0.0])
    A, B, C, D = tf2ss(num, den)
    return DiscreteFilter(A, np.ravel(B), np.ravel(C), float(np.ravel(D)[0]) if np.size(D) else 0.0)
