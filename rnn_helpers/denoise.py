r"""Corrupting sequences, scoring a denoiser in dB, and the classical filters it must beat.

Chapter 20 trains a recurrent denoiser that maps a corrupted sequence
:math:`\tilde x_1, \dots, \tilde x_T` back to the clean one :math:`x_1, \dots, x_T`. This module
holds everything that is not learned:

- three seeded corruptions: additive Gaussian noise :math:`\tilde x_t = x_t + \nu_t` with
  :math:`\nu_t \sim \mathcal N(0, r^2)` (:func:`add_gaussian_noise`), **dropouts**, runs of
  samples replaced by a fill value (:func:`add_dropouts`), and **spikes**, sparse large
  outliers (:func:`add_spikes`);
- the score, the signal-to-noise ratio in decibels (:func:`snr_db`);
- the classical filters, thin wrappers that fix one edge rule for all of them: a centred
  moving average (:func:`moving_average`), Savitzky and Golay's local polynomial
  (:func:`savgol`), and the finite-length Wiener filter fitted to training pairs
  (:func:`fit_wiener`, :func:`apply_fir`).

Every function works along the last axis, so a batch of sequences is an array of
shape (..., T). Generators take ``seed``, an int or a ``numpy.random.Generator``
(used as it is, and advanced), so every corruption can be repeated exactly.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import toeplitz
from scipy.ndimage import correlate1d, uniform_filter1d
from scipy.signal import savgol_filter

from ._checks import check_array


def _check_series(fn: str, name: str, x) -> np.ndarray:
    check_array(fn, name, x)
    if x.ndim < 1 or x.shape[-1] < 1:
        raise ValueError(f"{fn}: argument '{name}' must have shape (..., T) with T >= 1, got {x.shape}")
    return x


def _check_fraction(fn: str, name: str, value, upper_open: bool = True) -> float:
    ok = 0 <= value < 1 if upper_open else 0 <= value <= 1
    if not ok:
        bound = "[0, 1)" if upper_open else "[0, 1]"
        raise ValueError(f"{fn}: argument '{name}' must lie in {bound}, got {value}")
    return float(value)


def snr_db(clean: np.ndarray, estimate: np.ndarray, axis=None):
    r"""Signal-to-noise ratio of an estimate of ``clean``, in decibels.

    .. math::

        \mathrm{SNR} = 10 \log_{10} \frac{\sum_t x_t^2}{\sum_t (\hat x_t - x_t)^2} \quad \text{dB},

    where :math:`x_t` is the clean signal and :math:`\hat x_t` the estimate (a corrupted
    observation :math:`\tilde x_t` gives the input SNR). The sums run over ``axis`` (all
    entries by default). The **SNR gain** of a denoiser,
    :math:`\mathrm{SNR}_{\mathrm{out}} - \mathrm{SNR}_{\mathrm{in}} = 10 \log_{10}
    \sum_t (\tilde x_t - x_t)^2 / \sum_t (\hat x_t - x_t)^2`, does not depend on the signal's
    power. The signal power includes any mean, so centre a series first if its level is not
    signal. An exact estimate gives ``inf``.

    Shapes: ``clean`` and ``estimate`` the same shape; the result a float or, with ``axis``,
    an array without that axis.
    """
    fn = "snr_db"
    check_array(fn, "clean", clean)
    check_array(fn, "estimate", estimate, shape=clean.shape)
    signal = np.sum(clean.astype(np.float64) ** 2, axis=axis)
    error = np.sum((estimate.astype(np.float64) - clean) ** 2, axis=axis)
    with np.errstate(divide="ignore"):
        return 10 * np.log10(signal / error)


def add_gaussian_noise(x: np.ndarray, sd, seed=0) -> np.ndarray:
    r"""Additive white Gaussian noise: :math:`\tilde x_t = x_t + \nu_t`, :math:`\nu_t \sim \mathcal N(0, r^2)`.

    Args:
        x: clean sequences, shape (..., T), floating.
        sd: the noise sd :math:`r` >= 0: a number, or an array that broadcasts against ``x``
            (e.g. shape (N, 1) for one level per sequence of an (N, T) batch).
        seed: an int or a ``numpy.random.Generator``.

    Returns:
        the noisy sequences, shape and dtype of ``x``.
    """
    fn = "add_gaussian_noise"
    _check_series(fn, "x", x)
    sd_arr = np.asarray(sd, dtype=np.float64)
    if not np.all(sd_arr >= 0):
        raise ValueError(f"{fn}: argument 'sd' must be >= 0 everywhere, got {sd!r}")
    try:
        np.broadcast_shapes(sd_arr.shape, x.shape)
    except ValueError:
        msg = f"{fn}: argument 'sd' must broadcast against x's shape {x.shape}, got shape {sd_arr.shape}"
        raise ValueError(msg) from None
    noise = np.random.default_rng(seed).standard_normal(x.shape)  # (..., T)
    return (x + sd_arr * noise).astype(x.dtype)


def add_dropouts(x: np.ndarray, rate: float, mean_length: float, fill: float = 0.0, seed=0):
    r"""Replace runs of samples by ``fill``, as a sensor that drops out for a while.

    Each sequence is a two-state Markov chain (Gilbert's channel model): a sample that is
    kept is followed by a dropped one (a run begins) with probability
    :math:`p_{\mathrm{in}} = \mathrm{rate} / (T_{\mathrm{run}} (1 - \mathrm{rate}))`, a dropped
    one by a kept one with probability :math:`1 / T_{\mathrm{run}}`, where
    :math:`T_{\mathrm{run}}` is ``mean_length``. The chain's long-run fraction of dropped samples
    is :math:`p_{\mathrm{in}} / (p_{\mathrm{in}} + 1 / T_{\mathrm{run}}) = \mathrm{rate}`, and it
    starts in that stationary distribution, so every sample is dropped with probability exactly
    ``rate``; the runs of dropped samples have geometric lengths with mean :math:`T_{\mathrm{run}}`.

    Args:
        x: clean sequences, shape (..., T), floating.
        rate: the fraction of dropped samples, in [0, 1).
        mean_length: the mean length of a run :math:`T_{\mathrm{run}}`, >= 1; needs
            :math:`p_{\mathrm{in}} \le 1`, i.e.
            ``rate <= mean_length / (1 + mean_length)``.
        fill: the value a dropped sample reads (0: a dead sensor).
        seed: an int or a ``numpy.random.Generator``.

    Returns:
        ``(corrupted, dropped)``: shape of ``x``; ``dropped`` is a bool mask.
    """
    fn = "add_dropouts"
    _check_series(fn, "x", x)
    rate = _check_fraction(fn, "rate", rate)
    if not mean_length >= 1:
        raise ValueError(f"{fn}: argument 'mean_length' must be >= 1, got {mean_length}")
    start = rate / (mean_length * (1 - rate))  # p_in = P(kept -> dropped)
    if start > 1:
        raise ValueError(
            f"{fn}: argument 'rate' must be <= mean_length / (1 + mean_length) = "
            f"{mean_length / (1 + mean_length):.3f} for mean_length {mean_length}, got {rate}"
        )
    stop = 1 / mean_length  # P(dropped -> kept)
    u = np.random.default_rng(seed).random(x.shape)  # (..., T)
    dropped = np.empty(x.shape, dtype=bool)
    state = u[..., 0] < rate  # stationary start
    dropped[..., 0] = state
    for t in range(1, x.shape[-1]):
        state = np.where(state, u[..., t] >= stop, u[..., t] < start)
        dropped[..., t] = state
    return np.where(dropped, np.asarray(fill, dtype=x.dtype), x), dropped


def add_spikes(x: np.ndarray, rate: float, amplitude: float, seed=0):
    r"""Add sparse outliers: each sample, independently with probability ``rate``, gets ``±amplitude``.

    ``corrupted[t] = x[t] + amplitude * sign[t] * spiked[t]``, where ``spiked[t]`` is True with
    probability ``rate`` and ``sign[t]`` is -1 or +1 with probability 1/2 each.

    Args:
        x: clean sequences, shape (..., T), floating.
        rate: the fraction of samples that get a spike, in [0, 1].
        amplitude: the height of a spike, > 0.
        seed: an int or a ``numpy.random.Generator``.

    Returns:
        ``(corrupted, spiked)``: shape of ``x``; ``spiked`` is a bool mask.
    """
    fn = "add_spikes"
    _check_series(fn, "x", x)
    rate = _check_fraction(fn, "rate", rate, upper_open=False)
    if not amplitude > 0:
        raise ValueError(f"{fn}: argument 'amplitude' must be > 0, got {amplitude}")
    rng = np.random.default_rng(seed)
    spiked = rng.random(x.shape) < rate  # (..., T)
    sign = np.where(rng.random(x.shape) < 0.5, -1.0, 1.0)
    return (x + amplitude * sign * spiked).astype(x.dtype), spiked


def _check_width(fn: str, width) -> int:
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1 or width % 2 == 0:
        raise ValueError(f"{fn}: argument 'width' must be an odd positive int, got {width!r}")
    return int(width)


def moving_average(x: np.ndarray, width: int) -> np.ndarray:
    r"""Centred moving average of odd ``width`` :math:`2k + 1` along the last axis.

    :math:`\hat x_t = \frac{1}{2k + 1} \sum_{j=-k}^{k} \tilde x_{t+j}`; beyond the ends the first and
    last samples are repeated (``scipy.ndimage.uniform_filter1d``, mode ``"nearest"``).
    Shapes: (..., T) -> (..., T).
    """
    fn = "moving_average"
    _check_series(fn, "x", x)
    return uniform_filter1d(x, _check_width(fn, width), axis=-1, mode="nearest")


def savgol(x: np.ndarray, width: int, order: int) -> np.ndarray:
    r"""Savitzky–Golay smoothing: the value at :math:`t` of a least-squares polynomial of degree ``order``.

    The polynomial is fitted to the ``width`` samples centred on :math:`t`; in the interior this
    is a fixed linear filter. Near the ends the polynomial fitted to the first (last) ``width``
    samples is evaluated (``scipy.signal.savgol_filter``, mode ``"interp"``). ``order`` 0 or 1 is
    the moving average. Shapes: (..., T) -> (..., T), with ``width`` <= T.
    """
    fn = "savgol"
    _check_series(fn, "x", x)
    width = _check_width(fn, width)
    if width > x.shape[-1]:
        raise ValueError(f"{fn}: argument 'width' must be <= the length T = {x.shape[-1]}, got {width}")
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or not 0 <= order < width:
        raise ValueError(f"{fn}: argument 'order' must be an int in [0, width) = [0, {width}), got {order!r}")
    return savgol_filter(x, width, int(order), axis=-1, mode="interp")


def _correlations(a: np.ndarray, b: np.ndarray, max_lag: int) -> np.ndarray:
    """sum_n sum_t a[n, t] b[n, t + j] for j = -max_lag..max_lag, by FFT: (2 max_lag + 1,)."""
    T = a.shape[-1]
    size = 1 << int(np.ceil(np.log2(2 * T)))  # no wrap-around
    spec = np.conj(np.fft.rfft(a, size)) * np.fft.rfft(b, size)  # (N, size // 2 + 1)
    full = np.fft.irfft(spec.sum(0), size)  # lag j at index j mod size
    return np.concatenate([full[size - max_lag :], full[: max_lag + 1]])


def fit_wiener(corrupted: np.ndarray, clean: np.ndarray, half_width: int) -> np.ndarray:
    r"""The finite-length Wiener filter: the taps that best map ``corrupted`` to ``clean`` in mean square.

    A non-causal FIR filter of :math:`2k + 1` taps, :math:`\hat x_t = \sum_{j=-k}^{k} w_j \tilde x_{t+j}`,
    whose taps solve the Wiener–Hopf equations

    .. math::

        \sum_{j=-k}^{k} \mathbb E[\tilde x_{t+i} \tilde x_{t+j}]\, w_j = \mathbb E[x_t \tilde x_{t+i}],
        \qquad i = -k, \dots, k,

    where each expectation is estimated from the training pairs by a sum over every sequence
    and every :math:`t` where both samples exist; the left factor is estimated as a function of
    the lag :math:`i - j` alone (the "autocorrelation method", as stationarity suggests), so the
    matrix is Toeplitz and positive semi-definite. No assumption
    about the noise is needed, since the pairs carry it, so the same code gives the best linear
    filter of its length for Gaussian noise, dropouts or spikes.

    Args:
        corrupted, clean: training pairs :math:`(\tilde x, x)`, shape (N, T) (or (T,)), the same shape.
        half_width: :math:`k` >= 0, with :math:`2k + 1 \le T`.

    Returns:
        the taps :math:`w_{-k}, \dots, w_k`, shape (2k + 1,), for :func:`apply_fir`.
    """
    fn = "fit_wiener"
    _check_series(fn, "corrupted", corrupted)
    check_array(fn, "clean", clean, shape=corrupted.shape)
    T = corrupted.shape[-1]
    if isinstance(half_width, bool) or not isinstance(half_width, (int, np.integer)) or not 0 <= 2 * half_width < T:
        msg = f"{fn}: argument 'half_width' must be an int k >= 0 with 2k + 1 <= T = {T}, got {half_width!r}"
        raise ValueError(msg)
    k = int(half_width)
    noisy, target = corrupted.reshape(-1, T), clean.reshape(-1, T)
    r_nn = _correlations(noisy, noisy, 2 * k)[2 * k :]  # lags 0..2k
    r_xn = _correlations(target, noisy, k)  # sum x_t x~_{t+i}, i = -k..k
    R = toeplitz(r_nn)  # R[i, j]: lag i - j, (2k + 1, 2k + 1)
    return np.linalg.lstsq(R, r_xn, rcond=None)[0]


def apply_fir(x: np.ndarray, taps: np.ndarray) -> np.ndarray:
    r"""Apply centred FIR taps :math:`w_{-k}, \dots, w_k`: :math:`\hat x_t = \sum_j w_j \tilde x_{t+j}`.

    Beyond the ends the first and last samples are repeated (``scipy.ndimage.correlate1d``,
    mode ``"nearest"``), as in :func:`moving_average`. Shapes: (..., T) -> (..., T).
    """
    fn = "apply_fir"
    _check_series(fn, "x", x)
    check_array(fn, "taps", taps, ndim=1)
    if taps.shape[0] % 2 == 0:
        raise ValueError(f"{fn}: argument 'taps' must have an odd length 2k + 1, got {taps.shape[0]}")
    return correlate1d(x, taps, axis=-1, mode="nearest")
