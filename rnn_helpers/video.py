"""Moving-digit clips: short videos of real handwritten digits sliding across a canvas.

A clip is a stack of ``T`` grey-scale frames of ``canvas x canvas`` pixels. One
8x8 digit from the UCI handwritten digits (:func:`rnn_helpers.data.load_digits`)
moves across the canvas at a constant velocity, one step of ``speed`` pixels
per frame in one of eight compass directions. The canvas is a torus: what
leaves on one side comes back on the other, so every position is equally
likely in every frame and one frame alone says nothing about the direction.
The label of a clip is its direction.

With ``pairs=True`` (the default) the clips come in time-reversed twins: clip
``2k + 1`` is clip ``2k`` played backwards, which is a clip of the same digit
moving the opposite way. The twins hold the same frames in reverse order, so
anything computed from the set of frames is the same for both (the mean
frame exactly, the mean of per-frame features up to round-off), while their
labels differ. Chapter
14 uses this to show that classifying these clips needs the order of frames.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ._checks import check_array, check_int, check_positive
from .data import load_digits

#: The directions a digit can move in, as (rows, columns) per unit of speed.
#: Rows grow downwards, as in an image.
DIRECTIONS = {
    "right": (0, 1),
    "left": (0, -1),
    "down": (1, 0),
    "up": (-1, 0),
    "down-right": (1, 1),
    "up-left": (-1, -1),
    "down-left": (1, -1),
    "up-right": (-1, 1),
}

#: The size of the digits' images, in pixels (the UCI digits are 8x8).
DIGIT_SIZE = 8


class MovingDigits(NamedTuple):
    """The clips of :func:`make_moving_digits` and how each was made."""

    clips: np.ndarray  #: (n, T, canvas, canvas) float32 in [0, 1]
    labels: np.ndarray  #: (n,) int64, index into ``classes``
    digits: np.ndarray  #: (n,) int64, the digit shown (0-9)
    positions: np.ndarray  #: (n, T, 2) int64, top-left (row, column) of the digit
    velocity: np.ndarray  #: (n, 2) int64, pixels per frame (rows, columns)
    classes: tuple  #: the direction names, in label order


def _opposite(name: str) -> str:
    dr, dc = DIRECTIONS[name]
    return next(k for k, v in DIRECTIONS.items() if v == (-dr, -dc))


def render_clips(images: np.ndarray, start: np.ndarray, velocity: np.ndarray, T: int, canvas: int) -> np.ndarray:
    """Draw each image at ``start + t * velocity`` (modulo ``canvas``) in frames ``t = 0..T-1``.

    Args:
        images: (n, s, s) float array, the sprites, with ``s <= canvas``.
        start: (n, 2) integer array, top-left (row, column) in frame 0.
        velocity: (n, 2) integer array, pixels per frame (rows, columns).
        T: number of frames.
        canvas: side of the square canvas, in pixels.

    Returns:
        (n, T, canvas, canvas) float32 clips.
    """
    fn = "render_clips"
    check_array(fn, "images", images, ndim=3)
    n, s = len(images), images.shape[-1]
    if images.shape[1] != s or not 1 <= s <= canvas:
        raise ValueError(
            f"{fn}: argument 'images' must be square sprites no larger than canvas = {canvas}, got shape {images.shape}"
        )
    for name, v in [("start", start), ("velocity", velocity)]:
        check_array(fn, name, v, shape=(n, 2), floating=False)
        if not np.issubdtype(v.dtype, np.integer):
            raise ValueError(f"{fn}: argument '{name}' must hold integers (pixels), got dtype {v.dtype}")
    check_positive(fn, "T", T)
    t = np.arange(T)
    pos = (start[:, None, :] + t[None, :, None] * velocity[:, None, :]) % canvas  # (n, T, 2)
    rows = (pos[:, :, 0, None] + np.arange(s)) % canvas  # (n, T, s)
    cols = (pos[:, :, 1, None] + np.arange(s)) % canvas  # (n, T, s)
    clips = np.zeros((n, T, canvas, canvas), dtype=np.float32)
    i = np.arange(n)[:, None, None, None]  # (n, 1, 1, 1)
    # s <= canvas, so a sprite's rows (and columns) are distinct modulo canvas
    clips[i, t[None, :, None, None], rows[:, :, :, None], cols[:, :, None, :]] = images[:, None]
    return clips


@lru_cache(maxsize=None)
def _digits(split: str):
    """The images (N, 64) and labels (N,) of one part of ``load_digits()``'s fixed split."""
    X_train, y_train, X_test, y_test = load_digits()
    return (X_train, y_train) if split == "train" else (X_test, y_test)


