"""A character-level language model in torch, its batches, its training loop and its evaluation.

Read top to bottom: the model, then the two ways of cutting text into batches
(random windows, and parallel streams for stateful truncated BPTT), then training
and bits-per-character evaluation.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ._checks import check_array, check_positive
from .progress_bars import progress as progress_bar
from .text import CharVocab, sample_from_logits

CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


class CharRNN(nn.Module):
    r"""Character-level language model: one-hot characters in, next-character scores out.

    .. math::

        h_t = \tanh(W^x x_t + W^h h_{t-1} + b^h), \qquad s_t = U h_t + b^u,
        \qquad p(c_{t+1} \mid c_{\le t}) = \mathrm{softmax}(s_t)

    where :math:`x_t` is the one-hot vector of character :math:`c_t`, :math:`h_t` the hidden
    state and :math:`s_t` the scores (logits) over the vocabulary. With ``cell="gru"`` or
    ``"lstm"`` the recurrence is that of ``torch.nn.GRU`` / ``torch.nn.LSTM`` instead.

    Args:
        vocab_size: V, the number of distinct characters.
        hidden_size: H.
        num_layers: stacked recurrent layers.
        cell: ``"rnn"`` (tanh), ``"gru"`` or ``"lstm"``.

    Shapes:
        input ``ids`` (N, T) int64; ``state`` as the torch cell returns it, or ``None`` for zeros.
        output ``logits`` (N, T, V) and the final state.

    The parameters live in two submodules, initialised as torch initialises them:
    ``rnn``, the torch recurrent module (``weight_ih_l0`` is W^x, shape (H, V);
    ``weight_hh_l0`` is W^h, shape (H, H)), and ``out``, an ``nn.Linear`` holding
    U (V, H) and b^u (V,).
    """

    def __init__(self, vocab_size: int, hidden_size: int = 128, num_layers: int = 1, cell: str = "rnn"):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"CharRNN: argument 'cell' must be one of {sorted(CELLS)}, got {cell!r}")
        check_positive("CharRNN", "vocab_size", vocab_size)
        check_positive("CharRNN", "hidden_size", hidden_size)
        self.vocab_size = vocab_size
        self.rnn = CELLS[cell](vocab_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids: torch.Tensor, state=None):
        """Scores for the next character at every step: ids (N, T) -> (logits (N, T, V), final state)."""
        if ids.dim() != 2 or ids.dtype != torch.long:
            got = f"{ids.dtype} {tuple(ids.shape)}"
            raise ValueError(f"CharRNN: 'ids' must be an int64 tensor of shape (N, T), got {got}")
        x = F.one_hot(ids, self.vocab_size).float()  # (N, T, V)
        h, state = self.rnn(x, state)  # (N, T, H)
        return self.out(h), state  # (N, T, V)

    @torch.no_grad()
    def sample(self, vocab: CharVocab, prefix: str, length: int, temperature: float = 1.0, seed: int = 0) -> str:
        """Generate ``length`` characters after ``prefix``, feeding each sampled character back in."""
        if not prefix:
            raise ValueError("CharRNN.sample: argument 'prefix' must be a non-empty string")
        rng = np.random.default_rng(seed)
        device = next(self.parameters()).device
        ids = torch.as_tensor(vocab.encode(prefix), device=device)[None]  # (1, len(prefix))
        logits, state = self(ids)  # read the whole prefix once
        out = []
        for _ in range(length):
            nxt = sample_from_logits(logits[0, -1].double().cpu().numpy(), temperature, rng)
            out.append(nxt)
            logits, state = self(torch.tensor([[nxt]], device=device), state)
        return prefix + vocab.decode(out)


class _ReadSequence(nn.Module):
    """A torch recurrent layer (``rnn``) that reads (N, T, D) inputs, and a linear output layer (``out``)."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int, cell: str):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"{type(self).__name__}: argument 'cell' must be one of {sorted(CELLS)}, got {cell!r}")
        self.rnn = CELLS[cell](input_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)

    def _hidden_states(self, x: torch.Tensor) -> torch.Tensor:
        """All hidden states (N, T, H) of the recurrent layer, from a zero initial state."""
        if x.dim() != 3 or x.shape[-1] != self.rnn.input_size:
            got = tuple(x.shape)
            raise ValueError(f"{type(self).__name__}: 'x' must have shape (N, T, {self.rnn.input_size}), got {got}")
        return self.rnn(x)[0]


class ManyToOne(_ReadSequence):
    r"""A sequence-to-vector model: read the whole sequence, predict from the last hidden state.

    .. math::

        h_t = \tanh(W^x x_t + W^h h_{t-1} + b^h), \qquad y = U h_T + b^u

    (or the GRU / LSTM recurrence with ``cell="gru"`` / ``"lstm"``).

    Args:
        input_size: D, the number of input features per step.
        hidden_size: H.
        output_size: the size of y; with 1 (regression) the output has shape (N,) instead of (N, 1).
        cell: ``"rnn"`` (tanh), ``"gru"`` or ``"lstm"``.

    Shapes:
        input ``x`` (N, T, D) float; output (N,) if ``output_size == 1`` else (N, output_size).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int = 1, cell: str = "rnn"):
        super().__init__(input_size, hidden_size, output_size, cell)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Read x (N, T, D) and predict from the last hidden state h_T."""
        h = self._hidden_states(x)  # (N, T, H)
        y = self.out(h[:, -1])  # (N, output_size), from the last step only
        return y.squeeze(-1) if y.shape[-1] == 1 else y


