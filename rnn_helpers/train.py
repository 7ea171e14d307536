"""A small training loop for torch models: progress bar, gradient clipping, loss history."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from .progress_bars import progress as progress_bar


@dataclass
class History:
    """What :func:`train` records: one entry per optimisation step, and per epoch."""

    loss: list[float] = field(default_factory=list)  # training loss at every step
    grad_norm: list[float] = field(default_factory=list)  # global gradient norm before clipping
    epoch_loss: list[float] = field(default_factory=list)  # mean training loss of each epoch
    val_loss: list[float] = field(default_factory=list)  # validation loss after each epoch, if given


def grad_norm(parameters) -> float:
    """Global L2 norm of all gradients, ``sqrt(sum_p ||grad p||^2)``."""
    norms = [p.grad.detach().norm() for p in parameters if p.grad is not None]
    return float(torch.linalg.vector_norm(torch.stack(norms))) if norms else 0.0


def minibatches(n: int, batch_size: int, rng: np.random.Generator, shuffle: bool = True):
    """Yield index arrays that split ``range(n)`` into mini-batches (the last may be smaller)."""
    if batch_size <= 0:
        raise ValueError(f"minibatches: argument 'batch_size' must be > 0, got {batch_size}")
    order = rng.permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def train(
    model: torch.nn.Module,
    loss_fn,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    optimizer: torch.optim.Optimizer,
    epochs: int = 10,
    batch_size: int = 64,
    clip_norm: float | None = None,
    val_data: tuple[torch.Tensor, torch.Tensor] | None = None,
    seed: int = 0,
    progress: bool = True,
) -> History:
    """Train ``model`` with mini-batch gradient descent and return its :class:`History`.

    One step: ``loss = loss_fn(model(X[idx]), y[idx])``, backward, optionally
    rescale the gradients so their global norm is at most ``clip_norm``, then
    ``optimizer.step()``. Batches are reshuffled every epoch from a generator
    seeded with ``seed``, so two runs give the same numbers.

    Args:
        model: maps a batch ``X[idx]`` to predictions.
        loss_fn: ``loss_fn(predictions, targets) -> scalar tensor``.
        X, y: the training set; first dimension N indexes examples. Move them
            to the model's device first.
        clip_norm: maximum global gradient norm, or ``None`` for no clipping.
        val_data: optional ``(X_val, y_val)`` evaluated after every epoch.
    """
    if len(X) != len(y):
        raise ValueError(f"train: 'X' and 'y' must have the same first dimension, got {len(X)} and {len(y)}")
    if epochs <= 0:
        raise ValueError(f"train: argument 'epochs' must be > 0, got {epochs}")
    if clip_norm is not None and clip_norm <= 0:
        raise ValueError(f"train: argument 'clip_norm' must be > 0 or None, got {clip_norm}")
    rng = np.random.default_rng(seed)
    history = History()
    bar = progress_bar(range(epochs), desc="epochs", disable=not progress)
    for _ in bar:
        model.train()
        epoch_losses = []
        for idx in minibatches(len(X), batch_size, rng):
            idx = torch.as_tensor(idx, device=X.device)
            loss = loss_fn(model(X[idx]), y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if clip_norm is not None:
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)  # returns the norm before clipping
            else:
                norm = grad_norm(model.parameters())
            optimizer.step()
            history.loss.append(loss.item())
            history.grad_norm.append(float(norm))
            epoch_losses.append(loss.item())
        history.epoch_loss.append(float(np.mean(epoch_losses)))
        postfix = {"loss": f"{history.epoch_loss[-1]:.4f}"}
        if val_data is not None:
            model.eval()
            with torch.no_grad():
                history.val_loss.append(loss_fn(model(val_data[0]), val_data[1]).item())
            postfix["val"] = f"{history.val_loss[-1]:.4f}"
        bar.set_postfix(postfix)
    model.eval()
    return history
