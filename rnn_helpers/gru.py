"""One GRU step in numpy, as a forward/backward pair, in PyTorch's variant.

Dimension letters: N batch, D input features, H hidden units. One step computes

    r_t = sigmoid(W^x_r x_t + b^x_r + W^h_r h_{t-1} + b^h_r)          reset gate
    z_t = sigmoid(W^x_z x_t + b^x_z + W^h_z h_{t-1} + b^h_z)          update gate
    n_t = tanh(W^x_n x_t + b^x_n + r_t * (W^h_n h_{t-1} + b^h_n))     candidate
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}

As in ``torch.nn.GRU`` the reset gate multiplies ``W^h_n h_{t-1} + b^h_n``, after
the matrix product (Cho et al. 2014 apply it before: ``W^h_n (r_t * h_{t-1})``).
That is why the two biases cannot be summed into one, as they can for the tanh
RNN and the LSTM. Weights are stacked in the order r, z, n, as torch stores them:
``Wx`` is ``weight_ih_l0`` (3H, D), ``Wh`` is ``weight_hh_l0`` (3H, H),
``bx`` is ``bias_ih_l0`` (3H,) and ``bh`` is ``bias_hh_l0`` (3H,).
"""

from __future__ import annotations

import numpy as np

from ._checks import check_array
from .lstm import _sigmoid


def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    """One time step: takes x_t and h_{t-1}, returns h_t.

    Args:
        x: inputs at this step, shape (N, D).
        h_prev: previous hidden state, shape (N, H).
        Wx: input-to-hidden weights, gates r, z, n stacked, shape (3H, D).
        Wh: hidden-to-hidden weights, shape (3H, H).
        bx: input bias, shape (3H,).
        bh: hidden bias, shape (3H,).

    Returns:
        h (N, H) and a cache for :func:`gru_step_backward`.
    """
    fn = "gru_step_forward"
    check_array(fn, "Wx", Wx, ndim=2)
    if Wx.shape[0] % 3:
        raise ValueError(f"{fn}: argument 'Wx' must have shape (3H, D) with the gates r, z, n stacked, got {Wx.shape}")
    H, D = Wx.shape[0] // 3, Wx.shape[1]
    check_array(fn, "Wh", Wh, shape=(3 * H, H))
    check_array(fn, "bx", bx, shape=(3 * H,))
    check_array(fn, "bh", bh, shape=(3 * H,))
    check_array(fn, "x", x, ndim=2)
    N = x.shape[0]
    check_array(fn, "x", x, shape=(N, D))
    check_array(fn, "h_prev", h_prev, shape=(N, H))
    ax = x @ Wx.T + bx  # (N, 3H) input contributions to r, z, n
    ah = h_prev @ Wh.T + bh  # (N, 3H) hidden contributions to r, z, n
    r = _sigmoid(ax[:, :H] + ah[:, :H])  # (N, H) how much of the past the candidate sees
    z = _sigmoid(ax[:, H : 2 * H] + ah[:, H : 2 * H])  # (N, H) how much of the old state to keep
    n = np.tanh(ax[:, 2 * H :] + r * ah[:, 2 * H :])  # (N, H) the candidate
    h = (1.0 - z) * n + z * h_prev  # (N, H) blend the candidate and the previous state
    return h, (x, h_prev, Wx, Wh, r, z, n, ah[:, 2 * H :])


def gru_step_backward(dh, cache):
    """Backward pass of :func:`gru_step_forward`.

    With ``u = W^h_n h_{t-1} + b^h_n``: ``dn = dh (1 - z)``, ``dz = dh (h_{t-1} - n)``,
    the candidate's pre-activation gets ``dn (1 - n^2)``, of which ``r`` times flows
    into u and ``u`` times into r; r and z then go back through their sigmoids, and
    h_{t-1} also receives ``dh z`` directly.

    Args:
        dh: gradient with respect to h_t, shape (N, H).

    Returns:
        dx (N, D), dh_prev (N, H), dWx (3H, D), dWh (3H, H), dbx (3H,), dbh (3H,).
    """
    x, h_prev, Wx, Wh, r, z, n, u = cache
    check_array("gru_step_backward", "dh", dh, shape=h_prev.shape)
    dan = dh * (1.0 - z) * (1.0 - n**2)  # (N, H) candidate pre-activation
    dar = dan * u * r * (1.0 - r)  # (N, H) reset gate pre-activation
    daz = dh * (h_prev - n) * z * (1.0 - z)  # (N, H) update gate pre-activation
    dax = np.concatenate([dar, daz, dan], axis=1)  # (N, 3H)
    dah = np.concatenate([dar, daz, dan * r], axis=1)  # (N, 3H) r scales the hidden part of n
    dx = dax @ Wx  # (N, D)
    dh_prev = dh * z + dah @ Wh  # (N, H) the direct path plus the three gate paths
    return dx, dh_prev, dax.T @ x, dah.T @ h_prev, dax.sum(axis=0), dah.sum(axis=0)
