"""Chapter 13: the shipped series' loaders, the forecasting baselines, and packing versus masking.

The baselines are checked against independent references: AR least squares
against scikit-learn's LinearRegression on the lag matrix, the rollout and the
naive forecasts against plain Python loops. Packed sequences through
``torch.nn.LSTM`` are checked against the book's LSTM step run over padded
inputs with a mask.
"""

import numpy as np
import pytest
import torch
from checks import seeds
from hypothesis import given
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import rnn_helpers as rh


def series(seed, T):
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.normal(size=T)) + np.sin(np.arange(T) * 2 * np.pi / 12)


# ---------------------------------------------------------------------------
# loaders


def test_load_co2_monthly_and_weekly():
    dates, co2 = rh.load_co2()
    assert dates.dtype == np.dtype("datetime64[M]") and co2.dtype == np.float64
    assert co2.shape == dates.shape == (526,)
    assert str(dates[0]) == "1958-03" and str(dates[-1]) == "2001-12"
    assert np.all(np.diff(dates.astype(int)) == 1)  # consecutive months, no gaps
    assert np.all(np.isfinite(co2)) and 310 < co2.min() and co2.max() < 375
    wdates, weekly = rh.load_co2(monthly=False)
    assert weekly.shape == wdates.shape == (2284,) and np.isnan(weekly).sum() == 59
    # an independent monthly mean: group the weeks by month with a dict
    groups = {}
    for d, v in zip(wdates.astype("datetime64[M]"), weekly):
        if not np.isnan(v):
            groups.setdefault(d, []).append(v)
    for d, v in zip(dates, co2):
        if d in groups:
            assert v == pytest.approx(np.mean(groups[d]), abs=1e-12)
    missing = [d for d in dates if d not in groups]
    assert [str(d) for d in missing] == ["1958-06", "1958-10", "1964-02", "1964-03", "1964-04"]


def test_load_sunspots():
    dates, spots = rh.load_sunspots()
    assert spots.shape == dates.shape == (3120,) and spots.dtype == np.float64
    assert str(dates[0]) == "1749-01" and str(dates[-1]) == "2008-12"
    assert np.all(np.diff(dates.astype(int)) == 1)
    assert spots.min() >= 0 and np.all(np.isfinite(spots))
    assert spots[:3].tolist() == [58.0, 62.6, 70.0]  # the file's first row


def test_loaders_are_deterministic():
    a, b = rh.load_co2(), rh.load_co2()
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(rh.load_sunspots()[1], rh.load_sunspots()[1])


def test_load_co2_rejects_a_non_boolean():
    with pytest.raises(ValueError, match="load_co2: argument 'monthly' must be True or False, got 'yes'"):
        rh.load_co2(monthly="yes")


# ---------------------------------------------------------------------------
# baselines against independent references


