"""Data sets: shipped files in ``data/`` and seeded generators. Nothing is downloaded."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def data_dir() -> Path:
    """The folder that holds the book's shipped data.

    In an installed copy it is ``rnn_helpers/data`` (the wheel force-includes the
    repository's ``data/`` there); in a source checkout it is ``<repo>/data``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "data"):
        if (candidate / "README.md").is_file():
            return candidate
    raise FileNotFoundError(f"rnn_helpers: no data folder found in {here / 'data'} or {here.parent / 'data'}")


def train_test_split(n: int, test_fraction: float, seed: int = 0):
    """Seeded random split of ``range(n)`` into (train_idx, test_idx)."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"train_test_split: argument 'test_fraction' must be in (0, 1), got {test_fraction}")
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def load_digits(test_fraction: float = 0.25, seed: int = 0):
    """The UCI handwritten digits (1,797 images of 8x8 pixels, 10 classes).

    They come from scikit-learn's bundled copy, so nothing is downloaded.
    Pixels are scaled from 0..16 to [0, 1].

    Returns:
        X_train (N_train, 64) float64, y_train (N_train,) int64,
        X_test (N_test, 64) float64, y_test (N_test,) int64.
    """
    from sklearn.datasets import load_digits as _load

    bunch = _load()
    X = bunch.data.astype(np.float64) / 16.0  # (1797, 64)
    y = bunch.target.astype(np.int64)  # (1797,)
    tr, te = train_test_split(len(X), test_fraction, seed)
    return X[tr], y[tr], X[te], y[te]


def make_spirals(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int = 0):
    """Interleaved 2-D spirals, a classic problem that no linear model solves.

    Point i of class k lies at radius r = i / n_per_class and angle
    theta = 4 r + 2 pi k / n_classes, plus Gaussian noise of std ``noise`` on theta.

    Returns:
        X (n_classes * n_per_class, 2) float64 and y (same N,) int64.
    """
    if n_per_class <= 0 or n_classes <= 0:
        raise ValueError(f"make_spirals: 'n_per_class' and 'n_classes' must be > 0, got {n_per_class} and {n_classes}")
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.05, 1.0, n_per_class), n_classes)
    k = np.repeat(np.arange(n_classes), n_per_class)
    theta = 4.0 * r + 2 * np.pi * k / n_classes + rng.normal(0.0, noise, r.shape)
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return X, k.astype(np.int64)


SUNSPOTS_FILE = "sunspots_monthly.csv"
CO2_FILE = "co2_mauna_loa_weekly.csv"


def load_sunspots():
    """Monthly mean sunspot numbers, January 1749 to December 2008 (3,120 months).

    The international sunspot number, version 1 of the series, from the NOAA
    National Geophysical Data Center as packaged in statsmodels (public domain;
    provenance in ``data/README.md``). The series has a cycle of about eleven
    years (about 132 months) whose length and height vary from cycle to cycle.

    Returns:
        dates (3120,) ``datetime64[M]``, the months in order, and
        sunspots (3120,) float64, the monthly means (no missing values).
    """
    table = np.genfromtxt(data_dir() / SUNSPOTS_FILE, delimiter=",", skip_header=1)  # (3120, 3)
    years, months = table[:, 0].astype(np.int64), table[:, 1].astype(np.int64)
    dates = (years - 1970) * 12 + (months - 1)  # months since January 1970
    return dates.astype("datetime64[M]"), table[:, 2].astype(np.float64)


def load_co2(monthly: bool = True):
    """Atmospheric CO2 at Mauna Loa (ppmv), March 1958 to December 2001.

    C. D. Keeling and T. P. Whorf's weekly flask samples, as packaged in
    statsmodels (public domain; provenance in ``data/README.md``). The weekly
    file has 2,284 weeks, 59 of them without a value.

    With ``monthly=True`` each calendar month is the mean of its weeks that have
    a value; the 5 months that have none (June and October 1958, February to
    April 1964) are filled by linear interpolation in time between their
    neighbours, so the monthly series has no gaps.

    Args:
        monthly: ``True`` for the monthly means, ``False`` for the weeks as shipped.

    Returns:
        With ``monthly=True``: dates (526,) ``datetime64[M]`` and co2 (526,) float64.
        With ``monthly=False``: dates (2284,) ``datetime64[D]`` and co2 (2284,)
        float64 with ``nan`` for the 59 missing weeks.
    """
    if not isinstance(monthly, (bool, np.bool_)):
        raise ValueError(f"load_co2: argument 'monthly' must be True or False, got {monthly!r}")
    table = np.genfromtxt(data_dir() / CO2_FILE, delimiter=",", skip_header=1)  # (2284, 2), nan where empty
    stamp = table[:, 0].astype(np.int64)  # YYYYMMDD
    years, months, days = stamp // 10000, stamp // 100 % 100, stamp % 100
    co2 = table[:, 1].astype(np.float64)
    if not monthly:
        iso = [f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in zip(years, months, days)]
        return np.array(iso, dtype="datetime64[D]"), co2
    index = (years - 1970) * 12 + (months - 1)  # months since January 1970, per week
    all_months = np.arange(index.min(), index.max() + 1)  # (526,)
    have = ~np.isnan(co2)
    sums = np.bincount(index[have] - index.min(), weights=co2[have], minlength=len(all_months))
    counts = np.bincount(index[have] - index.min(), minlength=len(all_months))
    means = np.full(len(all_months), np.nan)
    means[counts > 0] = sums[counts > 0] / counts[counts > 0]
    gap = counts == 0  # months without a single sample: interpolate
    means[gap] = np.interp(all_months[gap], all_months[~gap], means[~gap])
    return all_months.astype("datetime64[M]"), means
