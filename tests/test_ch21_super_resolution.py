"""rh.block_average, decimate, downsample, interpolate, psnr and ssim against naive loops,
scikit-image, scipy and the formulas they implement."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import ndimage
from skimage.metrics import structural_similarity
from skimage.transform import resize

import rnn_helpers as rh

seeds = st.integers(0, 2**31 - 1)
factors = st.integers(1, 4)


def random_signal(seed, lead, dims, blocks, factor):
    """Signals of shape lead + (blocks * factor,) * dims."""
    return np.random.default_rng(seed).normal(size=tuple(lead) + (blocks * factor,) * dims)


@given(
    seed=seeds,
    factor=factors,
    dims=st.integers(1, 2),
    blocks=st.integers(1, 5),
    lead=st.lists(st.integers(1, 2), max_size=2),
)
def test_block_average_and_decimate_match_naive_loops(seed, factor, dims, blocks, lead):
    x = random_signal(seed, lead, dims, blocks, factor)
    mean, kept = rh.block_average(x, factor, dims), rh.decimate(x, factor, dims)
    assert mean.shape == kept.shape == tuple(lead) + (blocks,) * dims
    naive_mean, naive_kept = np.empty_like(mean), np.empty_like(kept)
    for index in np.ndindex(*lead):
        for t in np.ndindex(*(blocks,) * dims):
            block = x[index][tuple(slice(f * factor, (f + 1) * factor) for f in t)]
            naive_mean[index + t], naive_kept[index + t] = block.mean(), block[(0,) * dims]
    np.testing.assert_allclose(mean, naive_mean, atol=1e-12)
    np.testing.assert_array_equal(kept, naive_kept)
    np.testing.assert_allclose(mean.mean(), x.mean(), atol=1e-12)  # averaging keeps the mean


@given(seed=seeds, factor=st.integers(2, 5), blocks=st.integers(1, 6))
def test_decimate_offset_picks_the_right_sample(seed, factor, blocks):
    x = random_signal(seed, [2], 1, blocks, factor)
    for offset in range(factor):
        np.testing.assert_array_equal(rh.decimate(x, factor, offset=offset), x[:, offset::factor])


def test_downsample_is_seeded_and_validated():
    x = random_signal(0, [3], 1, 8, 4)
    exact = rh.downsample(x, 4)
    np.testing.assert_array_equal(exact, rh.block_average(x, 4))
    np.testing.assert_array_equal(rh.downsample(x, 4, "decimate"), x[:, ::4])
    a, b = rh.downsample(x, 4, noise=0.1, seed=5), rh.downsample(x, 4, noise=0.1, seed=5)
    np.testing.assert_array_equal(a, b)  # same seed, same noise
    assert not np.array_equal(a, rh.downsample(x, 4, noise=0.1, seed=6))
    rng = np.random.default_rng(5)  # a Generator is used as it is, and advanced
    np.testing.assert_array_equal(rh.downsample(x, 4, noise=0.1, seed=rng), a)
    assert not np.array_equal(rh.downsample(x, 4, noise=0.1, seed=rng), a)
    big = rh.downsample(np.zeros((200, 400)), 2, noise=0.3, seed=1)  # 40,000 noise samples
    assert abs(big.std() - 0.3) < 0.01 and abs(big.mean()) < 0.01


@pytest.mark.parametrize("kind", ["nearest", "linear", "cubic"])
@given(seed=seeds, factor=factors, side=st.integers(2, 6))
def test_interpolate_centre_grid_is_skimage_resize_and_ndimage_zoom(kind, seed, factor, side):
    order = {"nearest": 0, "linear": 1, "cubic": 3}[kind]
    rng = np.random.default_rng(seed)
    images = rng.uniform(size=(2, side, side + 1))
    ours = rh.interpolate(images, factor, kind, dims=2)
    shape = (factor * side, factor * (side + 1))
    for image, up in zip(images, ours, strict=True):
        ref = resize(image, shape, order=order, mode="edge", anti_aliasing=False, clip=False)
        np.testing.assert_allclose(up, ref, atol=1e-12)
    series = rng.normal(size=3 * side)
    zoomed = ndimage.zoom(series, factor, order=order, mode="nearest", grid_mode=True)
    np.testing.assert_allclose(rh.interpolate(series, factor, kind), zoomed, atol=1e-12)


@pytest.mark.parametrize("kind", ["nearest", "linear", "cubic"])
@given(seed=seeds, factor=factors, m=st.integers(2, 12))
def test_interpolate_passes_through_the_samples_and_keeps_constants(kind, seed, factor, m):
    y = np.random.default_rng(seed).normal(size=(3, m))
    start = rh.interpolate(y, factor, kind, grid="start")
    np.testing.assert_allclose(start[:, ::factor], y, atol=1e-10)  # sample t sits at t * S
    if factor % 2:  # odd S: block centres fall on high-resolution samples
        centre = rh.interpolate(y, factor, kind, grid="centre")
        np.testing.assert_allclose(centre[:, (factor - 1) // 2 :: factor], y, atol=1e-10)
    const = rh.interpolate(np.full((2, m, m), 0.7), factor, kind, dims=2)
    np.testing.assert_allclose(const, 0.7, atol=1e-12)


@given(seed=seeds, factor=factors, m=st.integers(2, 12))
def test_nearest_on_the_centre_grid_repeats_and_linear_on_the_start_grid_is_np_interp(seed, factor, m):
    y = np.random.default_rng(seed).normal(size=m)
    np.testing.assert_array_equal(rh.interpolate(y, factor, "nearest"), np.repeat(y, factor))
    i = np.arange(m * factor)
    np.testing.assert_allclose(
        rh.interpolate(y, factor, "linear", grid="start"), np.interp(i, factor * np.arange(m), y), atol=1e-12
    )
    centres = factor * np.arange(m) + (factor - 1) / 2
    np.testing.assert_allclose(rh.interpolate(y, factor, "linear"), np.interp(i, centres, y), atol=1e-12)


@given(seed=seeds, n=st.integers(1, 4), data_range=st.floats(0.5, 300.0))
def test_psnr_is_the_formula(seed, n, data_range):
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0, data_range, size=(n, 5, 6))
    estimate = truth + rng.normal(0, 0.05 * data_range, size=truth.shape)
    mse = ((truth - estimate) ** 2).mean(axis=(1, 2))
    expected = 10 * np.log10(data_range**2 / mse)
    np.testing.assert_allclose(rh.psnr(truth, estimate, data_range, per_example=True), expected, rtol=1e-12)
    whole = 10 * np.log10(data_range**2 / ((truth - estimate) ** 2).mean())
    assert np.isclose(rh.psnr(truth, estimate, data_range), whole, rtol=1e-12)
    with np.errstate(divide="ignore"):
        assert rh.psnr(truth, truth.copy(), data_range) == np.inf


def naive_ssim(a, b, data_range, win):
    """SSIM by the formula of Wang et al. (2004) with skimage's defaults, one window at a time:
    uniform windows, sample (co)variances, the mean over windows that fit inside the signal."""
    k1, k2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    values = []
    for corner in np.ndindex(*(n - win + 1 for n in a.shape)):
        box = tuple(slice(c, c + win) for c in corner)
        u, v = a[box].ravel(), b[box].ravel()
        cov = np.cov(u, v)  # sample (co)variances, ddof = 1
        num = (2 * u.mean() * v.mean() + k1) * (2 * cov[0, 1] + k2)
        den = (u.mean() ** 2 + v.mean() ** 2 + k1) * (cov[0, 0] + cov[1, 1] + k2)
        values.append(num / den)
    return np.mean(values)


@given(seed=seeds, win=st.sampled_from([3, 5, 7]), dims=st.integers(1, 2))
def test_ssim_is_the_formula_and_skimage(seed, win, dims):
    rng = np.random.default_rng(seed)
    shape = (win + 4,) * dims
    truth = rng.uniform(size=shape)
    estimate = np.clip(truth + rng.normal(0, 0.2, size=shape), 0, 1)
    ours = rh.ssim(truth, estimate, 1.0, win)
    assert np.isclose(ours, naive_ssim(truth, estimate, 1.0, win), atol=1e-10)
    assert np.isclose(ours, structural_similarity(truth, estimate, data_range=1.0, win_size=win), atol=1e-12)
    assert np.isclose(rh.ssim(truth, truth.copy(), 1.0, win), 1.0)  # a perfect estimate
    assert np.isclose(ours, rh.ssim(estimate, truth, 1.0, win))  # symmetric
    batch = np.stack([truth, estimate, 1 - truth])
    per = rh.ssim(batch, batch[::-1].copy(), 1.0, win, per_example=True)
    np.testing.assert_allclose(
        per, [naive_ssim(a, b, 1.0, win) for a, b in zip(batch, batch[::-1], strict=True)], atol=1e-10
    )


def test_errors_name_the_function_the_argument_and_what_was_given():
    x = np.zeros((2, 8))
    cases = [
        (lambda: rh.block_average(x, 0), "block_average: argument 'factor' must be an int >= 1, got 0"),
        (lambda: rh.block_average(x, 2.0), "block_average: argument 'factor' must be an int >= 1, got 2.0"),
        (lambda: rh.block_average(x, 3), "block_average: the last 1 axes of 'x' must be multiples of factor = 3"),
        (lambda: rh.block_average(x, 2, dims=3), "block_average: argument 'x' must have at least dims = 3"),
        (lambda: rh.block_average([1.0, 2.0], 2), "block_average: argument 'x' must be a numpy array, got list"),
        (lambda: rh.decimate(x, 4, offset=4), r"decimate: argument 'offset' must be an int in \[0, 4\), got 4"),
        (lambda: rh.downsample(x, 2, "median"), "downsample: argument 'method' must be one of"),
        (lambda: rh.downsample(x, 2, noise=-1.0), "downsample: argument 'noise' must be a finite number >= 0"),
        (lambda: rh.interpolate(x, 2, "quadratic"), "interpolate: argument 'kind' must be one of"),
        (lambda: rh.interpolate(x, 2, grid="middle"), "interpolate: argument 'grid' must be one of"),
        (lambda: rh.interpolate(x, 2, dims=0), "interpolate: argument 'dims' must be 1, 2 or 3, got 0"),
        (lambda: rh.psnr(x, np.zeros((2, 7)), 1.0), "psnr: arguments 'truth' and 'estimate' must have the same shape"),
        (lambda: rh.psnr(x, x, 0.0), "psnr: argument 'data_range' must be a finite number > 0, got 0.0"),
        (lambda: rh.ssim(x, x, 1.0, win_size=4), "ssim: argument 'win_size' must be an odd int >= 3"),
        (lambda: rh.ssim(x, x, 1.0, win_size=9, per_example=True), "smallest side 8, got 9"),
        (lambda: rh.ssim(x.astype(int), x, 1.0), "ssim: argument 'truth' must have a floating dtype"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()
