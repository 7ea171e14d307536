"""The LSTM and the GRU written with torch operations, parameter for parameter like ``torch.nn``.

Two functions hold the arithmetic of one step (:func:`lstm_cell`, :func:`gru_cell`),
and :func:`scan_layers` loops a step over time and stacked layers. The cell
modules apply a step once; the layer modules scan it. Parameters carry
``torch.nn``'s names, shapes and initialisation, so ``load_state_dict`` works in
both directions between ``rh.LSTM`` and ``torch.nn.LSTM`` (and ``rh.GRU`` and
``torch.nn.GRU``), and autograd gives the gradients. The layers are batch
first, like ``torch.nn.LSTM(batch_first=True)``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ._checks import check_positive


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    """One LSTM step: takes x_t (N, D) and (h_{t-1}, c_{t-1}) (N, H) each, returns (h_t, c_t).

    Weights stack the gates i, f, g, o: ``w_ih`` (4H, D), ``w_hh`` (4H, H), biases (4H,).
    """
    h, c = state
    a = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh  # (N, 4H) all four pre-activations
    i, f, g, o = a.chunk(4, dim=1)  # (N, H) each
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)  # keep some of the old cell, write some new
    h = torch.sigmoid(o) * torch.tanh(c)  # show some of the cell
    return h, c


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    """One GRU step in PyTorch's variant: takes x_t (N, D) and h_{t-1} (N, H), returns h_t.

    Weights stack the gates r, z, n: ``w_ih`` (3H, D), ``w_hh`` (3H, H), biases (3H,).
    """
    xr, xz, xn = (x @ w_ih.T + b_ih).chunk(3, dim=1)  # (N, H) each: input parts
    hr, hz, hn = (h @ w_hh.T + b_hh).chunk(3, dim=1)  # (N, H) each: hidden parts
    r = torch.sigmoid(xr + hr)  # reset gate: how much of the past the candidate sees
    z = torch.sigmoid(xz + hz)  # update gate: how much of the old state to keep
    n = torch.tanh(xn + r * hn)  # candidate; r applied after the matrix product
    return (1 - z) * n + z * h  # blend the candidate and the previous state


def scan_layers(x, state, layer_weights, cell):
    """Run a recurrent step over time, then over stacked layers, with a Python loop.

    Args:
        x: inputs, shape (N, T, D).
        state: the initial state as a tuple of (L, N, H) tensors: the LSTM's (h_0, c_0), the GRU's (h_0,).
        layer_weights: one (w_ih, w_hh, b_ih, b_hh) per layer, L in all.
        cell: ``cell(x_t, state_t, *weights) -> state_{t+1}``, a tuple of (N, H) tensors whose first is h_t.

    Returns:
        the hidden states of the last layer (N, T, H), and the final state, a tuple of (L, N, H) tensors.
    """
    finals = []
    for k, weights in enumerate(layer_weights):
        s = tuple(part[k] for part in state)  # (N, H) each: this layer's initial state
        outputs = []
        for t in range(x.shape[1]):  # the sequential part: step t needs step t-1
            s = cell(x[:, t], s, *weights)
            outputs.append(s[0])
        x = torch.stack(outputs, dim=1)  # (N, T, H): the next layer's input
        finals.append(s)
    return x, tuple(torch.stack(parts) for parts in zip(*finals))  # each (L, N, H)


def _gru_state_cell(x, state, *weights):
    return (gru_cell(x, state[0], *weights),)  # the GRU's state is h alone


class _Recurrent(nn.Module):
    """Parameters shared by the cells and layers: ``gates`` stacked blocks of H rows each."""

    gates = 1

    def _init_params(self, input_size: int, hidden_size: int, suffixes):
        check_positive(type(self).__name__, "input_size", input_size)
        check_positive(type(self).__name__, "hidden_size", hidden_size)
        self.input_size, self.hidden_size = input_size, hidden_size
        G, H = self.gates, hidden_size
        for k, s in enumerate(suffixes):
            D = input_size if k == 0 else hidden_size
            self.register_parameter(f"weight_ih{s}", nn.Parameter(torch.empty(G * H, D)))
            self.register_parameter(f"weight_hh{s}", nn.Parameter(torch.empty(G * H, H)))
            self.register_parameter(f"bias_ih{s}", nn.Parameter(torch.empty(G * H)))
            self.register_parameter(f"bias_hh{s}", nn.Parameter(torch.empty(G * H)))
        self.reset_parameters()

    def reset_parameters(self):
        """Every parameter ~ U(-1/sqrt(H), 1/sqrt(H)), as ``torch.nn`` initialises its recurrent modules."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def _weights(self, s: str):
        return [getattr(self, f"{n}{s}") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]

    def _check_input(self, x: torch.Tensor, ndim: int):
        shape = "(N, D)" if ndim == 2 else "(N, T, D)"
        if x.dim() != ndim or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__}: input must have shape {shape} with D = {self.input_size}, got {tuple(x.shape)}"
            )


