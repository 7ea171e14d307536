"""Losses that return the loss and its gradient in one call, cs231n style."""

from __future__ import annotations

import numpy as np

from ._checks import check_array, check_labels


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax, ``p_k = exp(s_k) / sum_j exp(s_j)``, computed stably. Shape (N, C) -> (N, C)."""
    check_array("softmax", "scores", scores, ndim=2)
    shifted = scores - scores.max(axis=1, keepdims=True)  # largest score becomes 0: no overflow
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def softmax_cross_entropy(scores: np.ndarray, y: np.ndarray):
    """Mean softmax cross-entropy loss and its gradient.

    ``L = -(1/N) sum_n log p_{n, y_n}`` with ``p = softmax(scores)``;
    ``dL/dscores = (p - onehot(y)) / N``.

    Args:
        scores: unnormalised class scores (logits), shape (N, C).
        y: integer labels in [0, C), shape (N,).

    Returns:
        loss (float) and dscores, shape (N, C).
    """
    check_array("softmax_cross_entropy", "scores", scores, ndim=2)
    n, c = scores.shape
    check_labels("softmax_cross_entropy", "y", y, n, c)
    p = softmax(scores)
    loss = -np.log(p[np.arange(n), y]).mean()
    dscores = p.copy()
    dscores[np.arange(n), y] -= 1.0
    return float(loss), dscores / n


def mse_loss(pred: np.ndarray, target: np.ndarray):
    """Mean squared error and its gradient.

    ``L = (1/K) sum_k (pred_k - target_k)^2`` over all K entries;
    ``dL/dpred = 2 (pred - target) / K``.

    Returns:
        loss (float) and dpred, same shape as ``pred``.
    """
    check_array("mse_loss", "pred", pred)
    check_array("mse_loss", "target", target, shape=pred.shape)
    diff = pred - target
    return float(np.mean(diff**2)), 2.0 * diff / diff.size
