"""A bidirectional recurrent layer from scratch, state_dict-compatible with ``torch.nn``.

Two recurrent networks read the same sequence, one from x_1 to x_T and one from
x_T to x_1, and the output at step t concatenates their two states. The layer is
built on the step functions of :mod:`rnn_helpers.cells` (:func:`~rnn_helpers.cells.lstm_cell`,
:func:`~rnn_helpers.cells.gru_cell`) and its :func:`~rnn_helpers.cells.scan_layers` loop, and it keeps the parameter
names of ``torch.nn.LSTM/GRU/RNN(bidirectional=True, batch_first=True)``,
``_reverse`` suffix included, so ``load_state_dict`` works in both directions.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ._checks import check_positive
from .cells import gru_cell, lstm_cell, scan_layers


def _tanh_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    """One tanh-RNN step as ``torch.nn.RNN`` computes it: (x_t, (h_{t-1},)) -> (h_t,)."""
    return (torch.tanh(x @ w_ih.T + b_ih + state[0] @ w_hh.T + b_hh),)


def _gru_cell(x, state, *weights):
    return (gru_cell(x, state[0], *weights),)  # the GRU's state is h alone


#: cell name -> (number of stacked blocks, step function on a state tuple)
CELLS = {"lstm": (4, lstm_cell), "gru": (3, _gru_cell), "tanh": (1, _tanh_cell)}
_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class Bidirectional(nn.Module):
    r"""A (stacked) bidirectional LSTM, GRU or tanh RNN, batch first, like ``torch.nn``'s.

    In every layer l = 1..L a forward network reads the sequence from left to
    right and a backward network, with weights of its own, reads it from right
    to left; the layer's output concatenates their states:

    .. math::

        \begin{aligned}
        \overrightarrow{h}^{(l)}_t &= \mathrm{cell}\big(h^{(l-1)}_t,
            \overrightarrow{h}^{(l)}_{t-1}\big), \qquad t = 1, \dots, T, \\
        \overleftarrow{h}^{(l)}_t &= \mathrm{cell}\big(h^{(l-1)}_t,
            \overleftarrow{h}^{(l)}_{t+1}\big), \qquad t = T, \dots, 1, \\
        h^{(l)}_t &= \big[\overrightarrow{h}^{(l)}_t; \overleftarrow{h}^{(l)}_t\big]
        \end{aligned}

    where :math:`h^{(0)}_t = x_t`, cell is one step of :class:`~rnn_helpers.cells.LSTMCell`,
    :class:`~rnn_helpers.cells.GRUCell` or the tanh RNN
    :math:`h_t = \tanh(W^x x_t + b^{ih} + W^h h_{t-1} + b^{hh})`, and
    :math:`\overleftarrow{h}^{(l)}_t` is the backward network's state after it has read
    :math:`x_T, \dots, x_t`. Layer l > 1 reads the 2H-dimensional outputs of layer l - 1.

    Args:
        cell: ``"lstm"``, ``"gru"`` or ``"tanh"``.
        input_size: D.
        hidden_size: H, per direction.
        num_layers: L stacked bidirectional layers.

    Shapes:
        input ``x`` (N, T, D). ``state``: ``None`` for zeros, else h_0 (2L, N, H), or for
        the LSTM (h_0, c_0), each (2L, N, H).
        output (N, T, 2H): ``output[:, t, :H]`` is the forward state at t and
        ``output[:, t, H:]`` the backward state at t. Final state h_n (2L, N, H) (the
        LSTM's (h_n, c_n)), ordered as the names count layers: layer 0 forward, layer 0
        backward, layer 1 forward, ...
        The backward entry of the last layer equals ``output[:, 0, H:]``, its state after
        reading the whole sequence, not ``output[:, -1, H:]``.

    Learnable parameters:
        for l = 1..L (the names count layers from 0, as in ``torch.nn``) and suffix
        ``""`` (forward) or ``"_reverse"``:
        ``weight_ih_l{l-1}{suffix}`` (GH, D) for l = 1 and (GH, 2H) above,
        ``weight_hh_l{l-1}{suffix}`` (GH, H), ``bias_ih_l{l-1}{suffix}`` and
        ``bias_hh_l{l-1}{suffix}`` (GH,), with G = 4 blocks i, f, g, o (LSTM), 3 blocks
        r, z, n (GRU) or 1 (tanh). All are initialised uniformly on
        (-1/sqrt(H), 1/sqrt(H)), as ``torch.nn`` does.
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, num_layers: int = 1):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"Bidirectional: argument 'cell' must be one of {sorted(CELLS)}, got {cell!r}")
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"Bidirectional: argument '{name}' must be an int, got {value!r}")
            check_positive("Bidirectional", name, value)
        self.cell, self.input_size, self.hidden_size, self.num_layers = cell, input_size, hidden_size, num_layers
        G, H = CELLS[cell][0], hidden_size
        for layer in range(num_layers):
            D = input_size if layer == 0 else 2 * H  # layers above read both directions
            for s in self.suffixes(layer):
                self.register_parameter(f"weight_ih{s}", nn.Parameter(torch.empty(G * H, D)))
                self.register_parameter(f"weight_hh{s}", nn.Parameter(torch.empty(G * H, H)))
                self.register_parameter(f"bias_ih{s}", nn.Parameter(torch.empty(G * H)))
                self.register_parameter(f"bias_hh{s}", nn.Parameter(torch.empty(G * H)))
        self.reset_parameters()

    @staticmethod
    def suffixes(layer: int):
        """The parameter-name suffixes of a layer (from 0): forward, then backward (``_reverse``)."""
        return (f"_l{layer}", f"_l{layer}_reverse")

    def reset_parameters(self):
        """Every parameter uniform on (-1/sqrt(H), 1/sqrt(H)), as ``torch.nn`` initialises it."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def extra_repr(self) -> str:
        return f"{self.cell!r}, {self.input_size}, {self.hidden_size}, num_layers={self.num_layers}"

    def _check_state(self, x, state):
        parts = 2 if self.cell == "lstm" else 1
        expected = (2 * self.num_layers, x.shape[0], self.hidden_size)
        if state is None:
            return tuple(x.new_zeros(expected) for _ in range(parts))
        if self.cell == "lstm":
            if not isinstance(state, (tuple, list)) or len(state) != 2:
                raise ValueError(f"Bidirectional: argument 'state' must be (h_0, c_0) for an LSTM, got {type(state)}")
            state = tuple(state)
        else:
            state = (state,)
        for s in state:
            if not isinstance(s, torch.Tensor) or tuple(s.shape) != expected:
                got = tuple(s.shape) if isinstance(s, torch.Tensor) else type(s).__name__
                raise ValueError(f"Bidirectional: argument 'state' must have shape (2L, N, H) = {expected}, got {got}")
        return state

    def forward(self, x: torch.Tensor, state=None):
        """x (N, T, D) -> (output (N, T, 2H), h_n (2L, N, H)); the LSTM returns (output, (h_n, c_n))."""
        if not isinstance(x, torch.Tensor) or x.dim() != 3 or x.shape[-1] != self.input_size:
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(
                f"Bidirectional: argument 'x' must have shape (N, T, D) with D = {self.input_size}, got {got}"
            )
        state = self._check_state(x, state)
        step = CELLS[self.cell][1]
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for d, s in enumerate(self.suffixes(layer)):  # d = 0 forward, 1 backward
                weights = [getattr(self, f"{n}{s}") for n in _NAMES]
                i = 2 * layer + d  # torch.nn's order: layer by layer, forward first
                s0 = tuple(part[i : i + 1] for part in state)  # each (1, N, H)
                seq = x if d == 0 else x.flip(1)  # the backward net reads x_T, ..., x_1
                out, fin = scan_layers(seq, s0, [weights], step)  # (N, T, H), each (1, N, H)
                outputs.append(out if d == 0 else out.flip(1))  # put state after x_T..x_t at index t
                finals.append(fin)
            x = torch.cat(outputs, dim=2)  # (N, T, 2H): [forward; backward]
        h_n = tuple(torch.cat(parts) for parts in zip(*finals))  # each (2L, N, H)
        return x, (h_n if self.cell == "lstm" else h_n[0])
