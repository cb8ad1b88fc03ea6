"""Special functions the kernels need and numba does not provide: the regularized upper
incomplete gamma function, as its logarithm (series below a + 1, Lentz's continued fraction
above; Press et al., *Numerical Recipes*, 3rd ed., section 6.2)."""
import math

from numba import njit

_EPS = 1e-15
_TINY = 1e-300


@njit(cache=True, nogil=True)
def log_gamma_q(a, x):
    """log Q(a, x) = log(Gamma(a, x) / Gamma(a)) for a > 0, x >= 0."""
    if x <= 0.0:
        return 0.0
    log_prefactor = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1.0:
        term = 1.0 / a
        total = term
        ap = a
        for _ in range(1000):
            ap += 1.0
            term *= x / ap
            total += term
            if abs(term) < abs(total) * _EPS:
                break
        return math.log1p(-min(1.0, total * math.exp(log_prefactor)))
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for k in range(1, 1000):
        an = -k * (k - a)
        b += 2.0
        d = an * d + b
        if abs(d) < _TINY:
            d = _TINY
        c = b + an / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return log_prefactor + math.log(h)