@given(seed=seeds, T=st.integers(30, 80), p=st.integers(1, 8))
def test_lag_matrix_and_fit_ar_match_sklearn(seed, T, p):
    y = series(seed, T)
    X, target = rh.lag_matrix(y, p)
    assert X.shape == (T - p, p) and target.shape == (T - p,)
    for i in range(T - p):  # row i: lags 1..p of y[p + i]
        assert X[i].tolist() == [y[p + i - j] for j in range(1, p + 1)]
    c, a = rh.fit_ar(y, p)
    ref = LinearRegression().fit(X, target)
    np.testing.assert_allclose(c, ref.intercept_, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(a, ref.coef_, rtol=1e-6, atol=1e-7)


@given(seed=seeds, p=st.integers(1, 5), horizon=st.integers(1, 7), M=st.integers(1, 3))
def test_ar_rollout_matches_a_python_loop(seed, p, horizon, M):
    rng = np.random.default_rng(seed)
    c, a = float(rng.normal()), rng.normal(size=p) / p
    hist = rng.normal(size=(M, p + 2))
    got = rh.ar_rollout(c, a, hist, horizon)
    assert got.shape == (M, horizon)
    for m in range(M):
        window = list(hist[m])
        for k in range(horizon):
            nxt = c + sum(a[j] * window[-1 - j] for j in range(p))
            assert got[m, k] == pytest.approx(nxt, rel=1e-12, abs=1e-12)
            window.append(nxt)
    np.testing.assert_allclose(rh.ar_rollout(c, a, hist[0], horizon), got[0])


@given(seed=seeds, T=st.integers(30, 60), horizon=st.integers(1, 30), period=st.integers(1, 13))
def test_naive_forecasts_match_their_definition(seed, T, horizon, period):
    y = series(seed, T)
    origins = np.arange(period - 1, T)
    pers = rh.persistence(y, origins, horizon)
    seas = rh.seasonal_naive(y, origins, horizon, period)
    assert pers.shape == seas.shape == (len(origins), horizon)
    for i, o in enumerate(origins):
        for k in range(1, horizon + 1):
            assert pers[i, k - 1] == y[o]
            back = k
            while back % period:  # whole seasons back, at least k
                back += 1
            assert seas[i, k - 1] == y[o + k - back]


def test_an_exact_ar_process_is_recovered_and_forecast():
    c, a = 0.5, np.array([0.6, -0.2])
    y = [1.0, 2.0]
    for _ in range(40):
        y.append(c + a[0] * y[-1] + a[1] * y[-2])
    y = np.array(y)
    c_hat, a_hat = rh.fit_ar(y[:30], 2)
    np.testing.assert_allclose([c_hat, *a_hat], [c, *a], atol=1e-9)
    np.testing.assert_allclose(rh.ar_rollout(c_hat, a_hat, y[:30], 10), y[30:40], atol=1e-8)
    np.testing.assert_allclose(rh.targets_at(y, np.array([29]), 10)[0], y[30:40])


def test_random_windows_are_seeded_and_shaped():
    y = np.arange(50, dtype=float)
    w1 = rh.random_windows_1d(y, 4, 7, np.random.default_rng(3))
    w2 = rh.random_windows_1d(y, 4, 7, np.random.default_rng(3))
    np.testing.assert_array_equal(w1, w2)
    assert w1.shape == (4, 7) and np.all(np.diff(w1, axis=1) == 1)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: rh.fit_ar(np.ones(10), 5), "fit_ar: 'y' must have more than 2p = 10 values, got 10"),
        (lambda: rh.fit_ar(np.ones(10), 0), "fit_ar: argument 'p' must be an int >= 1, got 0"),
        (lambda: rh.fit_ar(np.ones((3, 4)), 1), "fit_ar: argument 'y' must have 1 dimensions"),
        (lambda: rh.lag_matrix(np.ones(4), 4), "lag_matrix: argument 'p' must be smaller than len\\(y\\) = 4, got 4"),
        (lambda: rh.persistence(np.array([1.0, np.nan]), [0], 1), "persistence: argument 'y' must hold finite"),
        (
            lambda: rh.persistence(np.ones(5), np.array([5]), 1),
            "persistence: argument 'origins' must lie in \\[0, 5\\)",
        ),
        (lambda: rh.seasonal_naive(np.ones(20), np.array([3]), 2, 12), "origins' must lie in \\[11, 20\\)"),
        (
            lambda: rh.seasonal_naive(np.ones(20), np.array([13]), 0, 12),
            "argument 'horizon' must be an int >= 1, got 0",
        ),
        (
            lambda: rh.ar_rollout(0.0, np.ones(3), np.ones(2), 1),
            "ar_rollout: argument 'history' must have shape \\(>= 3,\\)",
        ),
        (lambda: rh.targets_at(np.ones(5), np.array([3]), 2), "targets_at: argument 'origins' must lie in \\[0, 3\\)"),
        (lambda: rh.random_windows_1d(np.ones(5), 2, 6, np.random.default_rng()), "'length' must be <= len\\(y\\) = 5"),
    ],
)
def test_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------------------
# packing versus masking


@given(seed=seeds, N=st.integers(1, 5), T=st.integers(1, 7), D=st.integers(1, 3), H=st.integers(1, 4))
def test_packed_lstm_equals_masked_lstm_steps(seed, N, T, D, H):
    """torch.nn.LSTM on packed sequences = rh.lstm_cell over padded inputs, holding the state on padding."""
    g = torch.Generator().manual_seed(seed % 2**31)
    torch.manual_seed(seed % 2**31)
    lstm = torch.nn.LSTM(D, H, batch_first=True).double()
    lengths = torch.randint(1, T + 1, (N,), generator=g)
    x = torch.randn(N, T, D, generator=g, dtype=torch.float64)
    mask = torch.arange(T)[None] < lengths[:, None]  # (N, T)
    x_padded = torch.where(mask[..., None], x, torch.randn_like(x))  # junk padding
    packed = pack_padded_sequence(x_padded, lengths, batch_first=True, enforce_sorted=False)
    out_packed, (h_n, c_n) = lstm(packed)
    out, _ = pad_packed_sequence(out_packed, batch_first=True, total_length=T)
    weights = [p.detach() for p in lstm.parameters()]
    h = c = torch.zeros(N, H, dtype=torch.float64)
    for t in range(T):
        h_new, c_new = rh.lstm_cell(x_padded[:, t], (h, c), *weights)
        keep = mask[:, t, None]
        h, c = torch.where(keep, h_new, h), torch.where(keep, c_new, c)
        torch.testing.assert_close(torch.where(keep, h, 0.0), out[:, t], rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(h, h_n[0], rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(c, c_n[0], rtol=1e-10, atol=1e-12)
