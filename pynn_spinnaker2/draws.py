"""PyNN's small random draws, reproduced in one pass over the same numpy stream.

Two of PyNN's generic paths draw random numbers a few at a time from Python:
``FixedTotalNumberConnector`` draws one source and one target per synapse (two ``randint``
calls), and a ``normal_clipped`` parameter is drawn per post-synaptic column, out-of-bounds
values redrawn before the next column. At 10^8 synapses that is hours. Both are replayed here
from the stream itself, so the result is the same numbers in the same order:

* numpy's legacy ``randint(low, high)`` (``RandomState``, which ``NumpyRNG`` wraps) takes raw
  32-bit Mersenne Twister outputs, masks each to the smallest all-ones mask covering
  ``high - low - 1`` and rejects values above it (numpy ``random_bounded_uint64_fill`` with
  ``use_masked``); ``randint(0, 2**32, dtype=uint64)`` returns the raw outputs themselves;
* ``RandomState.normal`` is one stream however it is chunked (the cached second Gaussian of
  each pair persists between calls), so a column's values and its redraws are consecutive
  values of one long draw.

The RNG is only ever advanced by exactly what PyNN's calls would have consumed: each step
draws the fewest values the remaining work certainly needs, so no value is drawn ahead.
"""
import numpy as np
from numba import njit

MAX_RAW_CHUNK = 1 << 24        # raw 32-bit draws held at once (128 MB as uint64)
CLIPPED = ("normal_clipped", "normal_clipped_to_boundary")   # clipped normals replayed exactly


def _mask(r):
    """The smallest all-ones bit mask >= r (numpy's ``gen_mask``)."""
    m = int(r)
    for shift in (1, 2, 4, 8, 16, 32):
        m |= m >> shift
    return m


@njit(cache=True, nogil=True)
def _pairs(raw, i0, n, range_a, mask_a, range_b, mask_b, out_a, out_b):
    """Masked rejection sampling of (a, b) pairs from ``raw``, from pair ``i0``: returns the
    pairs completed and the raw values used by them (a pair cut short by the end of ``raw``
    does not count; its values are offered again with the next chunk)."""
    p = 0
    i = i0
    while i < n:
        start = p
        a = np.uint64(0)
        if range_a > 0:
            while True:
                if p >= raw.size:
                    return i, start
                a = raw[p] & mask_a
                p += 1
                if a <= range_a:
                    break
        b = np.uint64(0)
        if range_b > 0:
            while True:
                if p >= raw.size:
                    return i, start
                b = raw[p] & mask_b
                p += 1
                if b <= range_b:
                    break
        out_a[i] = a
        out_b[i] = b
        i += 1
    return i, p


def _raw_draws(rs: np.random.RandomState):
    """A function drawing ``size`` raw 32-bit outputs of ``rs``'s stream (as uint64), as
    ``rs.randint(0, 2**32, size, dtype=uint64)`` does: for the Mersenne Twister (every
    ``NumpyRNG``) its raw output is that very value, without randint's bounded-range
    machinery."""
    bit_generator = getattr(rs, "_bit_generator", None)
    if isinstance(bit_generator, np.random.MT19937):
        return bit_generator.random_raw
    return lambda size: rs.randint(0, 2 ** 32, size=size, dtype=np.uint64)


def source_target_pairs(rs: np.random.RandomState, n: int, n_pre: int, n_post: int):
    """``n`` times ``(rs.randint(0, n_pre, size=1), rs.choice(arange(n_post), size=1))``, in one
    pass; ``rs`` ends where those calls would leave it. A pair cut short by the end of a chunk
    is completed from the head of the next, so no chunk is copied."""
    pre, post = np.zeros(n, np.int32), np.zeros(n, np.int32)
    range_a, range_b = n_pre - 1, n_post - 1
    per_pair = (range_a > 0) + (range_b > 0)
    masks = (np.uint64(range_a), np.uint64(_mask(range_a)), np.uint64(range_b), np.uint64(_mask(range_b)))
    draw = _raw_draws(rs)
    raw, done = np.zeros(0, np.uint64), 0
    while done < n and per_pair:
        need = max(1, per_pair * (n - done) - raw.size)       # the fewest values n - done pairs use
        fresh = draw(min(need, MAX_RAW_CHUNK))
        if raw.size:                                           # the pair cut short, from fresh's head
            head = np.concatenate([raw, fresh[:64]])
            got, used = _pairs(head, done, done + 1, *masks, pre, post)
            if got > done:
                done, fresh = got, fresh[used - raw.size:]
            else:
                fresh = np.concatenate([raw, fresh])
        done, used = _pairs(fresh, done, n, *masks, pre, post)
        raw = fresh[used:]
    assert raw.size == 0
    return pre, post


