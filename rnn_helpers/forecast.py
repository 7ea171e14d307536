r"""Forecasting baselines for a univariate series: persistence, seasonal naive, linear AR, rollout.

Every learned forecaster in the book is compared with these. They are numpy
functions of a 1-D series ``y`` of length T (``y[t]`` is :math:`y_t`), forecast
from an origin :math:`t_0` (the last value seen) :math:`k` steps ahead:

.. math::

    \hat y_{t_0+k} = y_{t_0} \quad \text{(persistence)}, \qquad
    \hat y_{t_0+k} = y_{t_0+k-\mathrm{period}\,\lceil k/\mathrm{period}\rceil}
    \quad \text{(seasonal naive)},

    \hat y_{t+1} = w_0 + \sum_{j=1}^{p_{\mathrm{AR}}} w_j\, y_{t+1-j}
    \quad \text{(linear autoregression, AR(}p_{\mathrm{AR}})),

where ``period`` is the season's length in steps, :math:`p_{\mathrm{AR}}` is
the number of lags, the AR weights :math:`w_0, \dots, w_{p_{\mathrm{AR}}}` are
fitted by least squares on the lag matrix, and a multi-step AR forecast feeds
its own predictions back in (a **rollout**). In the code the intercept
:math:`w_0` is ``c`` and the lag weights :math:`(w_1, \dots, w_{p_{\mathrm{AR}}})`
are the array ``a``, and the order :math:`p_{\mathrm{AR}}` is ``p``.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_array, check_int


def _check_series(fn: str, y) -> np.ndarray:
    check_array(fn, "y", y, ndim=1)
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{fn}: argument 'y' must hold finite values, got {int((~np.isfinite(y)).sum())} nan/inf")
    return y


def _check_origins(fn: str, origins, low: int, T: int) -> np.ndarray:
    origins = np.asarray(origins)
    if origins.ndim != 1 or not np.issubdtype(origins.dtype, np.integer):
        raise ValueError(f"{fn}: argument 'origins' must be a 1-D array of ints, got {origins.dtype} {origins.shape}")
    if origins.size and (origins.min() < low or origins.max() >= T):
        raise ValueError(
            f"{fn}: argument 'origins' must lie in [{low}, {T}), got values in [{origins.min()}, {origins.max()}]"
        )
    return origins


def lag_matrix(y: np.ndarray, p: int):
    r"""The design of an AR regression with p lags: rows ``[y_{t-1}, ..., y_{t-p}]``, targets ``y_t``.

    Args:
        y: the series, shape (T,).
        p: the number of lags :math:`p_{\mathrm{AR}}`, ``1 <= p < T``.

    Returns:
        X (T - p, p) with ``X[i, j] = y[p + i - 1 - j]`` (lag j + 1), and
        targets (T - p,) with ``targets[i] = y[p + i]``.
    """
    _check_series("lag_matrix", y)
    p = check_int("lag_matrix", "p", p, 1)
    if p >= len(y):
        raise ValueError(f"lag_matrix: argument 'p' must be smaller than len(y) = {len(y)}, got {p}")
    T = len(y)
    X = np.stack([y[p - 1 - j : T - 1 - j] for j in range(p)], axis=1)  # (T - p, p)
    return X, y[p:].copy()


def fit_ar(y: np.ndarray, p: int):
    r"""Fit :math:`y_t = w_0 + \sum_{j=1}^{p_{\mathrm{AR}}} w_j y_{t-j}` by least squares.

    Args:
        y: the training series, shape (T,), with ``T > 2p`` so that the
            regression has more equations than unknowns.
        p: the order :math:`p_{\mathrm{AR}}` (number of lags).

    Returns:
        (c, a): the intercept :math:`w_0`, a float, and the lag weights ``a``
        (p,), ``a[j]`` = :math:`w_{j+1}` multiplying lag ``j + 1``.
    """
    _check_series("fit_ar", y)
    p = check_int("fit_ar", "p", p, 1)
    if len(y) <= 2 * p:
        raise ValueError(f"fit_ar: 'y' must have more than 2p = {2 * p} values, got {len(y)}")
    X, target = lag_matrix(y, p)
    design = np.column_stack([np.ones(len(X)), X])  # (T - p, p + 1): intercept first
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    return float(coef[0]), coef[1:]


def ar_rollout(c: float, a: np.ndarray, history: np.ndarray, horizon: int) -> np.ndarray:
    r"""Forecast ``horizon`` steps ahead with an AR model, feeding its predictions back.

    Args:
        c, a: the intercept :math:`w_0` and the lag weights
            :math:`(w_1, \dots, w_{p_{\mathrm{AR}}})`, shape (p,), from :func:`fit_ar`.
        history: the last observed values, shape (p,) or more; only the last p are used.
            A 2-D array (n, >= p) forecasts n series (or n origins) at once.
        horizon: the number of steps to forecast, >= 1.

    Returns:
        the forecasts, shape (horizon,), or (n, horizon) for a 2-D history.
    """
    check_array("ar_rollout", "a", a, ndim=1)
    p = len(a)
    hist = np.asarray(history, dtype=np.float64)
    if hist.ndim not in (1, 2) or hist.shape[-1] < p:
        raise ValueError(f"ar_rollout: argument 'history' must have shape (>= {p},) or (M, >= {p}), got {hist.shape}")
    horizon = check_int("ar_rollout", "horizon", horizon, 1)
    window = np.atleast_2d(hist)[:, -p:].copy()  # (n, p), oldest first
    out = np.empty((len(window), horizon))
    for k in range(horizon):
        out[:, k] = c + window[:, ::-1] @ a  # newest value times a[0]
        window = np.concatenate([window[:, 1:], out[:, k : k + 1]], axis=1)  # shift in the forecast
    return out[0] if hist.ndim == 1 else out


def persistence(y: np.ndarray, origins, horizon: int) -> np.ndarray:
    """The naive forecast: every future value equals the last one observed.

    Args:
        y: the series, shape (T,).
        origins: the forecast origins :math:`t_0`, ints in [0, T), shape (number of origins,):
            forecasts are made after seeing ``y[:t0 + 1]``.
        horizon: how many steps ahead, >= 1.

    Returns:
        (number of origins, horizon) with ``out[i, k] = y[origins[i]]``, the forecast of
        ``y[origins[i] + k + 1]``.
    """
    _check_series("persistence", y)
    horizon = check_int("persistence", "horizon", horizon, 1)
    origins = _check_origins("persistence", origins, 0, len(y))
    return np.repeat(y[origins][:, None], horizon, axis=1)


def seasonal_naive(y: np.ndarray, origins, horizon: int, period: int) -> np.ndarray:
    """The seasonal naive forecast: the value one season (``period`` steps) before, in the last season seen.

    Args:
        y: the series, shape (T,).
        origins: the forecast origins :math:`t_0`, ints in [period - 1, T).
        horizon: how many steps ahead, >= 1.
        period: the season's length in steps (12 for monthly data with a yearly season).

    Returns:
        (number of origins, horizon) with
        ``out[i, k] = y[t0 + k + 1 - period * ceil((k + 1) / period)]``, ``t0 = origins[i]``:
        for ``k < period`` simply the value ``period`` steps before the target.
    """
    _check_series("seasonal_naive", y)
    horizon = check_int("seasonal_naive", "horizon", horizon, 1)
    period = check_int("seasonal_naive", "period", period, 1)
    origins = _check_origins("seasonal_naive", origins, period - 1, len(y))
    k = np.arange(1, horizon + 1)  # steps ahead
    back = period * np.ceil(k / period).astype(np.int64)  # whole seasons back, >= k
    return y[origins[:, None] + k[None, :] - back[None, :]]


def targets_at(y: np.ndarray, origins, horizon: int) -> np.ndarray:
    """The true values the forecasts aim at: ``out[i, k] = y[origins[i] + k + 1]``, shape (origins, horizon)."""
    _check_series("targets_at", y)
    horizon = check_int("targets_at", "horizon", horizon, 1)
    origins = _check_origins("targets_at", origins, 0, len(y) - horizon)
    return y[origins[:, None] + np.arange(1, horizon + 1)[None, :]]


def random_windows_1d(y: np.ndarray, batch_size: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """A batch of random windows ``y[s : s + length]`` of a series, starts drawn from ``rng``.

    Returns an array (batch_size, length); the same generator state gives the same batch.
    """
    _check_series("random_windows_1d", y)
    batch_size = check_int("random_windows_1d", "batch_size", batch_size, 1)
    length = check_int("random_windows_1d", "length", length, 1)
    if length > len(y):
        raise ValueError(f"random_windows_1d: argument 'length' must be <= len(y) = {len(y)}, got {length}")
    starts = rng.integers(0, len(y) - length + 1, size=batch_size)  # (batch_size,)
    return y[starts[:, None] + np.arange(length)[None, :]]
