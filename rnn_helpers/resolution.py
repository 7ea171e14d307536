r"""Super-resolution tools: make a low-resolution signal, interpolate it back, score the result.

Chapter 21 learns to undo a loss of resolution. This module holds what is not
learned: the two ways of making a low-resolution signal, the interpolation
baselines, and the two scores, all in numpy. A signal has ``dims`` trailing
axes (1 for a series, 2 for an image); any leading axes index examples. With
the upsampling factor :math:`S`, sample :math:`t` of a low-resolution series
is the mean of a block of :math:`S` high-resolution samples, or one of them:

.. math::

    x^{\mathrm{lo}}_t = \frac{1}{S} \sum_{j=1}^{S} x^{\mathrm{hi}}_{S(t-1)+j}
    \quad \text{(block average)}, \qquad
    x^{\mathrm{lo}}_t = x^{\mathrm{hi}}_{S(t-1)+1} \quad \text{(decimation)},

where :math:`j` is the position inside the block. An image is averaged over
:math:`S \times S` blocks. The scores are

.. math::

    \mathrm{PSNR} = 10 \log_{10} \frac{\mathrm{range}^2}{\mathrm{MSE}},

    \mathrm{SSIM}(x, \hat x) = \frac{\big(2 \langle x \rangle \langle \hat x \rangle + (0.01\,\mathrm{range})^2\big)
    \big(2\,\mathrm{cov}(x, \hat x) + (0.03\,\mathrm{range})^2\big)}
    {\big(\langle x \rangle^2 + \langle \hat x \rangle^2 + (0.01\,\mathrm{range})^2\big)
    \big(\mathrm{var}(x) + \mathrm{var}(\hat x) + (0.03\,\mathrm{range})^2\big)},

where MSE is the mean squared error between the truth and the estimate,
``range`` the stated data range, :math:`x` a window of the truth and :math:`\hat x`
the same window of the estimate, :math:`\langle x \rangle`, :math:`\langle \hat x \rangle`
their means, :math:`\mathrm{var}(x)`, :math:`\mathrm{var}(\hat x)` their sample
variances and :math:`\mathrm{cov}(x, \hat x)` their covariance
(Wang et al., 2004). SSIM is averaged over all windows that fit inside the
signal. Both are computed by scikit-image (``skimage.metrics``).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from ._checks import check_array, check_int

KINDS = {"nearest": 0, "linear": 1, "cubic": 3}  # spline order of each interpolation
GRIDS = ("centre", "start")
METHODS = ("mean", "decimate")


def _check_factor(fn: str, factor) -> int:
    return check_int(fn, "factor", factor, 1)


def _check_dims(fn: str, x: np.ndarray, dims) -> int:
    if dims not in (1, 2, 3) or isinstance(dims, bool):
        raise ValueError(f"{fn}: argument 'dims' must be 1, 2 or 3, got {dims!r}")
    if x.ndim < dims:
        raise ValueError(f"{fn}: argument 'x' must have at least dims = {dims} dimensions, got shape {x.shape}")
    return dims


def _check_signal(fn: str, x, factor, dims, divisible: bool = True):
    check_array(fn, "x", x)
    factor, dims = _check_factor(fn, factor), _check_dims(fn, x, dims)
    sides = x.shape[x.ndim - dims :]
    if divisible and any(n % factor for n in sides):
        raise ValueError(
            f"{fn}: the last {dims} axes of 'x' must be multiples of factor = {factor}, got shape {x.shape}"
        )
    return factor, dims


def block_average(x: np.ndarray, factor: int, dims: int = 1) -> np.ndarray:
    """Average non-overlapping blocks of ``factor`` samples along each of the last ``dims`` axes.

    This is what an integrating sensor measures: a monthly mean of daily counts,
    or a camera pixel that collects the light falling on its area.

    Args:
        x: high-resolution signals, shape (..., n_1, ..., n_dims), each n a multiple of ``factor``.
        factor: the upsampling factor S, an int >= 1.
        dims: how many trailing axes are signal axes (1 for series, 2 for images).

    Returns:
        (..., n_1 / S, ..., n_dims / S): the block means.
    """
    factor, dims = _check_signal("block_average", x, factor, dims)
    lead = x.shape[: x.ndim - dims]
    shape = list(lead)
    for n in x.shape[x.ndim - dims :]:
        shape += [n // factor, factor]  # split each signal axis into (block, position)
    inside = tuple(len(lead) + 2 * k + 1 for k in range(dims))
    return x.reshape(shape).mean(axis=inside)


def decimate(x: np.ndarray, factor: int, dims: int = 1, offset: int = 0) -> np.ndarray:
    """Keep one sample in ``factor`` along each of the last ``dims`` axes, starting at ``offset``.

    Args:
        x: high-resolution signals, shape (..., n_1, ..., n_dims), each n a multiple of ``factor``.
        factor: the upsampling factor S, an int >= 1.
        dims: how many trailing axes are signal axes.
        offset: which sample of each block is kept, ``0 <= offset < factor``.

    Returns:
        (..., n_1 / S, ..., n_dims / S): samples ``offset, offset + S, ...`` of each axis.
    """
    factor, dims = _check_signal("decimate", x, factor, dims)
    if isinstance(offset, bool) or not isinstance(offset, (int, np.integer)) or not 0 <= offset < factor:
        raise ValueError(f"decimate: argument 'offset' must be an int in [0, {factor}), got {offset!r}")
    index = (Ellipsis,) + (slice(offset, None, factor),) * dims
    return x[index].copy()


def downsample(
    x: np.ndarray, factor: int, method: str = "mean", dims: int = 1, noise: float = 0.0, seed=0
) -> np.ndarray:
    r"""Make low-resolution signals: block averages or decimation, plus optional measurement noise.

    .. math::

        x^{\mathrm{lo}} = \mathcal{B}(x^{\mathrm{hi}}) + \nu, \qquad \nu \sim \mathcal{N}(0, r^2),

    where :math:`\mathcal{B}` is :func:`block_average` (``method="mean"``) or
    :func:`decimate` with offset 0 (``method="decimate"``), and :math:`r` is ``noise``.

    Args:
        x: high-resolution signals, shape (..., n_1, ..., n_dims), each n a multiple of ``factor``.
        factor: the upsampling factor S.
        method: ``"mean"`` or ``"decimate"``.
        dims: how many trailing axes are signal axes.
        noise: standard deviation r >= 0 of Gaussian noise added to every low-resolution sample.
        seed: an int or a ``numpy.random.Generator`` (used as it is, and advanced) for the noise;
            the same seed gives the same noise.

    Returns:
        (..., n_1 / S, ..., n_dims / S) float64.
    """
    if method not in METHODS:
        raise ValueError(f"downsample: argument 'method' must be one of {METHODS}, got {method!r}")
    if not (isinstance(noise, (int, float, np.floating)) and np.isfinite(noise) and noise >= 0):
        raise ValueError(f"downsample: argument 'noise' must be a finite number >= 0, got {noise!r}")
    low = block_average(x, factor, dims) if method == "mean" else decimate(x, factor, dims)
    if noise > 0:
        rng = np.random.default_rng(seed)  # a Generator is returned unchanged
        low = low + noise * rng.standard_normal(low.shape)
    return low


def interpolate(x_lo: np.ndarray, factor: int, kind: str = "cubic", grid: str = "centre", dims: int = 1) -> np.ndarray:
    """Upsample by ``factor`` with nearest, linear or cubic spline interpolation (scipy.ndimage).

    High-resolution sample i of an axis sits at low-resolution coordinate
    ``(i - (S - 1) / 2) / S`` for block averages (``grid="centre"``: each low-resolution
    sample is the value at the centre of its block) and at ``i / S`` for decimation
    (``grid="start"``: sample t is the first of its block). The interpolant is
    ``scipy.ndimage.map_coordinates`` with spline order 0, 1 or 3 (cubic B-spline
    interpolation, which passes through the samples) and ``mode="nearest"``: beyond the
    last sample the signal is continued by its edge value. With ``grid="centre"`` this is
    exactly ``skimage.transform.resize(x_lo, shape, order, mode="edge", anti_aliasing=False,
    clip=False)`` and ``scipy.ndimage.zoom(x_lo, S, order, mode="nearest", grid_mode=True)``.
    Every example (leading index) is interpolated on its own.

    Args:
        x_lo: low-resolution signals, shape (..., m_1, ..., m_dims).
        factor: the upsampling factor S.
        kind: ``"nearest"``, ``"linear"`` or ``"cubic"``.
        grid: ``"centre"`` (for block averages) or ``"start"`` (for decimation).
        dims: how many trailing axes are signal axes.

    Returns:
        (..., S m_1, ..., S m_dims) float64.
    """
    factor, dims = _check_signal("interpolate", x_lo, factor, dims, divisible=False)
    if kind not in KINDS:
        raise ValueError(f"interpolate: argument 'kind' must be one of {tuple(KINDS)}, got {kind!r}")
    if grid not in GRIDS:
        raise ValueError(f"interpolate: argument 'grid' must be one of {GRIDS}, got {grid!r}")
    shift = (factor - 1) / 2 if grid == "centre" else 0.0
    sides = x_lo.shape[x_lo.ndim - dims :]
    axes = [(np.arange(n * factor) - shift) / factor for n in sides]  # low-res coordinates
    coords = np.meshgrid(*axes, indexing="ij")  # dims arrays of shape (S m_1, ..., S m_dims)
    lead = x_lo.shape[: x_lo.ndim - dims]
    out = np.empty(lead + tuple(n * factor for n in sides))
    for index in np.ndindex(*lead):  # one example at a time
        out[index] = ndimage.map_coordinates(
            np.asarray(x_lo[index], dtype=np.float64), coords, order=KINDS[kind], mode="nearest"
        )
    return out


def _check_pair(fn: str, truth, estimate, data_range):
    check_array(fn, "truth", truth)
    check_array(fn, "estimate", estimate)
    if truth.shape != estimate.shape:
        raise ValueError(
            f"{fn}: arguments 'truth' and 'estimate' must have the same shape, got {truth.shape} and {estimate.shape}"
        )
    if not (isinstance(data_range, (int, float, np.floating)) and np.isfinite(data_range) and data_range > 0):
        raise ValueError(f"{fn}: argument 'data_range' must be a finite number > 0, got {data_range!r}")


def psnr(truth: np.ndarray, estimate: np.ndarray, data_range: float, per_example: bool = False):
    """Peak signal-to-noise ratio in dB, by ``skimage.metrics.peak_signal_noise_ratio``.

    Args:
        truth, estimate: arrays of the same shape.
        data_range: the stated range of the data (1 for images in [0, 1]); the same for every method.
        per_example: if True, the first axis indexes examples and one PSNR per example is returned.

    Returns:
        a float, or (N,) float64 with ``per_example``. Identical inputs give ``inf``.
    """
    _check_pair("psnr", truth, estimate, data_range)
    if not per_example:
        return float(peak_signal_noise_ratio(truth, estimate, data_range=data_range))
    return np.array(
        [peak_signal_noise_ratio(t, e, data_range=data_range) for t, e in zip(truth, estimate, strict=True)]
    )


def ssim(truth: np.ndarray, estimate: np.ndarray, data_range: float, win_size: int = 7, per_example: bool = False):
    """Structural similarity (Wang et al., 2004), by ``skimage.metrics.structural_similarity``.

    scikit-image's defaults: a uniform window of ``win_size`` samples along every axis,
    sample (co)variances, the constants (0.01 range)^2 and (0.03 range)^2,
    and the mean over the windows that fit inside the signal.

    Args:
        truth, estimate: arrays of the same shape (a series, an image, or a batch of them).
        data_range: the stated range of the data.
        win_size: an odd int >= 3, at most the smallest side of one example.
        per_example: if True, the first axis indexes examples and one SSIM per example is returned.

    Returns:
        a float in [-1, 1], or (N,) float64 with ``per_example``.
    """
    _check_pair("ssim", truth, estimate, data_range)
    sides = truth.shape[1:] if per_example else truth.shape
    if (
        isinstance(win_size, bool)
        or not isinstance(win_size, (int, np.integer))
        or win_size < 3
        or win_size % 2 == 0
        or not sides
        or win_size > min(sides)
    ):
        raise ValueError(
            f"ssim: argument 'win_size' must be an odd int >= 3 and <= the smallest side {min(sides, default=0)}, "
            f"got {win_size!r}"
        )

    def one(t, e):
        return float(structural_similarity(t, e, data_range=data_range, win_size=win_size))

    if not per_example:
        return one(truth, estimate)
    return np.array([one(t, e) for t, e in zip(truth, estimate, strict=True)])
