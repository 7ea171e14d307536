"""The LSTM layer in numpy, as forward/backward pairs (cs231n style).

Dimension letters: N batch, T time steps, D input features, H hidden units.
One step computes, for every example (a row of ``x``),

    a_t = W^x x_t + W^h h_{t-1} + b            (4H pre-activations)
    i_t = sigmoid(a_i)     input gate
    f_t = sigmoid(a_f)     forget gate
    g_t = tanh(a_g)        candidate
    o_t = sigmoid(a_o)     output gate
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

Weights are stored as ``torch.nn.LSTM`` stores them, gates stacked in the order
i, f, g, o: ``Wx`` is ``weight_ih_l0`` (4H, D), ``Wh`` is ``weight_hh_l0``
(4H, H), and ``b`` is the sum ``bias_ih_l0 + bias_hh_l0`` (4H,).
"""

from __future__ import annotations

import numpy as np

from ._checks import check_array


def _sigmoid(a: np.ndarray) -> np.ndarray:
    # exp of a non-positive number only: no overflow for large |a|
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _check_weights(fn: str, Wx, Wh, b) -> tuple[int, int]:
    check_array(fn, "Wx", Wx, ndim=2)
    H4, D = Wx.shape
    if H4 % 4:
        raise ValueError(f"{fn}: argument 'Wx' must have shape (4H, D), gates i, f, g, o stacked, got {Wx.shape}")
    H = H4 // 4
    check_array(fn, "Wh", Wh, shape=(4 * H, H))
    check_array(fn, "b", b, shape=(4 * H,))
    return H, D


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One time step: takes x_t, h_{t-1} and c_{t-1}, returns h_t and c_t.

    Args:
        x: inputs at this step, shape (N, D).
        h_prev: previous hidden state, shape (N, H).
        c_prev: previous cell state, shape (N, H).
        Wx: input-to-hidden weights, gates i, f, g, o stacked, shape (4H, D).
        Wh: hidden-to-hidden weights, shape (4H, H).
        b: bias, shape (4H,).

    Returns:
        h (N, H), c (N, H), and a cache for :func:`lstm_step_backward`.
    """
    H, D = _check_weights("lstm_step_forward", Wx, Wh, b)
    check_array("lstm_step_forward", "x", x, ndim=2)
    N = x.shape[0]
    check_array("lstm_step_forward", "x", x, shape=(N, D))
    check_array("lstm_step_forward", "h_prev", h_prev, shape=(N, H))
    check_array("lstm_step_forward", "c_prev", c_prev, shape=(N, H))
    a = x @ Wx.T + h_prev @ Wh.T + b  # (N, 4H) all four pre-activations at once
    i = _sigmoid(a[:, :H])  # (N, H) how much of the candidate to write
    f = _sigmoid(a[:, H : 2 * H])  # (N, H) how much of the old cell to keep
    g = np.tanh(a[:, 2 * H : 3 * H])  # (N, H) the candidate values
    o = _sigmoid(a[:, 3 * H :])  # (N, H) how much of the cell to show
    c = f * c_prev + i * g  # (N, H) the conveyor belt: keep some, add some
    tc = np.tanh(c)  # (N, H)
    h = o * tc  # (N, H)
    return h, c, (x, h_prev, c_prev, Wx, Wh, i, f, g, o, tc)


def lstm_step_backward(dh, dc, cache):
    """Backward pass of :func:`lstm_step_forward`.

    ``dh`` and ``dc`` are the gradients of the loss with respect to h_t and c_t.
    The gradient reaching c_t is ``dc + dh * o * (1 - tanh(c)^2)``; from it,
    ``dc_prev = dc_t * f`` (the additive path through time),
    ``di = dc_t * g``, ``df = dc_t * c_prev``, ``dg = dc_t * i``, ``do = dh * tanh(c)``,
    and each gate's pre-activation gradient follows through its sigmoid or tanh.

    Args:
        dh: gradient with respect to h_t, shape (N, H).
        dc: gradient with respect to c_t, shape (N, H).

    Returns:
        dx (N, D), dh_prev (N, H), dc_prev (N, H), dWx (4H, D), dWh (4H, H), db (4H,).
    """
    x, h_prev, c_prev, Wx, Wh, i, f, g, o, tc = cache
    check_array("lstm_step_backward", "dh", dh, shape=i.shape)
    check_array("lstm_step_backward", "dc", dc, shape=i.shape)
    dc_t = dc + dh * o * (1.0 - tc**2)  # (N, H) all the gradient reaching c_t
    da = np.concatenate(
        [
            dc_t * g * i * (1.0 - i),  # input gate, through its sigmoid
            dc_t * c_prev * f * (1.0 - f),  # forget gate
            dc_t * i * (1.0 - g**2),  # candidate, through tanh
            dh * tc * o * (1.0 - o),  # output gate
        ],
        axis=1,
    )  # (N, 4H)
    dx = da @ Wx  # (N, D)
    dh_prev = da @ Wh  # (N, H)
    dc_prev = dc_t * f  # (N, H)
    dWx = da.T @ x  # (4H, D)
    dWh = da.T @ h_prev  # (4H, H)
    db = da.sum(axis=0)  # (4H,)
    return dx, dh_prev, dc_prev, dWx, dWh, db


def lstm_forward(x, h0, Wx, Wh, b):
    """Run the LSTM over a whole sequence from h_0 = ``h0`` and c_0 = 0.

    Args:
        x: input sequence, shape (N, T, D), batch first.
        h0: initial hidden state, shape (N, H).
        Wx: input-to-hidden weights, shape (4H, D).
        Wh: hidden-to-hidden weights, shape (4H, H).
        b: bias, shape (4H,).

    Returns:
        h: hidden states h_1 .. h_T, shape (N, T, H), and a cache for :func:`lstm_backward`.
    """
    H, D = _check_weights("lstm_forward", Wx, Wh, b)
    check_array("lstm_forward", "x", x, ndim=3)
    N, T, _ = x.shape
    check_array("lstm_forward", "x", x, shape=(N, T, D))
    check_array("lstm_forward", "h0", h0, shape=(N, H))
    h = np.empty((N, T, H), dtype=np.result_type(x, h0, Wx))
    h_t, c_t = h0, np.zeros_like(h0)
    caches = []
    for t in range(T):
        h_t, c_t, cache = lstm_step_forward(x[:, t], h_t, c_t, Wx, Wh, b)
        h[:, t] = h_t
        caches.append(cache)
    return h, caches


def lstm_backward(dh, cache):
    """Backpropagation through time for :func:`lstm_forward`.

    ``dh[:, t]`` is the gradient with respect to h_{t+1} from the layer above.
    Walking backwards, two gradients flow from step t+1 to step t: one into
    h_t and one into c_t. Weight gradients are summed over all steps.

    Args:
        dh: upstream gradients for all hidden states, shape (N, T, H).

    Returns:
        dx (N, T, D), dh0 (N, H), dWx (4H, D), dWh (4H, H), db (4H,).
    """
    if not cache:
        raise ValueError("lstm_backward: the cache is empty; run lstm_forward on a sequence with T >= 1 first")
    x0, h_prev0, _, Wx, Wh = cache[0][:5]
    N, H, T = h_prev0.shape[0], Wh.shape[1], len(cache)
    check_array("lstm_backward", "dh", dh, shape=(N, T, H))
    dx = np.empty((N, T, Wx.shape[1]), dtype=np.result_type(dh, x0))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H, dtype=Wx.dtype)
    dh_next = np.zeros((N, H), dtype=dh.dtype)  # gradient flowing back into h_t from step t+1
    dc_next = np.zeros((N, H), dtype=dh.dtype)  # ... and into c_t
    for t in reversed(range(T)):
        dx[:, t], dh_next, dc_next, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t] + dh_next, dc_next, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh_next, dWx, dWh, db
