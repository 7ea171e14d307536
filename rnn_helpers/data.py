"""Data sets: shipped files in ``data/`` and seeded generators. Nothing is downloaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def data_dir() -> Path:
    """The folder that holds the book's shipped data.

    In an installed copy it is ``rnn_helpers/data`` (the wheel force-includes the
    repository's ``data/`` there); in a source checkout it is ``<repo>/data``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "data"):
        if (candidate / "README.md").is_file():
            return candidate
    raise FileNotFoundError(f"rnn_helpers: no data folder found in {here / 'data'} or {here.parent / 'data'}")


def train_test_split(n: int, test_fraction: float, seed: int = 0):
    """Seeded random split of ``range(n)`` into (train_idx, test_idx)."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"train_test_split: argument 'test_fraction' must be in (0, 1), got {test_fraction}")
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def load_digits(test_fraction: float = 0.25, seed: int = 0):
    """The UCI handwritten digits (1,797 images of 8x8 pixels, 10 classes).

    They come from scikit-learn's bundled copy, so nothing is downloaded.
    Pixels are scaled from 0..16 to [0, 1].

    Returns:
        X_train (N_train, 64) float64, y_train (N_train,) int64,
        X_test (N_test, 64) float64, y_test (N_test,) int64.
    """
    from sklearn.datasets import load_digits as _load

    bunch = _load()
    X = bunch.data.astype(np.float64) / 16.0  # (1797, 64)
    y = bunch.target.astype(np.int64)  # (1797,)
    tr, te = train_test_split(len(X), test_fraction, seed)
    return X[tr], y[tr], X[te], y[te]


def make_spirals(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int = 0):
    """Interleaved 2-D spirals, a classic problem that no linear model solves.

    Point i of class k lies at radius r = i / n_per_class and angle
    theta = 4 r + 2 pi k / n_classes, plus Gaussian noise of std ``noise`` on theta.

    Returns:
        X (n_classes * n_per_class, 2) float64 and y (same N,) int64.
    """
    if n_per_class <= 0 or n_classes <= 0:
        raise ValueError(f"make_spirals: 'n_per_class' and 'n_classes' must be > 0, got {n_per_class} and {n_classes}")
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.05, 1.0, n_per_class), n_classes)
    k = np.repeat(np.arange(n_classes), n_per_class)
    theta = 4.0 * r + 2 * np.pi * k / n_classes + rng.normal(0.0, noise, r.shape)
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return X, k.astype(np.int64)
