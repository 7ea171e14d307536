"""Numpy layers as forward/backward pairs, in the style of cs231n.

Every ``*_forward`` returns ``(out, cache)``; the matching ``*_backward`` takes
the upstream gradient ``dout`` and that cache and returns the gradients of the
inputs. Dimension letters: N batch, D input features, M output features.

Weights are stored as ``torch.nn.Linear`` stores them, ``(out_features,
in_features) = (M, D)``. A batch of row vectors ``x`` (N, D) is mapped to
``x @ w.T + b``, which is the column-vector equation ``h = W x + b`` applied to
every row, so a numpy layer and ``torch.nn.Linear`` can share weights directly.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_array

# ---------------------------------------------------------------------------
# affine (fully connected) layer


def affine_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray):
    """Affine layer, ``out = x @ w.T + b``, i.e. ``a = W x + b`` per example (``a`` the pre-activation).

    Args:
        x: inputs, shape (N, D).
        w: weights, shape (M, D) — ``torch.nn.Linear.weight`` layout.
        b: biases, shape (M,).

    Returns:
        out: shape (N, M), and a cache for :func:`affine_backward`.
    """
    check_array("affine_forward", "w", w, ndim=2)
    m, d = w.shape
    check_array("affine_forward", "b", b, shape=(m,))
    check_array("affine_forward", "x", x, ndim=2)
    if x.shape[1] != d:
        raise ValueError(
            f"affine_forward: argument 'x' must have shape (N, {d}) to match 'w' of shape {w.shape}, got {x.shape}"
        )
    out = x @ w.T + b  # (N, M)
    return out, (x, w)


def affine_backward(dout: np.ndarray, cache):
    """Backward pass of :func:`affine_forward`.

    With ``out = x W^T + b``: ``dx = dout W``, ``dW = dout^T x``, ``db = sum_n dout``.

    Args:
        dout: upstream gradient, shape (N, M).

    Returns:
        dx (N, D), dw (M, D), db (M,).
    """
    x, w = cache
    check_array("affine_backward", "dout", dout, shape=(x.shape[0], w.shape[0]))
    dx = dout @ w  # (N, D)
    dw = dout.T @ x  # (M, D)
    db = dout.sum(axis=0)  # (M,)
    return dx, dw, db


# ---------------------------------------------------------------------------
# element-wise activations: each backward uses only what its forward cached


def sigmoid_forward(x: np.ndarray):
    """Logistic sigmoid, ``sigma(x) = 1 / (1 + exp(-x))``; derivative ``sigma (1 - sigma)``."""
    check_array("sigmoid_forward", "x", x)
    # Split by sign so that exp never overflows.
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out, out


def sigmoid_backward(dout: np.ndarray, cache):
    """Backward pass of :func:`sigmoid_forward`: ``dx = dout * s * (1 - s)``."""
    s = cache
    check_array("sigmoid_backward", "dout", dout, shape=s.shape)
    return dout * s * (1.0 - s)


def tanh_forward(x: np.ndarray):
    """Hyperbolic tangent, values in (-1, 1); derivative ``1 - tanh(x)^2``."""
    check_array("tanh_forward", "x", x)
    out = np.tanh(x)
    return out, out


def tanh_backward(dout: np.ndarray, cache):
    """Backward pass of :func:`tanh_forward`: ``dx = dout * (1 - t^2)``."""
    t = cache
    check_array("tanh_backward", "dout", dout, shape=t.shape)
    return dout * (1.0 - t**2)


def relu_forward(x: np.ndarray):
    """Rectified linear unit, ``max(0, x)``; derivative 1 for x > 0, else 0."""
    check_array("relu_forward", "x", x)
    return np.maximum(x, 0.0), x


def relu_backward(dout: np.ndarray, cache):
    """Backward pass of :func:`relu_forward`: ``dx = dout * [x > 0]``."""
    x = cache
    check_array("relu_backward", "dout", dout, shape=x.shape)
    return dout * (x > 0)


def leaky_relu_forward(x: np.ndarray, alpha: float = 0.01):
    """Leaky ReLU, ``x`` for x > 0 and ``alpha x`` otherwise; derivative 1 or ``alpha``."""
    check_array("leaky_relu_forward", "x", x)
    return np.where(x > 0, x, alpha * x), (x, alpha)


def leaky_relu_backward(dout: np.ndarray, cache):
    """Backward pass of :func:`leaky_relu_forward`."""
    x, alpha = cache
    check_array("leaky_relu_backward", "dout", dout, shape=x.shape)
    return dout * np.where(x > 0, 1.0, alpha)


def identity_forward(x: np.ndarray):
    """Identity (linear) activation, used for regression outputs."""
    check_array("identity_forward", "x", x)
    return x, x.shape


def identity_backward(dout: np.ndarray, cache):
    """Backward pass of :func:`identity_forward`."""
    check_array("identity_backward", "dout", dout, shape=cache)
    return dout


#: name -> (forward, backward) for every activation above.
ACTIVATIONS = {
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "identity": (identity_forward, identity_backward),
}


def activation(name: str):
    """Return the ``(forward, backward)`` pair of the activation called ``name``."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation: argument 'name' must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]
