"""Seeded synthetic sequence tasks: each returns numpy arrays, batch first (N, T, D)."""

from __future__ import annotations

import numpy as np

from ._checks import check_positive

#: ``Var(u1 + u2) = 1/6`` for u1, u2 ~ U[0, 1]: the MSE of always predicting 1 on the adding problem.
ADDING_BASELINE_MSE = 1.0 / 6.0


def make_adding_problem(n: int, T: int, seed: int = 0):
    """The adding problem of Hochreiter & Schmidhuber (1997), in the form of Le et al. (2015).

    Each example is a sequence of T steps with two input channels: a value drawn from
    U[0, 1], and a marker that is 1 at exactly two steps (one in the first half of the
    sequence, one in the second) and 0 elsewhere. The target is the sum of the two
    marked values. Predicting the constant 1 gives MSE ``Var(u1 + u2) = 1/6 ~ 0.167``
    (:data:`ADDING_BASELINE_MSE`); to beat it a model must remember a value for up to T steps.

    Returns:
        X: float32 (n, T, 2), channel 0 the values and channel 1 the markers.
        y: float32 (n,), the targets, in [0, 2].
    """
    check_positive("make_adding_problem", "n", n)
    if T < 2:
        raise ValueError(f"make_adding_problem: argument 'T' must be >= 2, got {T}")
    rng = np.random.default_rng(seed)
    values = rng.random((n, T))  # (n, T)
    first = rng.integers(0, T // 2, size=n)  # one marker in the first half
    second = rng.integers(T // 2, T, size=n)  # one in the second half
    markers = np.zeros((n, T))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    X = np.stack([values, markers], axis=-1).astype(np.float32)  # (n, T, 2)
    y = (values[rows, first] + values[rows, second]).astype(np.float32)  # (n,)
    return X, y


def make_copy_task(n: int, delay: int, length: int = 10, alphabet: int = 8, seed: int = 0):
    """The copy task of Hochreiter & Schmidhuber (1997), in the form of Arjovsky et al. (2016).

    Tokens ``0 .. alphabet-1`` are symbols, ``alphabet`` is the blank and
    ``alphabet + 1`` the "now recall" marker. An input sequence holds ``length``
    random symbols, ``delay - 1`` blanks, the marker, and ``length`` more blanks
    (``delay + 2 * length`` steps in all). The target is blank everywhere except
    the last ``length`` steps, which must repeat the symbols in order, so each
    symbol has to be remembered for ``delay + length`` steps.

    A memoryless model can only learn to output blanks and then guess uniformly:
    its cross-entropy per step is :func:`copy_baseline_loss`.

    Returns:
        X: int64 (n, delay + 2 * length), the input tokens.
        y: int64 (n, delay + 2 * length), the target tokens.
    """
    check_positive("make_copy_task", "n", n)
    check_positive("make_copy_task", "delay", delay)
    check_positive("make_copy_task", "length", length)
    if alphabet < 2:
        raise ValueError(f"make_copy_task: argument 'alphabet' must be >= 2, got {alphabet}")
    rng = np.random.default_rng(seed)
    blank, marker = alphabet, alphabet + 1
    symbols = rng.integers(0, alphabet, size=(n, length))  # (n, length)
    X = np.full((n, delay + 2 * length), blank, dtype=np.int64)
    y = np.full_like(X, blank)
    X[:, :length] = symbols
    X[:, length + delay - 1] = marker
    y[:, -length:] = symbols
    return X, y


def copy_baseline_loss(delay: int, length: int = 10, alphabet: int = 8) -> float:
    """Cross-entropy per step (nats) of the best memoryless model on :func:`make_copy_task`.

    It predicts the blank with certainty for the first ``delay + length`` steps and a
    uniform guess over the ``alphabet`` symbols for the last ``length``:
    ``length * log(alphabet) / (delay + 2 * length)``.
    """
    return length * float(np.log(alphabet)) / (delay + 2 * length)


def make_motif_data(n: int, starts, T: int = 12, motif=(1, 0, 1, 1), seed=0):
    """Balanced motif detection: does the binary pattern ``motif`` occur in the sequence?

    The task of chapter 1 ("no weight sharing across positions"). Returns ``n``
    negatives, random 0/1 sequences of length T in which ``motif`` occurs nowhere,
    followed by ``n`` positives, in which it occurs exactly once and starts at a
    step drawn uniformly from ``starts``. Both are made by rejection sampling:
    a random sequence is kept if it has no occurrence (negatives), or if, once
    the motif is written at a random start, it has exactly one (positives).
    Occurrences are counted at every start ``s`` with
    ``X[s : s + M] == motif``, ``M = len(motif)``, overlaps included.

    Args:
        n: number of sequences of each class.
        starts: the allowed start steps of the planted motif, each in ``0 .. T - M``.
        T: sequence length.
        motif: the pattern, a sequence of 0s and 1s.
        seed: an int, or a ``numpy.random.Generator`` to draw from (and advance).

    Returns:
        X: float32 (2n, T), the sequences, negatives first.
        y: float32 (2n,), 0 for the first n rows and 1 for the last n.
    """
    check_positive("make_motif_data", "n", n)
    pattern = np.asarray(motif)
    M = len(pattern)
    if M < 1 or not np.isin(pattern, (0, 1)).all():
        raise ValueError(f"make_motif_data: argument 'motif' must be a non-empty sequence of 0s and 1s, got {motif}")
    if T < M:
        raise ValueError(f"make_motif_data: argument 'T' must be >= len(motif) = {M}, got {T}")
    starts = np.atleast_1d(np.asarray(starts))
    if starts.size == 0 or not np.issubdtype(starts.dtype, np.integer) or starts.min() < 0 or starts.max() > T - M:
        raise ValueError(f"make_motif_data: argument 'starts' must hold integers in [0, {T - M}], got {starts}")
    rng = np.random.default_rng(seed)  # a Generator passes through unchanged

    def hits(X):  # (B, T) -> (B, T - M + 1): does the motif start at each step?
        windows = np.lib.stride_tricks.sliding_window_view(X, M, axis=1)  # (B, T - M + 1, M)
        return np.all(windows == pattern, axis=2)

    neg, pos = [], []
    while sum(map(len, neg)) < n:  # keep motif-free sequences
        X = rng.integers(0, 2, size=(4 * n, T))
        neg.append(X[~hits(X).any(axis=1)])
    while sum(map(len, pos)) < n:  # plant the motif, keep sequences with one occurrence
        X = rng.integers(0, 2, size=(4 * n, T))
        p = rng.choice(starts, size=4 * n)
        for k in range(M):
            X[np.arange(4 * n), p + k] = pattern[k]
        pos.append(X[hits(X).sum(axis=1) == 1])
    X = np.concatenate([np.concatenate(neg)[:n], np.concatenate(pos)[:n]]).astype(np.float32)
    y = np.concatenate([np.zeros(n), np.ones(n)]).astype(np.float32)
    return X, y  # (2n, T), (2n,)
