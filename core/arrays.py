"""Per-synapse arrays that cost nothing when every value is the same.

Most networks give a projection one weight and one delay (Brunel's 15.6 M synapses have four
weights in all). Such a column is kept as a read-only broadcast view of one value, and the
functions below keep it that way, so memory grows with the synapses' indices only.
"""
import numpy as np
from numba import njit


def per_item(value, n: int, dtype) -> np.ndarray:
    """``value`` (one number, or one per item) as n values of ``dtype``; a broadcast view of one
    value when they are all equal."""
    a = np.asarray(value, dtype=dtype)
    if a.ndim == 0:
        return np.broadcast_to(a, (n,))
    a = a.reshape(n)
    if n > 1 and not uniform(a) and a[0] == a[-1] and (a == a[0]).all():
        return np.broadcast_to(a[:1].copy().reshape(()), (n,))
    return a


def uniform(a: np.ndarray) -> bool:
    """True for a broadcast view of one value (or for no more than one value)."""
    return a.size <= 1 or a.strides[0] == 0


def elementwise(function, a: np.ndarray) -> np.ndarray:
    """``function(a)``, evaluated once for a broadcast view."""
    if uniform(a) and a.size:
        return np.broadcast_to(np.asarray(function(a[:1]))[0], a.shape)
    return function(a)


@njit(cache=True, nogil=True)
def _finite_range(a):
    finite, lo, hi = True, np.inf, -np.inf
    for k in range(a.size):
        x = a[k]
        if not np.isfinite(x):
            finite = False
        else:
            lo, hi = min(lo, x), max(hi, x)
    return finite, lo, hi


def finite_range(a: np.ndarray) -> tuple[bool, float, float]:
    """(every value finite, smallest and largest finite value) in one pass without temporaries
    (at 10^8 synapses each of ``isfinite``, ``min`` and ``max`` is a pass and ``isfinite`` a
    copy); a broadcast view is read once."""
    a = np.asarray(a, dtype=np.float64).reshape(-1)
    return _finite_range(np.ascontiguousarray(a[:1] if uniform(a) else a))
