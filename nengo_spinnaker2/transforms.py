"""A connection's linear part as one dense matrix, and slices as selection/scatter matrices.

A value projection carries ``matrix @ output(pre)``; for a nengo connection that is (post
scatter) x (transform) x (decoders, or the pre slice's selection). nengo's builder has already
sampled the transform (``model.params[conn].weights``); Dense, Sparse and NoTransform are turned
into matrices directly, convolutions by applying nengo's own convolution operator to unit
vectors once, at build time.
"""
from __future__ import annotations

import nengo
import numpy as np
from nengo.builder.signal import Signal
from nengo.builder.transforms import ConvInc, ConvTransposeInc
from nengo.transforms import Convolution, ConvolutionTranspose, Dense, NoTransform, Sparse


def selection(index, size: int) -> np.ndarray:
    """(len(index), size) matrix picking ``x[index]`` (index: a slice, ints, or a bool mask)."""
    rows = np.arange(size)[index]
    out = np.zeros((rows.size, size))
    out[np.arange(rows.size), rows] = 1.0
    return out


def scatter(matrix: np.ndarray, index, size: int) -> np.ndarray:
    """Rows of ``matrix`` added into rows ``index`` of a (size, cols) matrix, as nengo's
    ``Copy(..., dst_slice=index, inc=True)`` adds them."""
    return selection(index, size).T @ matrix


def transform_matrix(conn, weights, dt: float) -> np.ndarray:
    """(size_out, size_mid) matrix of the connection's transform, as nengo sampled it."""
    t = conn.transform
    if isinstance(t, NoTransform) or weights is None:
        return np.eye(conn.size_out, conn.size_mid)
    if isinstance(t, Dense):
        w = np.asarray(weights, dtype=float)
        if w.ndim == 0:
            return w * np.eye(conn.size_out, conn.size_mid)
        if w.ndim == 1:
            return np.diag(w)
        return w
    if isinstance(t, Sparse):
        if hasattr(weights, "toarray"):
            return np.asarray(weights.toarray(), dtype=float)
        out = np.zeros(weights.shape)
        np.add.at(out, (weights.indices[:, 0], weights.indices[:, 1]), weights.data)
        return out
    if isinstance(t, (Convolution, ConvolutionTranspose)):
        return _convolution_matrix(t, np.asarray(weights, dtype=float), dt)
    raise NotImplementedError(f"{conn}: transform {type(t).__name__} is not supported; use Dense, Sparse, "
                              "Convolution or ConvolutionTranspose")


def _convolution_matrix(t, kernel, dt):
    W, X, Y = Signal(kernel), Signal(np.zeros(t.size_in)), Signal(np.zeros(t.size_out))
    op = (ConvTransposeInc if isinstance(t, ConvolutionTranspose) else ConvInc)(W, X, Y, t)
    x, y = np.zeros(t.size_in), np.zeros(t.size_out)
    step = op.make_step({W: kernel, X: x, Y: y}, dt, None)
    out = np.zeros((t.size_out, t.size_in))
    for i in range(t.size_in):
        x[:] = 0.0
        x[i] = 1.0
        y[:] = 0.0
        step()
        out[:, i] = y
    return out


def is_decoded(conn) -> bool:
    return isinstance(conn.pre_obj, nengo.Ensemble) and not isinstance(conn.pre_obj.neuron_type, nengo.Direct)
