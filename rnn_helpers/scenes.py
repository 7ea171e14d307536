"""Seeded captioned scenes: two real handwritten digits on a small canvas, and what relates them.

A scene is a ``canvas x canvas`` grey image split into two cells, side by side
(a *horizontal* scene) or one above the other (a *vertical* scene). Each cell
holds one UCI digit image (:func:`rnn_helpers.data.load_digits`), either *large*
(its 8x8 pixels as scanned) or *small* (shrunk to 5x5 by linear interpolation
and placed at a random offset inside its cell). The captions say what is where:

    horizontal:  "a small 3 to the left of a large 7"   "a large 7 to the right of a small 3"
    vertical:    "a small 3 above a large 7"            "a large 7 below a small 3"

Every scene gets both phrasings as reference captions, in that order, so the
first reference always names the left (or top) digit first. Training scenes
use only the training images of ``load_digits()``'s fixed split and test
scenes only the held-out ones, so a test measures captions of handwriting the
model has never seen.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ._checks import check_int
from .data import load_digits

#: The two sizes a digit is drawn at, in label order (0 small, 1 large).
SIZES = ("small", "large")
#: The two layouts, in label order (0 horizontal, 1 vertical).
LAYOUTS = ("horizontal", "vertical")
#: Side of a small digit, in pixels (a large one keeps the scan's 8).
SMALL_SIDE = 5


class Scenes(NamedTuple):
    """The scenes of :func:`make_scenes` and how each was made."""

    images: np.ndarray  #: (n, canvas, canvas) float32 in [0, 1]
    digits: np.ndarray  #: (n, 2) int64, the digits (0-9), left/top first
    sizes: np.ndarray  #: (n, 2) int64, index into SIZES, left/top first
    layout: np.ndarray  #: (n,) int64, index into LAYOUTS
    image_ids: np.ndarray  #: (n, 2) int64, rows of the split's images
    offsets: np.ndarray  #: (n, 2, 2) int64, top-left (row, col) of each digit
    captions: list  #: n lists of reference captions (str), 2 per scene


def scene_captions(digits, sizes, layout) -> list[str]:
    """The reference captions of one scene, the left (or top) digit first in the first one.

    Args:
        digits: the two digits (0-9), left/top first.
        sizes: their sizes, indices into ``SIZES``.
        layout: index into ``LAYOUTS``.

    Returns:
        two captions (lower-case words separated by single spaces).
    """
    a, b = (f"a {SIZES[s]} {d}" for d, s in zip(digits, sizes))
    if LAYOUTS[layout] == "horizontal":
        return [f"{a} to the left of {b}", f"{b} to the right of {a}"]
    return [f"{a} above {b}", f"{b} below {a}"]


def shrink(image: np.ndarray, side: int = SMALL_SIDE) -> np.ndarray:
    """Resize a square image to ``side x side`` by linear interpolation (pixel centres aligned).

    Args:
        image: (s, s) float array.
        side: the new side, >= 2.

    Returns:
        (side, side) float array; corner pixels are kept, values stay in the input's range.
    """
    s = image.shape[0]
    u = np.linspace(0.0, s - 1.0, side)  # where the new pixel centres fall
    lo = np.minimum(np.floor(u).astype(int), s - 2)
    w = u - lo  # (side,) weight of the upper neighbour
    rows = image[lo] * (1 - w)[:, None] + image[lo + 1] * w[:, None]  # (side, s)
    return rows[:, lo] * (1 - w) + rows[:, lo + 1] * w  # (side, side)


@lru_cache(maxsize=None)
def _split(split: str):
    X_train, y_train, X_test, y_test = load_digits()
    X, y = (X_train, y_train) if split == "train" else (X_test, y_test)
    return X.reshape(-1, 8, 8), y


def _check(n, canvas, split, seed, p_large):
    fn = "make_scenes"
    for name, value, low in [("n", n, 1), ("canvas", canvas, 16), ("seed", seed, 0)]:
        check_int(fn, name, value, low)
    if canvas % 2:
        raise ValueError(f"{fn}: argument 'canvas' must be even (two equal cells), got {canvas}")
    if split not in ("train", "test"):
        raise ValueError(f"{fn}: argument 'split' must be 'train' or 'test', got {split!r}")
    if not 0.0 <= p_large <= 1.0:
        raise ValueError(f"{fn}: argument 'p_large' must lie in [0, 1], got {p_large!r}")


def make_scenes(n: int, canvas: int = 16, split: str = "train", p_large: float = 0.5, seed: int = 0) -> Scenes:
    """Seeded scenes of two real digits with reference captions of their sizes and relation.

    For scene :math:`k` the generator draws, independently and uniformly, the
    layout (horizontal or vertical), two digit images from the split (their
    classes are the digits named), and for each digit its size (large with
    probability ``p_large``). The first digit lies in the left (top) half of
    the canvas, the second in the right (bottom) half. A digit of side
    :math:`s` sits at a uniform offset in :math:`\\{0, \\dots, P/2 - s\\}`
    inside its half, across the dividing line, and centred along it give or
    take one pixel (a uniform shift of -1, 0 or +1).

    Args:
        n: number of scenes.
        canvas: side of the square canvas in pixels (the book's P), even, >= 16.
        split: ``"train"`` or ``"test"``: which part of ``rh.load_digits()``'s
            fixed split the digit images come from.
        p_large: probability that a digit is drawn large.
        seed: seed of the generator.

    Returns:
        :class:`Scenes` with ``images`` (n, canvas, canvas) float32, ``digits``,
        ``sizes`` (n, 2), ``layout`` (n,), ``image_ids`` (n, 2), ``offsets``
        (n, 2, 2) (all int64) and ``captions`` (n lists of 2 strings).
    """
    _check(n, canvas, split, seed, p_large)
    X, y = _split(split)
    rng = np.random.default_rng(seed)
    layout = rng.integers(0, 2, n)  # (n,)
    ids = rng.integers(0, len(X), (n, 2))  # (n, 2)
    sizes = (rng.random((n, 2)) < p_large).astype(np.int64)  # (n, 2)
    u = rng.random((n, 2, 2))  # (n, digit, axis) uniform draws for the offsets
    half = canvas // 2
    images = np.zeros((n, canvas, canvas), dtype=np.float32)
    offsets = np.zeros((n, 2, 2), dtype=np.int64)
    for k in range(n):
        for j in range(2):
            img = X[ids[k, j]] if sizes[k, j] else shrink(X[ids[k, j]])
            s = img.shape[0]
            # the cell: (rows, cols) of side half across the split, canvas along it
            along = (canvas - s) // 2  # centred along the split's axis ...
            across = j * half + int(u[k, j, 0] * (half - s + 1))  # ... random across
            jitter = int(u[k, j, 1] * 3) - 1 if canvas - s >= 2 else 0  # and -1, 0, +1
            pos = (along + jitter, across) if layout[k] == 0 else (across, along + jitter)
            offsets[k, j] = pos
            images[k, pos[0] : pos[0] + s, pos[1] : pos[1] + s] = img
    digits = y[ids].astype(np.int64)
    captions = [scene_captions(digits[k], sizes[k], layout[k]) for k in range(n)]
    return Scenes(images, digits, sizes, layout.astype(np.int64), ids.astype(np.int64), offsets, captions)