class ManyToMany(_ReadSequence):
    r"""A synchronised sequence-to-sequence model: one output for every input step.

    .. math::

        h_t = \tanh(W^x x_t + W^h h_{t-1} + b^h), \qquad y_t = U h_t + b^u

    (or the GRU / LSTM recurrence with ``cell="gru"`` / ``"lstm"``).

    Args:
        input_size: D, the number of input features per step.
        hidden_size: H.
        output_size: the size of each y_t (e.g. the number of classes, for logits).
        cell: ``"rnn"`` (tanh), ``"gru"`` or ``"lstm"``.

    Shapes:
        input ``x`` (N, T, D) float; output (N, T, output_size).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, cell: str = "rnn"):
        super().__init__(input_size, hidden_size, output_size, cell)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Read x (N, T, D) and give an output at every step: (N, T, output_size)."""
        return self.out(self._hidden_states(x))  # (N, T, output_size)


# ---------------------------------------------------------------------------
# batches


def random_windows(ids: np.ndarray, batch_size: int, seq_len: int, rng: np.random.Generator):
    """A batch of ``batch_size`` random windows: inputs ``ids[s : s+T]``, targets ``ids[s+1 : s+T+1]``.

    Returns two int64 arrays of shape (batch_size, seq_len).
    """
    check_array("random_windows", "ids", ids, ndim=1, floating=False)
    if len(ids) < seq_len + 1:
        raise ValueError(f"random_windows: 'ids' must hold at least seq_len + 1 = {seq_len + 1} items, got {len(ids)}")
    starts = rng.integers(0, len(ids) - seq_len, size=batch_size)
    idx = starts[:, None] + np.arange(seq_len + 1)  # (B, T+1)
    windows = ids[idx]
    return windows[:, :-1], windows[:, 1:]


def stream_batches(ids: np.ndarray, batch_size: int, seq_len: int):
    """Cut a text into ``batch_size`` parallel streams and yield consecutive chunks of them.

    The text is split into B equal contiguous pieces, one per row. Chunk k holds
    columns ``k T .. (k+1) T`` of every row, so row b of chunk k+1 continues
    exactly where row b of chunk k stopped: the hidden state can be carried over
    (stateful training with truncated BPTT). Yields (inputs, targets), int64 (B, T).
    """
    check_array("stream_batches", "ids", ids, ndim=1, floating=False)
    L = (len(ids) - 1) // batch_size  # characters per stream
    if L < seq_len:
        raise ValueError(f"stream_batches: text too short for {batch_size} streams of seq_len {seq_len}")
    x = ids[: batch_size * L].reshape(batch_size, L)  # (B, L)
    y = ids[1 : batch_size * L + 1].reshape(batch_size, L)
    for start in range(0, L - seq_len + 1, seq_len):
        yield x[:, start : start + seq_len], y[:, start : start + seq_len]


def detach_state(state):
    """Cut the graph behind a carried hidden state (a tensor, or the LSTM's (h, c) pair)."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


# ---------------------------------------------------------------------------
# training and evaluation


def train_char_lm(
    model: CharRNN,
    ids: np.ndarray,
    *,
    steps: int,
    batch_size: int = 32,
    seq_len: int = 64,
    lr: float = 3e-3,
    clip_norm: float | None = 1.0,
    stateful: bool = False,
    seed: int = 0,
    progress: bool = True,
) -> list[float]:
    """Train with Adam on next-character cross-entropy; return the loss (nats/char) of every step.

    ``stateful=False``: each step reads fresh random windows from a zero state.
    ``stateful=True``: steps walk through :func:`stream_batches` in order, carrying the
    hidden state from chunk to chunk (detached, so gradients stop at the chunk
    boundary: truncated BPTT with k = ``seq_len``); at the end of the text it starts over.
    """
    check_positive("train_char_lm", "steps", steps)
    device = next(model.parameters()).device
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses, state, stream = [], None, iter(())
    model.train()
    for _ in progress_bar(range(steps), desc="steps", disable=not progress):
        if stateful:
            chunk = next(stream, None)
            if chunk is None:  # start (or start over) at the beginning of the streams
                stream, state = stream_batches(ids, batch_size, seq_len), None
                chunk = next(stream)
            xb, yb = chunk
        else:
            xb, yb = random_windows(ids, batch_size, seq_len, rng)
            state = None
        xb, yb = torch.as_tensor(xb, device=device), torch.as_tensor(yb, device=device)
        logits, state = model(xb, state)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), yb.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        opt.step()
        state = detach_state(state)
        losses.append(loss.item())
    model.eval()
    return losses


@torch.no_grad()
def bits_per_char(model: CharRNN, ids: np.ndarray, batch_size: int = 16, seq_len: int = 256) -> float:
    """Average ``-log2 p(next character)`` of ``model`` over a held-out text.

    The text is read as ``batch_size`` parallel streams with the hidden state carried
    across chunks, so every prediction (except the first of each stream) sees all the
    text before it in its stream. Characters that do not fill a whole chunk are dropped.
    """
    device = next(model.parameters()).device
    model.eval()
    total, count, state = 0.0, 0, None
    for xb, yb in stream_batches(ids, batch_size, seq_len):
        xb, yb = torch.as_tensor(xb, device=device), torch.as_tensor(yb, device=device)
        logits, state = model(xb, state)
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), yb.reshape(-1), reduction="sum").item()
        count += yb.numel()
    return total / count / math.log(2)