@njit(cache=True, nogil=True)
def _counting_sort(pre, post, n_post, out_pre, out_post):
    start = np.zeros(n_post + 1, np.int64)
    for k in range(post.size):
        start[post[k] + 1] += 1
    for t in range(n_post):
        start[t + 1] += start[t]
    for t in range(n_post):
        out_post[start[t]:start[t + 1]] = t
    for k in range(post.size):
        t = post[k]
        out_pre[start[t]] = pre[k]
        start[t] += 1


def sort_by_target(pre, post, n_post: int):
    """``(pre[order], post[order])`` for ``order = argsort(post, kind="stable")``: a counting
    sort in two passes, without the order array or gathers (at 10^8 synapses the argsort alone
    takes seconds and a gigabyte)."""
    pre, post = np.ascontiguousarray(pre), np.ascontiguousarray(post)
    if post.size and (post.min() < 0 or post.max() >= n_post):
        raise ValueError(f"target indices must lie in [0, {n_post})")
    out_pre, out_post = np.empty_like(pre), np.empty_like(post)
    _counting_sort(pre, post, n_post, out_pre, out_post)
    return out_pre, out_post


# -- clipped normal distributions ---------------------------------------------------------------
@njit(cache=True, nogil=True)
def _clipped_columns(values, c0, sizes, low, high, max_redraws, out, out0):
    """PyNN's ``_clipped`` redraw loop over columns ``c0, c0 + 1, ...`` (the first value of
    column ``c0`` at ``values[0]``, written from ``out[out0]``): a column takes its size in
    values, then, while some lie outside [low, high], as many values again for those, in
    order. Returns (columns done, values used, where the next column's output starts); a
    column that runs out of values does not count. -1 columns: too many redraws. Values go
    straight to ``out``; the out-of-bounds positions are kept in one buffer for all columns."""
    p = 0
    c = c0
    o = out0
    bad = np.empty(sizes[c0:].max() if c0 < sizes.size else 0, np.int64)
    while c < sizes.size:
        n = sizes[c]
        start = p
        if p + n > values.size:
            return c, start, o
        n_bad = 0
        for k in range(n):
            x = values[p + k]
            out[o + k] = x
            if x > high or x < low:
                bad[n_bad] = k
                n_bad += 1
        p += n
        iterations = 0
        while n_bad > 0:
            if iterations > max_redraws:
                return -1, p, o
            if p + n_bad > values.size:
                return c, start, o
            still = 0
            for i in range(n_bad):
                x = values[p + i]
                out[o + bad[i]] = x
                if x > high or x < low:
                    bad[still] = bad[i]
                    still += 1
            p += n_bad
            n_bad = still
            iterations += 1
        o += n
        c += 1
    return c, p, o


def column_sizes(post):
    """Synapses per post-synaptic column, for synapses in post-major order."""
    post = np.asarray(post)
    if post.size == 0:
        return np.zeros(0, np.int64)
    edges = np.flatnonzero(np.diff(post)) + 1
    return np.diff(np.concatenate([[0], edges, [post.size]])).astype(np.int64)


def normal_clipped_by_column(distribution, sizes):
    """What PyNN's generic path draws from a ``normal_clipped`` distribution, one
    ``next(size)`` per column of ``sizes`` values, as one array; the distribution's RNG ends
    where those calls leave it."""
    from pyNN.random import MAX_REDRAWS

    p = distribution.parameters
    mu, sigma, low, high = p["mu"], p["sigma"], p["low"], p["high"]
    rs = distribution.rng.rng
    sizes = np.asarray(sizes, dtype=np.int64)
    out = np.zeros(int(sizes.sum()))
    values, column, o = np.zeros(0), 0, 0
    need = int(sizes.sum())
    while column < sizes.size:
        drawn = rs.normal(loc=mu, scale=sigma, size=need)
        values = np.concatenate([values, drawn]) if values.size else drawn
        column, used, o = _clipped_columns(values, column, sizes, low, high, MAX_REDRAWS, out, o)
        if column < 0:
            raise Exception("Maximum number of redraws exceeded. "
                            "Check the parameterization of your distribution.")
        values = values[used:]
        if column < sizes.size:
            # cut short in this column: it needs more than it has, each later one its size at least
            need = max(int(sizes[column]), values.size + 1) + int(sizes[column + 1:].sum()) - values.size
    assert values.size == 0
    return out
