"""Input validation shared by every helper.

Each check raises a ``ValueError`` that names the function, the argument, what
was expected and what was given, e.g.::

    affine_forward: argument 'w' must have shape (M, 5) = (?, 5), got (3, 4)
"""

from __future__ import annotations

import numpy as np


def _fmt_shape(shape) -> str:
    return "(" + ", ".join("?" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def check_array(fn: str, name: str, x, *, ndim: int | None = None, shape=None, floating: bool = True) -> np.ndarray:
    """Check that ``x`` is a numpy array of the expected rank, shape and dtype.

    ``shape`` may contain ``None`` for "any size". Returns ``x`` unchanged.
    """
    if not isinstance(x, np.ndarray):
        raise ValueError(f"{fn}: argument '{name}' must be a numpy array, got {type(x).__name__}")
    if shape is not None:
        ndim = len(shape)
    if ndim is not None and x.ndim != ndim:
        expected = f", shape {_fmt_shape(shape)}" if shape is not None else ""
        raise ValueError(f"{fn}: argument '{name}' must have {ndim} dimensions{expected}, got shape {x.shape}")
    if shape is not None and any(s is not None and s != g for s, g in zip(shape, x.shape)):
        raise ValueError(f"{fn}: argument '{name}' must have shape {_fmt_shape(shape)}, got {x.shape}")
    if floating and not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"{fn}: argument '{name}' must have a floating dtype (float32 or float64), got {x.dtype}")
    return x


def check_labels(fn: str, name: str, y, n: int, num_classes: int) -> np.ndarray:
    """Check integer class labels: shape (n,), integer dtype, values in [0, num_classes)."""
    if not isinstance(y, np.ndarray):
        raise ValueError(f"{fn}: argument '{name}' must be a numpy array, got {type(y).__name__}")
    if y.shape != (n,):
        raise ValueError(f"{fn}: argument '{name}' must have shape ({n},), got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{fn}: argument '{name}' must hold integer class labels, got dtype {y.dtype}")
    if n and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"{fn}: argument '{name}' must lie in [0, {num_classes}), got values in [{y.min()}, {y.max()}]"
        )
    return y


def check_int(fn: str, name: str, value, low: int = 0) -> int:
    """Check that ``value`` is an integer (Python or numpy, not bool) ``>= low``; return it as an int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{fn}: argument '{name}' must be an int >= {low}, got {value!r}")
    return int(value)


def check_positive(fn: str, name: str, value):
    """Check that a scalar is > 0."""
    if not value > 0:
        raise ValueError(f"{fn}: argument '{name}' must be > 0, got {value}")
    return value
