"""Plot helpers: loss curves and 2-D decision boundaries."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from ._checks import check_array


def smooth(values, window: int = 20) -> np.ndarray:
    """Moving average over ``window`` points (shorter at the start), for noisy per-step losses."""
    v = np.asarray(values, dtype=float)
    if window <= 1 or len(v) == 0:
        return v
    c = np.cumsum(np.insert(v, 0, 0.0))  # c[i] = sum of the first i values
    end = np.arange(1, len(v) + 1)  # point i averages values [start, end)
    start = np.maximum(0, end - window)
    return (c[end] - c[start]) / (end - start)


def plot_loss(
    curves,
    ax=None,
    *,
    xlabel: str = "step",
    ylabel: str = "loss",
    title: str | None = None,
    log: bool = False,
    window: int = 1,
):
    """Plot one or several loss curves.

    Args:
        curves: a list of numbers, or a dict ``{label: list of numbers}``.
        window: moving-average window; the raw curve is drawn faintly behind.
    """
    if ax is None:
        _, ax = plt.subplots()
    if not isinstance(curves, dict):
        curves = {None: curves}
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if window > 1:
            line = ax.plot(values, alpha=0.25)[0]
            ax.plot(smooth(values, window), color=line.get_color(), label=label)
        else:
            ax.plot(values, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if any(label is not None for label in curves):
        ax.legend()
    return ax


def plot_decision_boundary(
    predict,
    X: np.ndarray,
    y: np.ndarray,
    ax=None,
    *,
    resolution: int = 200,
    padding: float = 0.5,
    title: str | None = None,
):
    """Colour the plane by the class ``predict`` assigns, and scatter the data on top.

    Args:
        predict: maps an (N, 2) float array to N integer class labels.
        X: points, shape (N, 2).
        y: their integer labels, shape (N,).
    """
    check_array("plot_decision_boundary", "X", X, shape=(None, 2))
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    (x0, y0), (x1, y1) = X.min(axis=0) - padding, X.max(axis=0) + padding
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    zz = np.asarray(predict(grid)).reshape(gx.shape)
    classes = np.unique(y)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    cmap = ListedColormap([colors[i % len(colors)] for i in range(int(classes.max()) + 1)])
    ax.contourf(gx, gy, zz, levels=np.arange(classes.max() + 2) - 0.5, cmap=cmap, alpha=0.25)
    for c in classes:
        ax.scatter(*X[y == c].T, s=12, color=cmap(int(c)), edgecolor="white", linewidth=0.3, label=f"class {c}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8)
    if title:
        ax.set_title(title)
    return ax
