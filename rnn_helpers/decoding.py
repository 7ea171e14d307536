r"""Decoding a conditional language model: greedy search and beam search.

A decoder defines, one token at a time, :math:`p(y_t \mid y_{<t}, x)`. Decoding
looks for an output :math:`y_{1:T_y}` with a high total log-probability

.. math::

    \log p(y_{1:T_y} \mid x) = \sum_{t=1}^{T_y} \log p(y_t \mid y_{<t}, x).

Both functions here talk to the model through one ``step`` function::

    step(tokens, state) -> (log_probs, new_state)

where ``tokens`` is a ``LongTensor`` of shape (B,) (the previous token of each
row), ``log_probs`` has shape (B, V) (log-probabilities of the next token, e.g.
``log_softmax`` of the logits) and ``state`` is a tensor, or a tuple/list of
tensors (nested allowed), whose FIRST dimension is the batch (beam) dimension
B, so that beam search can reorder and replicate it with ``index_select(0, ...)``.
A ``torch.nn.LSTM``/``GRU`` state has shape (num_layers, B, H): the caller's
``step`` wrapper must transpose it to (B, num_layers, H) and back. Encoder
outputs that every step needs (for attention) can ride in the state, (B, T_x, 2H).

Both run under ``torch.no_grad()``.
"""

from __future__ import annotations

import torch

from ._checks import check_int

__all__ = ["greedy_decode", "beam_search"]


def _first_tensor(fn: str, state) -> torch.Tensor:
    if isinstance(state, torch.Tensor):
        return state
    if isinstance(state, (tuple, list)) and state:
        return _first_tensor(fn, state[0])
    raise ValueError(
        f"{fn}: argument 'state' must be a tensor or a non-empty tuple/list of tensors "
        f"with the batch as first dimension, got {type(state).__name__}"
    )


def _index_state(state, index: torch.Tensor):
    """Pick rows ``index`` of every tensor in a (nested) state along dimension 0."""
    if isinstance(state, torch.Tensor):
        return state.index_select(0, index)
    return type(state)(_index_state(s, index) for s in state)


def _check_log_probs(fn: str, log_probs, batch: int, eos: int, bos: int) -> int:
    if not isinstance(log_probs, torch.Tensor) or log_probs.ndim != 2 or log_probs.shape[0] != batch:
        got = tuple(log_probs.shape) if isinstance(log_probs, torch.Tensor) else type(log_probs).__name__
        raise ValueError(f"{fn}: 'step' must return log_probs of shape (B, V) = ({batch}, V), got {got}")
    vocab = log_probs.shape[1]
    for name, token in (("eos", eos), ("bos", bos)):
        if token >= vocab:
            raise ValueError(f"{fn}: argument '{name}' must be < V = {vocab}, got {token}")
    return vocab


@torch.no_grad()
def greedy_decode(step, state, bos: int, eos: int, max_len: int, *, return_log_prob: bool = False):
    r"""Greedy decoding of a batch: at every step take the most probable token.

    .. math::

        \hat y_t = \arg\max_{v} \log p(v \mid \hat y_{<t}, x), \qquad
        \hat y_0 = \text{bos},

    until :math:`\hat y_t` = eos or t = max_len.

    Args:
        step: ``step(tokens (B,), state) -> (log_probs (B, V), new_state)``.
        state: initial state, a tensor or (nested) tuple/list of tensors with the
            batch first, (N, ...).
        bos: the token fed at the first step (it is not part of the output).
        eos: the end token; a row stops after producing it.
        max_len: the most tokens produced per row.
        return_log_prob: also return each row's total log-probability
            :math:`\sum_t \log p(\hat y_t \mid \hat y_{<t}, x)` (eos included, the
            padding after it not).

    Returns:
        ``tokens`` (N, max_len) int64: row n holds its tokens, its eos if produced,
        and then eos as padding to max_len. With ``return_log_prob``,
        ``(tokens, log_prob (N,))``. The loop stops early once every row has
        produced eos.
    """
    fn = "greedy_decode"
    for name, value in (("bos", bos), ("eos", eos)):
        check_int(fn, name, value)
    check_int(fn, "max_len", max_len, 1)
    n = _first_tensor(fn, state).shape[0]
    device = _first_tensor(fn, state).device
    tokens = torch.full((n,), bos, dtype=torch.long, device=device)  # (N,)
    out = torch.full((n, max_len), eos, dtype=torch.long, device=device)  # (N, max_len)
    total = None  # (N,) made on the first step, in the log-probabilities' dtype
    done = torch.zeros(n, dtype=torch.bool, device=device)  # (N,)
    for t in range(max_len):
        log_probs, state = step(tokens, state)  # (N, V)
        _check_log_probs(fn, log_probs, n, eos, bos)
        nxt = log_probs.argmax(dim=-1)  # (N,) the most probable token
        nxt = torch.where(done, torch.full_like(nxt, eos), nxt)  # finished rows pad
        gained = log_probs.gather(1, nxt[:, None])[:, 0]  # (N,)
        total = torch.zeros_like(gained) if total is None else total
        total = total + torch.where(done, torch.zeros_like(gained), gained)
        out[:, t] = nxt
        done = done | (nxt == eos)
        if bool(done.all()):
            break
        tokens = nxt
    return (out, total) if return_log_prob else out