class _Cell(_Recurrent):
    """One step: parameters ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` as in ``torch.nn``'s cells."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self._init_params(input_size, hidden_size, [""])


class LSTMCell(_Cell):
    r"""One LSTM step from scratch, with ``torch.nn.LSTMCell``'s parameters.

    .. math::

        \begin{aligned}
        i_t &= \sigma(W^x_i x_t + b^{ih}_i + W^h_i h_{t-1} + b^{hh}_i), \\
        f_t &= \sigma(W^x_f x_t + b^{ih}_f + W^h_f h_{t-1} + b^{hh}_f), \\
        g_t &= \tanh(W^x_g x_t + b^{ih}_g + W^h_g h_{t-1} + b^{hh}_g), \\
        o_t &= \sigma(W^x_o x_t + b^{ih}_o + W^h_o h_{t-1} + b^{hh}_o), \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t, \\
        h_t &= o_t \odot \tanh(c_t)
        \end{aligned}

    where :math:`i_t, f_t, o_t` are the input, forget and output gates, :math:`g_t` the
    candidate, :math:`c_t` the cell state and :math:`\odot` the element-wise product.

    Args:
        input_size: D.
        hidden_size: H.

    Shapes:
        input ``x`` (N, D) and ``state`` = (h, c), each (N, H), or ``None`` for zeros;
        output (h, c), each (N, H).

    Learnable parameters:
        ``weight_ih`` (4H, D) = [W^x_i; W^x_f; W^x_g; W^x_o], ``weight_hh`` (4H, H),
        ``bias_ih`` and ``bias_hh`` (4H,), stacked in the gate order i, f, g, o.
        All are initialised from U(-1/sqrt(H), 1/sqrt(H)).
    """

    gates = 4

    def forward(self, x: torch.Tensor, state=None):
        """(x_t, (h_{t-1}, c_{t-1})) -> (h_t, c_t)."""
        self._check_input(x, 2)
        if state is None:
            zeros = x.new_zeros(x.shape[0], self.hidden_size)
            state = (zeros, zeros)
        return lstm_cell(x, state, *self._weights(""))


class GRUCell(_Cell):
    r"""One GRU step from scratch, with ``torch.nn.GRUCell``'s parameters (PyTorch's variant).

    .. math::

        \begin{aligned}
        r_t &= \sigma(W^x_r x_t + b^{ih}_r + W^h_r h_{t-1} + b^{hh}_r), \\
        z_t &= \sigma(W^x_z x_t + b^{ih}_z + W^h_z h_{t-1} + b^{hh}_z), \\
        n_t &= \tanh(W^x_n x_t + b^{ih}_n + r_t \odot (W^h_n h_{t-1} + b^{hh}_n)), \\
        h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}
        \end{aligned}

    where :math:`r_t` is the reset gate, :math:`z_t` the update gate and :math:`n_t` the candidate.

    Args:
        input_size: D.
        hidden_size: H.

    Shapes:
        input ``x`` (N, D) and ``h`` (N, H) or ``None`` for zeros; output h (N, H).

    Learnable parameters:
        ``weight_ih`` (3H, D) = [W^x_r; W^x_z; W^x_n], ``weight_hh`` (3H, H),
        ``bias_ih`` and ``bias_hh`` (3H,), stacked in the gate order r, z, n.
        All are initialised from U(-1/sqrt(H), 1/sqrt(H)).
    """

    gates = 3

    def forward(self, x: torch.Tensor, h=None):
        """(x_t, h_{t-1}) -> h_t."""
        self._check_input(x, 2)
        if h is None:
            h = x.new_zeros(x.shape[0], self.hidden_size)
        return gru_cell(x, h, *self._weights(""))


class _Layer(_Recurrent):
    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1):
        super().__init__()
        check_positive(type(self).__name__, "num_layers", num_layers)
        self.num_layers = num_layers
        self._init_params(input_size, hidden_size, [f"_l{k}" for k in range(num_layers)])

    def _zeros(self, x):
        return x.new_zeros(self.num_layers, x.shape[0], self.hidden_size)  # (L, N, H)

    def _layer_weights(self):
        return [self._weights(f"_l{k}") for k in range(self.num_layers)]


class LSTM(_Layer):
    r"""A (stacked) LSTM layer from scratch, state_dict-compatible with ``torch.nn.LSTM(batch_first=True)``.

    Applies :class:`LSTMCell`'s equations at every time step t = 1..T, and in layer
    k > 0 takes the hidden states of layer k - 1 as its inputs x_t.

    Args:
        input_size: D.
        hidden_size: H.
        num_layers: L stacked layers.

    Shapes:
        input ``x`` (N, T, D); ``state`` = (h_0, c_0), each (L, N, H), or ``None`` for zeros.
        output: all hidden states of the last layer (N, T, H), and (h_T, c_T), each (L, N, H).

    Learnable parameters:
        ``weight_ih_l{k}`` (4H, D) for k = 0 and (4H, H) above, ``weight_hh_l{k}`` (4H, H),
        ``bias_ih_l{k}`` and ``bias_hh_l{k}`` (4H,), gates stacked in the order i, f, g, o.
        All are initialised from U(-1/sqrt(H), 1/sqrt(H)).
    """

    gates = 4

    def forward(self, x: torch.Tensor, state=None):
        """x (N, T, D) -> (outputs (N, T, H), (h_T, c_T))."""
        self._check_input(x, 3)
        state = state if state is not None else (self._zeros(x), self._zeros(x))
        return scan_layers(x, state, self._layer_weights(), lstm_cell)


class GRU(_Layer):
    r"""A (stacked) GRU layer from scratch, state_dict-compatible with ``torch.nn.GRU(batch_first=True)``.

    Applies :class:`GRUCell`'s equations at every time step t = 1..T, and in layer
    k > 0 takes the hidden states of layer k - 1 as its inputs x_t.

    Args:
        input_size: D.
        hidden_size: H.
        num_layers: L stacked layers.

    Shapes:
        input ``x`` (N, T, D); ``h0`` (L, N, H) or ``None`` for zeros.
        output: all hidden states of the last layer (N, T, H), and h_T (L, N, H).

    Learnable parameters:
        ``weight_ih_l{k}`` (3H, D) for k = 0 and (3H, H) above, ``weight_hh_l{k}`` (3H, H),
        ``bias_ih_l{k}`` and ``bias_hh_l{k}`` (3H,), gates stacked in the order r, z, n.
        All are initialised from U(-1/sqrt(H), 1/sqrt(H)).
    """

    gates = 3

    def forward(self, x: torch.Tensor, h0=None):
        """x (N, T, D) -> (outputs (N, T, H), h_T (L, N, H))."""
        self._check_input(x, 3)
        h0 = self._zeros(x) if h0 is None else h0
        outputs, (h_n,) = scan_layers(x, (h0,), self._layer_weights(), _gru_state_cell)
        return outputs, h_n
