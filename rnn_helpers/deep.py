"""Deep (stacked) recurrent networks: tanh, LSTM or GRU layers on top of each other.

:class:`StackedRNN` runs the cells of :mod:`rnn_helpers.cells` layer by layer
(with :func:`~rnn_helpers.cells.scan_layers`), and adds what a stack has and a
single layer has not: dropout between layers and residual (skip) connections.
Its parameters carry ``torch.nn``'s names, so without residual connections its
``state_dict`` loads into and from ``torch.nn.RNN`` / ``LSTM`` / ``GRU`` with
``num_layers`` layers. :func:`stack_parameter_count` counts the parameters.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from ._checks import check_positive
from .cells import _gru_state_cell, _Recurrent, lstm_cell, scan_layers

#: The number of H-row blocks per cell type. The tanh RNN has one, the GRU three (r, z, n), the LSTM four (i, f, g, o).
GATES = {"tanh": 1, "gru": 3, "lstm": 4}


def tanh_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    """One tanh RNN step: takes x_t (N, D) and h_{t-1} (N, H), returns h_t (N, H).

    ``w_ih`` (H, D) is W^x, ``w_hh`` (H, H) is W^h, the biases are (H,), as in ``torch.nn.RNN``.
    """
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)


def _tanh_state_cell(x, state, *weights):
    return (tanh_cell(x, state[0], *weights),)  # the tanh RNN's state is h alone


_CELLS = {"tanh": _tanh_state_cell, "gru": _gru_state_cell, "lstm": lstm_cell}


def _check_cell(fn: str, cell):
    if cell not in GATES:
        raise ValueError(f"{fn}: argument 'cell' must be one of {sorted(GATES)}, got {cell!r}")


def stack_parameter_count(cell: str, input_size: int, hidden_size: int, num_layers: int) -> int:
    """The number of parameters of an L-layer stack, as ``torch.nn`` stores them (two biases per block).

    With G blocks (1 tanh, 3 GRU, 4 LSTM), the first layer has ``G H (D + H + 2)``
    parameters and each layer above ``G H (2H + 2)``, because its input is the layer
    below, of size H:  ``P = G H (D + H + 2) + (L - 1) G H (2H + 2)``.
    """
    _check_cell("stack_parameter_count", cell)
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
        check_positive("stack_parameter_count", name, value)
    G, D, H, L = GATES[cell], input_size, hidden_size, num_layers
    return G * H * (D + H + 2) + (L - 1) * G * H * (2 * H + 2)


class StackedRNN(_Recurrent):
    r"""L recurrent layers on top of each other, batch first, with dropout and residual connections.

    .. math::

        \begin{aligned}
        \tilde h_t^{(0)} &= x_t, \\
        h_t^{(l)} &= \mathrm{cell}\big(\tilde h_t^{(l-1)}, h_{t-1}^{(l)}\big), \qquad l = 1, \dots, L, \\
        \tilde h_t^{(l)} &= \begin{cases}
            \mathrm{dropout}\big(h_t^{(l)} + [\text{residual}, l \ge 2]\, \tilde h_t^{(l-1)}\big) & l < L, \\
            h_t^{(L)} + [\text{residual}, L \ge 2]\, \tilde h_t^{(L-1)} & l = L,
        \end{cases}
        \end{aligned}

    where ``cell`` is one step of a tanh RNN, :math:`h_t = \tanh(W^x x_t + b^{ih} + W^h h_{t-1} + b^{hh})`,
    an LSTM (:func:`~rnn_helpers.cells.lstm_cell`, whose state also holds :math:`c_t^{(l)}`)
    or a GRU (:func:`~rnn_helpers.cells.gru_cell`), with layer l's own weights.
    :math:`\tilde h_t^{(l)}` is what layer l passes up: its hidden state, plus (with
    ``residual=True``, from layer 2 on, where input and output sizes are both H) the input it
    received, and then dropout. Dropout zeroes each entry with probability p_drop (the
    argument ``dropout``) and scales the others by 1 / (1 - p_drop), in training mode only,
    on the outputs of every layer but the last, as ``torch.nn.RNN`` does. Layer 1 reads
    x_t, of size D, and has no skip connection. The recurrence of layer l carries
    :math:`h_t^{(l)}` itself; the output is :math:`\tilde h_t^{(L)}` for all t.

    Args:
        cell: ``"tanh"``, ``"lstm"`` or ``"gru"``.
        input_size: D.
        hidden_size: H, the same in every layer.
        num_layers: L.
        dropout: p_drop in [0, 1), between layers (ignored for L = 1, as in ``torch.nn``).
        residual: add each layer's input to its output, for layers 2..L.

    Shapes:
        input ``x`` (N, T, D); ``state`` ``None`` (zeros), h_0 (L, N, H), or for the LSTM
        (h_0, c_0), each (L, N, H). Output: (N, T, H), and the final state in the same form
        as ``state``: h_T (L, N, H) or (h_T, c_T).

    Learnable parameters (G = 1, 3, 4 blocks for tanh, GRU, LSTM):
        ``weight_ih_l{k}`` (GH, D) for k = 0 and (GH, H) above, ``weight_hh_l{k}`` (GH, H),
        ``bias_ih_l{k}`` and ``bias_hh_l{k}`` (GH,), for k = 0..L-1 (layer l = k + 1), blocks
        stacked in ``torch.nn``'s order (i, f, g, o and r, z, n). All are initialised from
        U(-1/sqrt(H), 1/sqrt(H)) as in ``torch.nn``. With ``residual=False`` the ``state_dict``
        is that of ``torch.nn.RNN`` / ``LSTM`` / ``GRU(D, H, num_layers=L, batch_first=True)``.
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        dropout: float = 0.0,
        residual: bool = False,
    ):
        super().__init__()
        _check_cell("StackedRNN", cell)
        check_positive("StackedRNN", "num_layers", num_layers)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"StackedRNN: argument 'dropout' must be in [0, 1), got {dropout}")
        self.cell, self.gates, self.num_layers = cell, GATES[cell], num_layers
        self.dropout, self.residual = float(dropout), bool(residual)
        self._init_params(input_size, hidden_size, [f"_l{k}" for k in range(num_layers)])

    def extra_repr(self) -> str:
        return (
            f"{self.cell!r}, {self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
            f"dropout={self.dropout}, residual={self.residual}"
        )

    def _initial_state(self, x, state):
        L, N, H = self.num_layers, x.shape[0], self.hidden_size
        if state is None:
            zeros = x.new_zeros(L, N, H)  # (L, N, H)
            return (zeros, zeros) if self.cell == "lstm" else (zeros,)
        parts = tuple(state) if self.cell == "lstm" else (state,)
        want = 2 if self.cell == "lstm" else 1
        if len(parts) != want or any(not torch.is_tensor(p) or p.shape != (L, N, H) for p in parts):
            form = "(h_0, c_0), each" if self.cell == "lstm" else "h_0"
            got = [tuple(p.shape) if torch.is_tensor(p) else type(p).__name__ for p in parts]
            raise ValueError(f"StackedRNN: argument 'state' must be {form} of shape {(L, N, H)}, got {got}")
        return parts

    def forward(self, x: torch.Tensor, state=None):
        """x (N, T, D) -> (output (N, T, H), final state h_T (L, N, H), or (h_T, c_T) for the LSTM)."""
        self._check_input(x, 3)
        state = self._initial_state(x, state)
        finals = []
        for k in range(self.num_layers):  # layer l = k + 1
            s = tuple(part[k : k + 1] for part in state)  # (1, N, H) each
            out, s = scan_layers(x, s, [self._weights(f"_l{k}")], _CELLS[self.cell])  # (N, T, H)
            if self.residual and k > 0:
                out = out + x  # the skip connection: input from below, added
            if k < self.num_layers - 1 and self.dropout > 0:
                out = F.dropout(out, self.dropout, self.training)  # between layers only
            x = out  # the next layer's input
            finals.append(s)
        final = tuple(torch.cat(parts) for parts in zip(*finals))  # each (L, N, H)
        return x, (final if self.cell == "lstm" else final[0])