def _check_args(n, T, canvas, classes, speed, split, pairs, seed):
    fn = "make_moving_digits"
    for name, value, low in [("n", n, 1), ("T", T, 2), ("canvas", canvas, DIGIT_SIZE), ("seed", seed, 0)]:
        check_int(fn, name, value, low)
    if isinstance(classes, str) or not classes:
        raise ValueError(f"{fn}: argument 'classes' must be a non-empty sequence of direction names, got {classes!r}")
    unknown = [c for c in classes if c not in DIRECTIONS]
    if unknown or len(set(classes)) != len(classes):
        raise ValueError(
            f"{fn}: argument 'classes' must hold distinct names from {list(DIRECTIONS)}, got {list(classes)}"
        )

    def is_int(v):
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

    speeds = [speed] if is_int(speed) else list(speed) if isinstance(speed, (list, tuple)) else []
    # on a torus of side canvas, velocities v and -v look alike when 2 v = canvas
    if not speeds or not all(is_int(v) and 1 <= v and 2 * v < canvas for v in speeds):
        raise ValueError(
            f"{fn}: argument 'speed' must be an int (or a list of ints) in [1, canvas / 2) = [1, {canvas / 2:g}), "
            f"got {speed!r}"
        )
    if split not in ("train", "test"):
        raise ValueError(f"{fn}: argument 'split' must be 'train' or 'test', got {split!r}")
    if pairs:
        if n % 2:
            raise ValueError(f"{fn}: argument 'n' must be even when pairs=True (clips come in twins), got {n}")
        missing = [c for c in classes if _opposite(c) not in classes]
        if missing:
            raise ValueError(
                f"{fn}: with pairs=True argument 'classes' must hold each direction's opposite; "
                f"missing the opposites of {missing}"
            )
    return speeds


def make_moving_digits(
    n: int,
    T: int = 8,
    canvas: int = 16,
    classes=("right", "left", "down", "up"),
    speed=1,
    split: str = "train",
    pairs: bool = True,
    seed: int = 0,
) -> MovingDigits:
    """Seeded clips of one real handwritten digit moving at constant velocity on a torus.

    Clip :math:`k` shows digit image :math:`X_k` (8x8, from the UCI digits) with its
    top-left corner at

    .. math::
        p_t = (p_0 + t\\, v) \\bmod \\text{canvas}, \\qquad t = 0, \\dots, T - 1,

    (counting frames from 0; the book counts from 1 and writes the start
    :math:`p_1`), where :math:`p_0` is uniform over the canvas,
    :math:`v = \\text{speed} \\cdot u`
    and :math:`u` is the unit step of the clip's direction (``DIRECTIONS``), and
    the label is the index of that direction in ``classes``. Without ``pairs``,
    directions are drawn uniformly; with ``pairs``, clip :math:`2k + 1` is clip
    :math:`2k` reversed in time (start :math:`p_{T-1}`, velocity :math:`-v`), so
    the two hold the same frames in opposite order and carry opposite labels.

    Args:
        n: number of clips (even when ``pairs``).
        T: frames per clip, at least 2.
        canvas: side of the square canvas in pixels (the book's P), at least 8.
        classes: direction names from ``DIRECTIONS``, in label order; with
            ``pairs`` each name's opposite must be among them.
        speed: pixels per frame, an int >= 1, or a sequence of them to draw from
            uniformly, one per clip (a twin keeps its clip's speed).
        split: ``"train"`` or ``"test"``: which part of ``rh.load_digits()``'s
            fixed split the digit images come from, so test clips show digits
            never seen in training.
        pairs: emit time-reversed twins (see above).
        seed: seed of the generator (digits, directions, speeds, start positions).

    Returns:
        :class:`MovingDigits` with ``clips`` (n, T, canvas, canvas) float32 in
        [0, 1], ``labels`` (n,), ``digits`` (n,), ``positions`` (n, T, 2),
        ``velocity`` (n, 2) (all int64) and ``classes``.
    """
    speeds = _check_args(n, T, canvas, classes, speed, split, pairs, seed)
    X, y = _digits(split)
    rng = np.random.default_rng(seed)
    classes = tuple(classes)
    m = n // 2 if pairs else n  # clips drawn; their twins are derived
    if pairs:  # draw only one direction of each opposite pair, its twin gets the other
        firsts = [c for c in classes if classes.index(_opposite(c)) >= classes.index(c)]
    else:
        firsts = list(classes)
    idx = rng.integers(0, len(X), m)  # which digit image
    label = np.array([classes.index(firsts[k]) for k in rng.integers(0, len(firsts), m)], dtype=np.int64)
    step = np.array([speeds[k] for k in rng.integers(0, len(speeds), m)], dtype=np.int64)
    unit = np.array([DIRECTIONS[classes[k]] for k in label], dtype=np.int64).reshape(m, 2)
    velocity = unit * step[:, None]  # (m, 2)
    start = rng.integers(0, canvas, (m, 2))  # (m, 2)
    if pairs:
        flip = rng.random(m) < 0.5  # which twin of a pair comes first
        end = (start + (T - 1) * velocity) % canvas  # the twin starts where the clip ends
        twin_label = np.array([classes.index(_opposite(classes[k])) for k in label], dtype=np.int64)
        f2 = flip[:, None]
        first = (np.where(f2, end, start), np.where(f2, -velocity, velocity), np.where(flip, twin_label, label))
        second = (np.where(f2, start, end), -first[1], np.where(flip, label, twin_label))
        start, velocity = (np.stack([a, b], 1).reshape(n, 2) for a, b in zip(first[:2], second[:2]))
        label = np.stack([first[2], second[2]], 1).reshape(n)  # clip 2k, then its twin 2k + 1
        idx = np.repeat(idx, 2)
    images = X[idx].reshape(n, DIGIT_SIZE, DIGIT_SIZE)
    clips = render_clips(images, start, velocity, T, canvas)  # (n, T, canvas, canvas)
    positions = (start[:, None, :] + np.arange(T)[None, :, None] * velocity[:, None, :]) % canvas
    return MovingDigits(clips, label, y[idx].astype(np.int64), positions.astype(np.int64), velocity, classes)
