"""A vanilla (Elman) tanh RNN layer in numpy, as forward/backward pairs.

Dimension letters: N batch, T time steps, D input features, H hidden units.
One step computes, for every example (a row of ``x``),

    h_t = tanh(W^x x_t + W^h h_{t-1} + b^h)

Weights are stored as ``torch.nn.RNN`` stores them: ``Wx`` is ``weight_ih_l0``
(H, D), ``Wh`` is ``weight_hh_l0`` (H, H), and ``b`` is the sum
``bias_ih_l0 + bias_hh_l0`` (H,). In code a batch of row vectors is mapped
with ``x @ Wx.T + h_prev @ Wh.T + b``.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_array


def _check_weights(fn: str, Wx, Wh, b) -> tuple[int, int]:
    check_array(fn, "Wx", Wx, ndim=2)
    H, D = Wx.shape
    check_array(fn, "Wh", Wh, shape=(H, H))
    check_array(fn, "b", b, shape=(H,))
    return H, D


def rnn_step_forward(x: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray):
    """One time step: takes x_t and h_{t-1}, returns h_t.

    ``h = tanh(x @ Wx.T + h_prev @ Wh.T + b)``, i.e. ``h_t = tanh(W^x x_t + W^h h_{t-1} + b^h)``.

    Args:
        x: inputs at this step, shape (N, D).
        h_prev: previous hidden state, shape (N, H).
        Wx: input-to-hidden weights, shape (H, D).
        Wh: hidden-to-hidden weights, shape (H, H).
        b: bias, shape (H,).

    Returns:
        h: the new hidden state (N, H), and a cache for :func:`rnn_step_backward`.
    """
    H, D = _check_weights("rnn_step_forward", Wx, Wh, b)
    check_array("rnn_step_forward", "x", x, ndim=2)
    N = x.shape[0]
    check_array("rnn_step_forward", "x", x, shape=(N, D))
    check_array("rnn_step_forward", "h_prev", h_prev, shape=(N, H))
    h = np.tanh(x @ Wx.T + h_prev @ Wh.T + b)  # (N, H)
    return h, (x, h_prev, Wx, Wh, h)


def rnn_step_backward(dh: np.ndarray, cache):
    """Backward pass of :func:`rnn_step_forward`.

    With ``a = W^x x + W^h h_prev + b`` and ``h = tanh(a)``:
    ``da = dh * (1 - h^2)``, ``dx = da W^x``, ``dh_prev = da W^h``,
    ``dW^x = da^T x``, ``dW^h = da^T h_prev``, ``db = sum_n da``.

    Args:
        dh: upstream gradient of the loss with respect to h, shape (N, H).

    Returns:
        dx (N, D), dh_prev (N, H), dWx (H, D), dWh (H, H), db (H,).
    """
    x, h_prev, Wx, Wh, h = cache
    check_array("rnn_step_backward", "dh", dh, shape=h.shape)
    da = dh * (1.0 - h**2)  # (N, H) back through tanh
    dx = da @ Wx  # (N, D)
    dh_prev = da @ Wh  # (N, H)
    dWx = da.T @ x  # (H, D)
    dWh = da.T @ h_prev  # (H, H)
    db = da.sum(axis=0)  # (H,)
    return dx, dh_prev, dWx, dWh, db


def rnn_forward(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray):
    """Run the RNN over a whole sequence, reusing the same weights at every step.

    Args:
        x: input sequence, shape (N, T, D) (batch first, like ``torch.nn.RNN(batch_first=True)``).
        h0: initial hidden state, shape (N, H).
        Wx: input-to-hidden weights, shape (H, D).
        Wh: hidden-to-hidden weights, shape (H, H).
        b: bias, shape (H,).

    Returns:
        h: hidden states h_1 .. h_T, shape (N, T, H), and a cache for :func:`rnn_backward`.
    """
    H, D = _check_weights("rnn_forward", Wx, Wh, b)
    check_array("rnn_forward", "x", x, ndim=3)
    N, T, _ = x.shape
    check_array("rnn_forward", "x", x, shape=(N, T, D))
    check_array("rnn_forward", "h0", h0, shape=(N, H))
    h = np.empty((N, T, H), dtype=np.result_type(x, h0, Wx))
    caches = []
    h_t = h0
    for t in range(T):
        h_t, cache = rnn_step_forward(x[:, t], h_t, Wx, Wh, b)
        h[:, t] = h_t
        caches.append(cache)
    return h, caches


def rnn_backward(dh: np.ndarray, cache):
    """Backpropagation through time for :func:`rnn_forward`.

    ``dh[:, t]`` is the gradient of the loss with respect to h_{t+1} coming from
    the layer above (e.g. the output at that step). Walking backwards, the
    gradient reaching h_t is that plus what flows back from h_{t+1}; the weight
    gradients are summed over all steps, because the same weights act at every step.

    Args:
        dh: upstream gradients for all hidden states, shape (N, T, H).

    Returns:
        dx (N, T, D), dh0 (N, H), dWx (H, D), dWh (H, H), db (H,).
    """
    if not cache:
        raise ValueError("rnn_backward: the cache is empty; run rnn_forward on a sequence with T >= 1 first")
    x0, h_prev0, Wx, Wh, _ = cache[0]
    N, H, T = h_prev0.shape[0], Wh.shape[0], len(cache)
    check_array("rnn_backward", "dh", dh, shape=(N, T, H))
    dx = np.empty((N, T, Wx.shape[1]), dtype=np.result_type(dh, x0))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H, dtype=Wx.dtype)
    dh_next = np.zeros((N, H), dtype=dh.dtype)  # gradient flowing back from step t+1
    for t in reversed(range(T)):
        dx[:, t], dh_next, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dh_next, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh_next, dWx, dWh, db