def _score(log_prob: float, length: int, length_penalty: float) -> float:
    """Ranking score: total log-probability divided by length ** length_penalty."""
    return log_prob / (max(length, 1) ** length_penalty)


@torch.no_grad()
def beam_search(step, state, bos: int, eos: int, max_len: int, beam_width: int, length_penalty: float = 0.0):
    r"""Beam search for ONE example: keep the ``beam_width`` best prefixes at every step.

    At step t every live prefix :math:`y_{<t}` is extended by every token v, each
    candidate is scored by :math:`\log p(y_{<t}) + \log p(v \mid y_{<t}, x)`, and
    the best candidates are kept: those ending in eos (among the best
    ``beam_width`` of all candidates) become finished hypotheses, and the best
    ``beam_width`` that do not end in eos stay live. A hypothesis that reaches
    ``max_len`` tokens without eos is finished as it is. Hypotheses are ranked by

    .. math::

        \mathrm{score}(y) = \frac{\log p(y \mid x)}{|y|^{\mathrm{lp}}}

    where :math:`|y|` counts the produced tokens (eos included) and
    :math:`\mathrm{lp}` is ``length_penalty`` (0: the plain total
    log-probability, which favours short outputs; 1: the mean log-probability per
    token). With ``length_penalty = 0`` the search stops as soon as no live prefix
    can beat the best finished hypothesis (log-probabilities only fall as a
    prefix grows). With ``beam_width = 1`` it is exactly greedy decoding.

    Args:
        step: ``step(tokens (B,), state) -> (log_probs (B, V), new_state)``.
        state: the example's initial state, batch dimension 1, (1, ...).
        bos, eos, max_len: as in :func:`greedy_decode`.
        beam_width: the number of live prefixes kept, beta >= 1.
        length_penalty: the exponent of the length normalisation, >= 0.

    Returns:
        A list of at most ``beam_width`` hypotheses ``(tokens, log_prob)``, best
        score first: ``tokens`` a list of ints (bos excluded, eos included if
        produced), ``log_prob`` their total log-probability (a float).
    """
    fn = "beam_search"
    for name, value in (("bos", bos), ("eos", eos)):
        check_int(fn, name, value)
    check_int(fn, "max_len", max_len, 1)
    check_int(fn, "beam_width", beam_width, 1)
    if not length_penalty >= 0:
        raise ValueError(f"{fn}: argument 'length_penalty' must be >= 0, got {length_penalty}")
    first = _first_tensor(fn, state)
    if first.shape[0] != 1:
        raise ValueError(
            f"{fn}: argument 'state' must have batch dimension 1 (one example), got shape {tuple(first.shape)}"
        )
    device = first.device
    prefixes = [[]]  # live prefixes (tokens so far)
    scores = torch.zeros(1, dtype=torch.float64, device=device)  # (B,) total log-probs
    tokens = torch.full((1,), bos, dtype=torch.long, device=device)
    finished = []  # (tokens, log_prob)
    for t in range(max_len):
        log_probs, state = step(tokens, state)  # (B, V)
        vocab = _check_log_probs(fn, log_probs, len(prefixes), eos, bos)
        cand = (scores[:, None] + log_probs.double()).reshape(-1)  # (B * V,)
        order = torch.argsort(cand, descending=True, stable=True)
        keep_rows, keep_tokens, keep_scores = [], [], []
        for rank, flat in enumerate(order.tolist()):
            row, tok = divmod(flat, vocab)
            if tok == eos:
                if rank < beam_width:  # a finished hypothesis among the best
                    finished.append((prefixes[row] + [eos], float(cand[flat])))
                continue
            keep_rows.append(row)
            keep_tokens.append(tok)
            keep_scores.append(float(cand[flat]))
            if len(keep_rows) == beam_width:
                break
        if not keep_rows:
            break
        prefixes = [prefixes[r] + [k] for r, k in zip(keep_rows, keep_tokens, strict=True)]
        scores = torch.tensor(keep_scores, dtype=torch.float64, device=device)
        if t == max_len - 1:  # out of length: the live prefixes finish as they are
            finished += [(p, float(s)) for p, s in zip(prefixes, keep_scores, strict=True)]
            break
        if length_penalty == 0 and finished and max(f[1] for f in finished) >= keep_scores[0]:
            break  # no live prefix can catch up with the best finished one
        index = torch.tensor(keep_rows, device=device)
        state = _index_state(state, index)
        tokens = torch.tensor(keep_tokens, dtype=torch.long, device=device)
    finished.sort(key=lambda h: -_score(h[1], len(h[0]), length_penalty))
    return finished[:beam_width]
