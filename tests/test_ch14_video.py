"""rh.make_moving_digits: shapes, seeded determinism, the clips against a naive np.roll renderer,
the time-reversed twins (and the frame-averaging invariance they give), and the error messages."""

import numpy as np
import pytest
import torch
from checks import seeds
from hypothesis import given
from hypothesis import strategies as st

import rnn_helpers as rh
from rnn_helpers.video import DIRECTIONS, make_moving_digits, render_clips

canvases = st.integers(min_value=8, max_value=20)
frames = st.integers(min_value=2, max_value=10)
halves = st.integers(min_value=1, max_value=6)  # n = 2 * halves clips


def naive_clip(image, start, velocity, T, canvas):
    """One clip, frame by frame: the sprite at the top-left corner, rolled to its position."""
    base = np.zeros((canvas, canvas), dtype=np.float32)
    base[: image.shape[0], : image.shape[1]] = image
    return np.stack([np.roll(base, tuple(start + t * velocity), axis=(0, 1)) for t in range(T)])


@given(half=halves, T=frames, canvas=canvases, seed=seeds, split=st.sampled_from(["train", "test"]))
def test_shapes_dtypes_and_ranges(half, T, canvas, seed, split):
    n = 2 * half
    d = make_moving_digits(n, T, canvas, speed=[1, 2, 3], split=split, seed=seed)
    assert d.clips.shape == (n, T, canvas, canvas) and d.clips.dtype == np.float32
    assert d.labels.shape == d.digits.shape == (n,) and d.positions.shape == (n, T, 2) and d.velocity.shape == (n, 2)
    assert all(a.dtype == np.int64 for a in (d.labels, d.digits, d.positions, d.velocity))
    assert 0 <= d.clips.min() and d.clips.max() <= 1 and d.labels.max() < len(d.classes)
    assert ((0 <= d.positions) & (d.positions < canvas)).all() and ((0 <= d.digits) & (d.digits < 10)).all()


@given(seed=seeds)
def test_same_seed_same_clips_other_seed_other_clips(seed):
    a, b = make_moving_digits(6, seed=seed), make_moving_digits(6, seed=seed)
    c = make_moving_digits(6, seed=seed + 1)
    for x, y in zip(a[:-1], b[:-1]):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.clips, c.clips)


@given(half=halves, T=frames, canvas=canvases, seed=seeds, pairs=st.booleans())
def test_clips_match_a_naive_renderer_and_the_labels_match_the_motion(half, T, canvas, seed, pairs):
    speeds = [v for v in (1, 2, 3) if 2 * v < canvas]
    classes = tuple(DIRECTIONS)
    d = make_moving_digits(2 * half, T, canvas, classes=classes, speed=speeds, pairs=pairs, seed=seed)
    X_train, y_train, _, _ = rh.load_digits()
    for k in range(len(d.labels)):
        unit = np.array(DIRECTIONS[classes[d.labels[k]]])
        speed = np.abs(d.velocity[k]).max()
        assert speed in speeds and (d.velocity[k] == speed * unit).all()
        # the sprite seen in frame 0 is a training image of the stated digit
        sprite = np.roll(d.clips[k, 0], tuple(-d.positions[k, 0]), axis=(0, 1))[:8, :8]
        match = np.flatnonzero(np.abs(X_train - sprite.reshape(64)).max(1) < 1e-6)
        assert match.size and (y_train[match] == d.digits[k]).any()
        np.testing.assert_array_equal(d.clips[k], naive_clip(sprite, d.positions[k, 0], d.velocity[k], T, canvas))
        np.testing.assert_array_equal(
            d.positions[k], (d.positions[k, 0] + np.outer(np.arange(T), d.velocity[k])) % canvas
        )


@given(seed=seeds)
def test_test_split_draws_only_held_out_digit_images(seed):
    d = make_moving_digits(10, split="test", seed=seed)
    X_test = rh.load_digits()[2]
    for k in range(10):
        sprite = np.roll(d.clips[k, 0], tuple(-d.positions[k, 0]), axis=(0, 1))[:8, :8].reshape(64)
        assert (np.abs(X_test - sprite).max(1) < 1e-6).any()


@given(half=halves, T=frames, seed=seeds)
def test_twins_are_time_reversed_with_opposite_labels(half, T, seed):
    d = make_moving_digits(2 * half, T, 16, classes=tuple(DIRECTIONS), speed=[1, 2], seed=seed)
    np.testing.assert_array_equal(d.clips[1::2], d.clips[0::2][:, ::-1])
    opposite = {name: next(k for k, v in DIRECTIONS.items() if v == (-u[0], -u[1])) for name, u in DIRECTIONS.items()}
    assert [d.classes[b] for b in d.labels[1::2]] == [opposite[d.classes[a]] for a in d.labels[0::2]]
    np.testing.assert_array_equal(d.digits[1::2], d.digits[0::2])


