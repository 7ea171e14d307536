"""rh.denoise: seeded corruptions checked statistically, SNR against scikit-image, filters against naive loops."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from skimage.metrics import peak_signal_noise_ratio

import rnn_helpers as rh

seeds = st.integers(0, 2**31 - 1)
shapes = st.tuples(st.integers(1, 4), st.integers(5, 40))


# ---- SNR ---------------------------------------------------------------------------------


@given(seed=seeds, shape=shapes)
def test_snr_is_the_direct_formula_and_psnr_with_the_rms_as_range(seed, shape):
    rng = np.random.default_rng(seed)
    clean = rng.normal(size=shape) + 0.5
    estimate = clean + 0.3 * rng.normal(size=shape)
    direct = 10 * np.log10((clean**2).sum() / ((estimate - clean) ** 2).sum())
    assert rh.snr_db(clean, estimate) == pytest.approx(direct, rel=1e-12)
    # PSNR = 10 log10(range^2 / MSE); with range = rms(clean) it is the SNR
    rms = np.sqrt((clean**2).mean())
    assert rh.snr_db(clean, estimate) == pytest.approx(
        peak_signal_noise_ratio(clean, estimate, data_range=rms), rel=1e-10
    )
    per_row = rh.snr_db(clean, estimate, axis=-1)
    assert per_row.shape == shape[:1]
    for n in range(shape[0]):
        expected = 10 * np.log10((clean[n] ** 2).sum() / ((estimate[n] - clean[n]) ** 2).sum())
        assert per_row[n] == pytest.approx(expected, rel=1e-12)


def test_snr_gain_does_not_depend_on_the_signal_power():
    rng = np.random.default_rng(0)
    clean, noisy = rng.normal(size=200), rng.normal(size=200)
    estimate = 0.5 * (clean + noisy)
    gain = rh.snr_db(clean, estimate) - rh.snr_db(clean, noisy)
    assert gain == pytest.approx(10 * np.log10(((noisy - clean) ** 2).sum() / ((estimate - clean) ** 2).sum()))
    assert rh.snr_db(clean, clean) == np.inf


# ---- corruptions: determinism and statistics ---------------------------------------------


def corruptions(seed):
    x = np.linspace(-1, 1, 3 * 500).reshape(3, 500)
    return {
        "gauss": lambda s: rh.add_gaussian_noise(x, 0.3, seed=s),
        "dropouts": lambda s: rh.add_dropouts(x, 0.2, 5.0, fill=-7.0, seed=s),
        "spikes": lambda s: rh.add_spikes(x, 0.1, 4.0, seed=s),
    }


@pytest.mark.parametrize("kind", ["gauss", "dropouts", "spikes"])
def test_corruptions_are_seeded(kind):
    make = corruptions(0)[kind]
    first, again, other = make(3), make(3), make(4)
    flat = lambda r: r if isinstance(r, np.ndarray) else np.concatenate([a.ravel().astype(float) for a in r])
    assert np.array_equal(flat(first), flat(again))
    assert not np.array_equal(flat(first), flat(other))
    rng = np.random.default_rng(3)  # a Generator is used as it is, and advanced
    assert np.array_equal(flat(make(rng)), flat(first))
    assert not np.array_equal(flat(make(rng)), flat(first))


@given(seed=seeds, sd=st.floats(0.01, 5.0))
def test_gaussian_noise_has_the_requested_sd(seed, sd):
    x = np.zeros((4, 5000))
    noise = rh.add_gaussian_noise(x, sd, seed=seed) - x
    # sample sd of 20,000 normals: relative standard error 1 / sqrt(2 n) = 0.5 %
    assert abs(noise.std() / sd - 1) < 0.03
    assert abs(noise.mean()) < 5 * sd / np.sqrt(noise.size)


def test_gaussian_noise_per_sequence_levels_and_dtype():
    x = np.ones((3, 20000), dtype=np.float32)
    sd = np.array([[0.1], [1.0], [3.0]])
    noisy = rh.add_gaussian_noise(x, sd, seed=1)
    assert noisy.dtype == np.float32 and noisy.shape == x.shape
    np.testing.assert_allclose((noisy - x).std(1), sd[:, 0], rtol=0.03)
    assert np.array_equal(rh.add_gaussian_noise(x, 0.0, seed=1), x)


@given(seed=seeds, rate=st.floats(0.02, 0.4), mean_length=st.floats(1.0, 8.0))
def test_dropouts_have_the_requested_fraction_and_run_length(seed, rate, mean_length):
    rate = min(rate, mean_length / (1 + mean_length))
    x = np.random.default_rng(seed).normal(size=(200, 400))
    out, dropped = rh.add_dropouts(x, rate, mean_length, fill=9.0, seed=seed)
    assert dropped.dtype == bool and out.shape == x.shape
    assert (out[dropped] == 9.0).all() and np.array_equal(out[~dropped], x[~dropped])
    # runs make the samples dependent; the sd of the fraction is about
    # sqrt(rate (1 - rate) * (1 + 2 mean_length) / n): allow 6 of those
    n = dropped.size
    tol = 6 * np.sqrt(rate * (1 - rate) * (1 + 2 * mean_length) / n)
    assert abs(dropped.mean() - rate) < tol
    assert abs(dropped[:, 0].mean() - rate) < 6 * np.sqrt(rate / 200) + 0.02  # stationary start
    # mean length of the runs that start and end inside the sequence
    d = np.pad(dropped, ((0, 0), (1, 1))).astype(int)
    starts, ends = np.nonzero(np.diff(d) == 1), np.nonzero(np.diff(d) == -1)
    lengths = ends[1] - starts[1]
    inner = (starts[1] > 0) & (ends[1] < x.shape[1])
    assert abs(lengths[inner].mean() / mean_length - 1) < 0.15


@given(seed=seeds, rate=st.floats(0.01, 0.5), amplitude=st.floats(0.5, 10.0))
def test_spikes_have_the_requested_fraction_and_height(seed, rate, amplitude):
    x = np.random.default_rng(seed).normal(size=(100, 300))
    out, spiked = rh.add_spikes(x, rate, amplitude, seed=seed)
    n = spiked.size
    assert abs(spiked.mean() - rate) < 6 * np.sqrt(rate * (1 - rate) / n)
    np.testing.assert_allclose(np.abs(out - x)[spiked], amplitude)
    assert np.array_equal(out[~spiked], x[~spiked])
    up = (out - x)[spiked] > 0  # the signs are fair coins
    assert abs(up.mean() - 0.5) < 6 * np.sqrt(0.25 / spiked.sum())


# ---- filters against naive references -----------------------------------------------------


@given(seed=seeds, T=st.integers(1, 30), half=st.integers(0, 6))
def test_moving_average_is_the_naive_loop_with_repeated_ends(seed, T, half):
    x = np.random.default_rng(seed).normal(size=(2, T))
    padded = np.concatenate([np.repeat(x[:, :1], half, 1), x, np.repeat(x[:, -1:], half, 1)], 1)
    naive = np.stack([[padded[n, t : t + 2 * half + 1].mean() for t in range(T)] for n in range(2)])
    np.testing.assert_allclose(rh.moving_average(x, 2 * half + 1), naive, atol=1e-12)


@given(seed=seeds, half=st.integers(1, 6), order=st.integers(0, 4), extra=st.integers(0, 10))
def test_savgol_is_a_local_polynomial_fit(seed, half, order, extra):
    width = 2 * half + 1
    order = min(order, width - 1)
    T = width + extra
    x = np.random.default_rng(seed).normal(size=T)
    out = rh.savgol(x, width, order)
    u = np.arange(-half, half + 1)
    for t in range(half, T - half):  # interior: the centre value of the fit
        coef = np.polyfit(u, x[t - half : t + half + 1], order)
        assert out[t] == pytest.approx(np.polyval(coef, 0), abs=1e-8)
    first = np.polyfit(np.arange(width), x[:width], order)  # ends: the end fits
    np.testing.assert_allclose(out[:half], np.polyval(first, np.arange(half)), atol=1e-8)


@given(seed=seeds, T=st.integers(3, 40), half=st.integers(0, 5))
def test_apply_fir_is_a_centred_weighted_sum(seed, T, half):
    rng = np.random.default_rng(seed)
    x, taps = rng.normal(size=T), rng.normal(size=2 * half + 1)
    padded = np.concatenate([np.repeat(x[:1], half), x, np.repeat(x[-1:], half)])
    naive = [sum(taps[j] * padded[t + j] for j in range(2 * half + 1)) for t in range(T)]
    np.testing.assert_allclose(rh.apply_fir(x, taps), naive, atol=1e-10)


@given(seed=seeds, half=st.integers(0, 4), T=st.integers(10, 60))
def test_fit_wiener_solves_the_wiener_hopf_equations(seed, half, T):
    rng = np.random.default_rng(seed)
    clean = np.cumsum(rng.normal(size=(3, T)), 1) / 5
    noisy = clean + rng.normal(size=clean.shape)
    taps = rh.fit_wiener(noisy, clean, half)
    assert taps.shape == (2 * half + 1,)

    def corr(a, b, lag):  # sum over sequences and every t where both exist
        if lag >= 0:
            return (a[:, : T - lag] * b[:, lag:]).sum()
        return (a[:, -lag:] * b[:, : T + lag]).sum()

    lags = range(-half, half + 1)
    R = np.array([[corr(noisy, noisy, j - i) for j in lags] for i in lags])  # R_{x~x~}(i - j)
    p = np.array([corr(clean, noisy, i) for i in lags])  # R_{x x~}(i)
    np.testing.assert_allclose(R @ taps, p, rtol=1e-8, atol=1e-8 * np.abs(p).max())


def test_fit_wiener_recovers_a_filter_that_made_the_clean_signal():
    rng = np.random.default_rng(1)
    noisy = rng.normal(size=(20, 2000))
    true = np.array([0.1, -0.2, 0.5, 0.3, 0.05])
    clean = rh.apply_fir(noisy, true)
    np.testing.assert_allclose(rh.fit_wiener(noisy, clean, 2), true, atol=0.01)  # edges and finite samples
    wider = rh.fit_wiener(noisy, clean, 4)  # taps beyond the true filter's are about 0
    np.testing.assert_allclose(wider, np.pad(true, 2), atol=0.01)


def test_wiener_beats_every_moving_average_on_its_training_pairs():
    rng = np.random.default_rng(2)
    clean = np.cumsum(rng.normal(size=(10, 400)), 1) / 10
    noisy = clean + rng.normal(size=clean.shape)
    err = lambda est: ((est - clean)[:, 8:-8] ** 2).mean()
    wiener = err(rh.apply_fir(noisy, rh.fit_wiener(noisy, clean, 8)))
    assert all(wiener <= err(rh.moving_average(noisy, w)) for w in range(1, 18, 2))


# ---- error messages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: rh.snr_db(np.zeros(3), np.zeros(4)), ["snr_db", "'estimate'", "(3,)", "(4,)"]),
        (lambda: rh.snr_db([1.0], np.zeros(1)), ["snr_db", "'clean'", "numpy array", "list"]),
        (lambda: rh.add_gaussian_noise(np.zeros(3), -1.0), ["add_gaussian_noise", "'sd'", ">= 0", "-1.0"]),
        (lambda: rh.add_gaussian_noise(np.zeros((2, 3)), np.ones(2)), ["'sd'", "(2, 3)", "(2,)"]),
        (lambda: rh.add_gaussian_noise(np.zeros(3, int), 1.0), ["'x'", "floating", "int"]),
        (lambda: rh.add_dropouts(np.zeros(3), 1.0, 2.0), ["add_dropouts", "'rate'", "[0, 1)", "1.0"]),
        (lambda: rh.add_dropouts(np.zeros(3), 0.1, 0.5), ["'mean_length'", ">= 1", "0.5"]),
        (lambda: rh.add_dropouts(np.zeros(3), 0.6, 1.0), ["'rate'", "<= mean_length / (1 + mean_length)", "0.6"]),
        (lambda: rh.add_spikes(np.zeros(3), 1.5, 1.0), ["add_spikes", "'rate'", "[0, 1]", "1.5"]),
        (lambda: rh.add_spikes(np.zeros(3), 0.1, 0.0), ["'amplitude'", "> 0", "0.0"]),
        (lambda: rh.moving_average(np.zeros(5), 4), ["moving_average", "'width'", "odd positive int", "4"]),
        (lambda: rh.savgol(np.zeros(5), 7, 2), ["savgol", "'width'", "<= the length T = 5", "7"]),
        (lambda: rh.savgol(np.zeros(9), 5, 5), ["savgol", "'order'", "[0, 5)", "5"]),
        (lambda: rh.fit_wiener(np.zeros((2, 5)), np.zeros((2, 5)), 3), ["'half_width'", "T = 5", "got 3"]),
        (lambda: rh.fit_wiener(np.zeros((2, 5)), np.zeros((2, 4)), 1), ["fit_wiener", "'clean'", "(2, 5)", "(2, 4)"]),
        (lambda: rh.apply_fir(np.zeros(5), np.ones(2)), ["apply_fir", "'taps'", "odd length", "2"]),
    ],
)
def test_errors_name_the_argument_what_was_expected_and_what_was_given(call, words):
    with pytest.raises(ValueError) as err:
        call()
    for w in words:
        assert w in str(err.value), (w, str(err.value))
