"""Numerical gradients and relative errors, for checking backward passes."""

from __future__ import annotations

import numpy as np

from ._checks import check_array, check_positive


def numerical_gradient(f, x: np.ndarray, df=None, h: float = 1e-5) -> np.ndarray:
    """Centred finite-difference gradient of ``f`` at ``x``.

    If ``f(x)`` is a scalar, returns ``dF/dx``. If it is an array, returns the
    gradient of ``sum(f(x) * df)`` — the vector-Jacobian product that a
    backward pass computes for upstream gradient ``df``:

        grad[i] ~= sum((f(x + h e_i) - f(x - h e_i)) * df) / (2 h)

    ``x`` is perturbed in place and restored, so ``f`` may close over it.
    Use float64: float32 round-off swamps the differences.

    Args:
        f: function of ``x`` returning a scalar or an array.
        x: point, any shape, floating dtype.
        df: upstream gradient, same shape as ``f(x)``; ``None`` for scalar ``f``.
        h: step size.

    Returns:
        array of the same shape as ``x``.
    """
    check_array("numerical_gradient", "x", x)
    check_positive("numerical_gradient", "h", h)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = np.array(f(x), dtype=float, copy=True)
        x[i] = old - h
        fm = np.array(f(x), dtype=float, copy=True)
        x[i] = old
        if df is None:
            if fp.size != 1:
                raise ValueError(
                    f"numerical_gradient: f returned shape {fp.shape}; pass 'df' of that shape, or make f scalar"
                )
            grad[i] = (fp - fm).item() / (2 * h)
        else:
            if np.shape(df) != fp.shape:
                raise ValueError(
                    f"numerical_gradient: argument 'df' must have the shape of f(x), {fp.shape}, got {np.shape(df)}"
                )
            grad[i] = np.sum((fp - fm) * df) / (2 * h)
        it.iternext()
    return grad


def rel_error(a, b, eps: float = 1e-8) -> float:
    """Largest element-wise relative error, ``max |a - b| / max(eps, |a| + |b|)``.

    Around 1e-7 or below means two float64 gradients agree; 1e-2 or above
    almost always means a bug.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: arguments must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(eps, np.abs(a) + np.abs(b))))