@given(half=halves, T=frames, seed=seeds)
def test_frame_averages_of_twins_are_equal_but_their_labels_are_not(half, T, seed):
    """The invariance chapter 14 relies on: any function of the set of frames cannot tell twins apart."""
    d = make_moving_digits(2 * half, T, 16, seed=seed)
    # the mean frame is exact: pixels are multiples of 1/16, so the order of summation does not matter
    mean = d.clips.astype(np.float64).mean(1)
    np.testing.assert_array_equal(mean[0::2], mean[1::2])
    assert (d.labels[0::2] != d.labels[1::2]).all()
    # the mean of per-frame features of a random convolution: equal up to round-off
    torch.manual_seed(seed % 2**16)
    conv = torch.nn.Conv2d(1, 3, 5, stride=2, padding=2, padding_mode="circular").double()
    x = torch.tensor(d.clips, dtype=torch.float64).reshape(-1, 1, 16, 16)
    feats = torch.relu(conv(x)).reshape(2 * half, T, -1).mean(1).detach().numpy()
    np.testing.assert_allclose(feats[0::2], feats[1::2], rtol=0, atol=1e-12)


def test_single_frames_are_uniform_over_positions_whatever_the_direction():
    """On a torus every position is equally likely in every frame: the last frame's position says nothing."""
    d = make_moving_digits(4000, 8, 8, seed=0)
    for label in range(4):
        last = d.positions[d.labels == label, -1]
        counts = np.bincount(last[:, 0] * 8 + last[:, 1], minlength=64)
        expected = len(last) / 64
        chi2 = ((counts - expected) ** 2 / expected).sum()
        assert chi2 < 120  # 63 degrees of freedom: P(chi2 > 120) < 1e-4


def test_without_pairs_odd_n_and_one_class_work():
    d = make_moving_digits(3, classes=("up",), pairs=False, seed=1)
    assert d.clips.shape == (3, 8, 16, 16) and (d.labels == 0).all() and (d.velocity == [-1, 0]).all()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n=0), "argument 'n' must be an int >= 1, got 0"),
        (dict(n=2.0), "argument 'n' must be an int >= 1, got 2.0"),
        (dict(n=3), "argument 'n' must be even when pairs=True"),
        (dict(n=2, T=1), "argument 'T' must be an int >= 2, got 1"),
        (dict(n=2, canvas=7), "argument 'canvas' must be an int >= 8, got 7"),
        (dict(n=2, seed=-1), "argument 'seed' must be an int >= 0, got -1"),
        (dict(n=2, classes="right"), "argument 'classes' must be a non-empty sequence"),
        (dict(n=2, classes=("right", "north")), "argument 'classes' must hold distinct names"),
        (dict(n=2, classes=("right", "right")), "argument 'classes' must hold distinct names"),
        (dict(n=2, classes=("right", "up")), "missing the opposites of ['right', 'up']"),
        (dict(n=2, speed=0), "argument 'speed' must be an int (or a list of ints) in [1, canvas / 2) = [1, 8)"),
        (dict(n=2, speed=8), "argument 'speed' must be an int"),
        (dict(n=2, speed=[1, 1.5]), "argument 'speed' must be an int"),
        (dict(n=2, speed=True), "argument 'speed' must be an int"),
        (dict(n=2, split="val"), "argument 'split' must be 'train' or 'test', got 'val'"),
    ],
)
def test_errors_name_the_argument_and_what_was_expected(kwargs, message):
    with pytest.raises(ValueError, match="make_moving_digits: ") as err:
        make_moving_digits(**kwargs)
    assert message in str(err.value)


def test_render_clips_checks_its_inputs():
    img = np.ones((2, 8, 8))
    ok = np.zeros((2, 2), dtype=np.int64)
    assert render_clips(img, ok, ok, 3, 8).shape == (2, 3, 8, 8)
    with pytest.raises(ValueError, match="render_clips: argument 'images' must be square sprites no larger"):
        render_clips(img, ok, ok, 3, 7)
    with pytest.raises(ValueError, match="render_clips: argument 'start' must have shape"):
        render_clips(img, np.zeros((3, 2), dtype=np.int64), ok, 3, 8)
    with pytest.raises(ValueError, match="render_clips: argument 'velocity' must hold integers"):
        render_clips(img, ok, np.zeros((2, 2)), 3, 8)
    with pytest.raises(ValueError, match="render_clips: argument 'T' must be > 0"):
        render_clips(img, ok, ok, 0, 8)
