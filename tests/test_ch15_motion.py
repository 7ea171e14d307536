"""rh.bouncing_balls and the motion baselines against closed forms, a naive simulation and batch least squares."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnn_helpers as rh

seeds = st.integers(0, 2**31 - 1)


def test_shapes_dtypes_and_seeded_determinism():
    m = rh.bouncing_balls(7, 13, noise=0.01, seed=5)
    assert m.positions.shape == m.velocities.shape == m.observed.shape == (7, 13, 2)
    assert m.bounced.shape == (7, 13) and m.bounced.dtype == bool and not m.bounced[:, 0].any()
    again = rh.bouncing_balls(7, 13, noise=0.01, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(m, again))
    other = rh.bouncing_balls(7, 13, noise=0.01, seed=6)
    assert not np.array_equal(m.positions, other.positions)
    rng = np.random.default_rng(5)
    first = rh.bouncing_balls(7, 13, noise=0.01, seed=rng)  # a Generator is used as it is, and advanced
    assert all(np.array_equal(a, b) for a, b in zip(m, first))
    assert not np.array_equal(rh.bouncing_balls(7, 13, seed=rng).positions, m.positions)
    clean = rh.bouncing_balls(7, 13, seed=5)
    assert np.array_equal(clean.observed, clean.positions)  # noise 0: observations are exact


@given(seed=seeds, g=st.floats(0.0, 10.0), dt=st.floats(0.01, 0.2))
def test_elastic_balls_conserve_energy_and_stay_in_the_box(seed, g, dt):
    m = rh.bouncing_balls(20, 60, dt=dt, gravity=g, restitution=1.0, seed=seed)
    energy = rh.ball_energy(m.positions, m.velocities, g)  # (N, T)
    assert np.abs(energy - energy[:, :1]).max() < 1e-9 * (1 + np.abs(energy).max())
    assert (m.positions >= 0).all() and (m.positions <= 1).all()
    assert m.bounced.any()  # the walls were tested, not only free flight


@given(seed=seeds, e=st.floats(0.3, 0.99))
def test_restitution_below_one_only_loses_energy(seed, e):
    m = rh.bouncing_balls(10, 60, restitution=e, seed=seed)
    energy = rh.ball_energy(m.positions, m.velocities, 2.0)
    assert (np.diff(energy, axis=1) <= 1e-9).all()
    lost = energy[:, -1] < energy[:, 0] - 1e-6
    assert (lost == m.bounced[:, 1:].any(1)).all()  # energy is lost exactly where a contact happened
    assert (m.positions >= 0).all() and (m.positions <= 1).all()


@given(seed=seeds)
def test_free_flight_is_the_closed_form_parabola(seed):
    m = rh.bouncing_balls(50, 12, dt=0.03, gravity=3.0, seed=seed)
    t = np.arange(12) * 0.03
    free = ~m.bounced.any(1)
    assert free.any()
    p0, v0 = m.positions[free, :1], m.velocities[free, :1]  # (n, 1, 2)
    a = np.array([0.0, -3.0])
    expected = p0 + v0 * t[:, None] + 0.5 * a * t[:, None] ** 2
    np.testing.assert_allclose(m.positions[free], expected, atol=1e-12)


def test_no_gravity_gives_the_triangle_wave():
    m = rh.bouncing_balls(30, 100, dt=0.07, gravity=0.0, seed=4)
    t = np.arange(100) * 0.07
    for p0, v0, p in zip(m.positions[:, 0], m.velocities[:, 0], m.positions):
        u = (p0 + v0 * t[:, None]) % 2.0  # unfold the box: reflect at 0 and 1
        np.testing.assert_allclose(p, np.where(u > 1, 2 - u, u), atol=1e-9)


def naive_ball(p, v, steps, dt, g, e, sub=400):
    """One ball with many tiny semi-implicit Euler steps, mirrored at the walls."""
    p, v, out, h = p.copy(), v.copy(), [p.copy()], dt / sub
    for _ in range(steps - 1):
        for _ in range(sub):
            v[1] -= g * h
            p += v * h
            for k in range(2):
                if p[k] < 0 or p[k] > 1:
                    p[k] = -p[k] if p[k] < 0 else 2 - p[k]
                    v[k] = -e * v[k]
        out.append(p.copy())
    return np.array(out)


def test_matches_a_naive_fine_step_simulation():
    m = rh.bouncing_balls(2, 25, dt=0.05, gravity=2.0, restitution=0.8, seed=11)
    assert m.bounced.any()
    for p, v in zip(m.positions, m.velocities):
        assert np.abs(naive_ball(p[0], v[0], 25, 0.05, 2.0, 0.8) - p).max() < 2e-3


def test_constant_velocity_is_exact_on_straight_lines():
    rng = np.random.default_rng(0)
    start, step = rng.normal(size=(4, 1, 2)), rng.normal(size=(4, 1, 2))
    line = start + step * np.arange(15)[None, :, None]  # (4, 15, 2)
    forecast = rh.constant_velocity_forecast(line[:, :9], 6)
    assert forecast.shape == (4, 6, 2)
    np.testing.assert_allclose(forecast, line[:, 9:], atol=1e-12)


def test_kalman_with_no_process_noise_is_least_squares():
    """Q = 0 and a vague prior: the filtered state is the least-squares line through the observations."""
    rng = np.random.default_rng(1)
    t = np.arange(11) * 0.05
    z = 0.3 + 0.7 * t[None, :, None] + 0.01 * rng.normal(size=(3, 11, 2))
    means, _ = rh.kalman_cv(z, 0.05, 0.0, 0.01, p0=(1e6, 1e6))
    for n in range(3):
        for d in range(2):
            slope, intercept = np.polyfit(t, z[n, :, d], 1)
            assert abs(means[n, -1, d] - (slope * t[-1] + intercept)) < 1e-6
            assert abs(means[n, -1, 2 + d] - slope) < 1e-5


def batch_posterior(z, dt, q, r, m0, P0):
    """Mean and covariance of the last state given all observations, from one big linear least squares."""
    F, Q, Pi = rh.cv_model(dt, q)
    T = len(z)
    rows, rhs = [], []

    def block(t, M):  # M acting on state t, as a row block of the 4T unknowns
        row = np.zeros((M.shape[0], 4 * T))
        row[:, 4 * t : 4 * t + 4] = M
        return row

    Wp, Wq = np.linalg.inv(np.linalg.cholesky(P0)), np.linalg.inv(np.linalg.cholesky(Q))
    rows.append(block(0, Wp))
    rhs.append(Wp @ m0)
    for t in range(T):
        rows.append(block(t, Pi / r))
        rhs.append(z[t] / r)
        if t + 1 < T:
            rows.append(block(t + 1, Wq) - block(t, Wq @ F))
            rhs.append(np.zeros(4))
    A, b = np.vstack(rows), np.concatenate(rhs)
    cov = np.linalg.inv(A.T @ A)
    mean = cov @ A.T @ b
    return mean[-4:], cov[-4:, -4:]


@given(seed=seeds, T=st.integers(1, 12), q=st.floats(0.05, 20.0), r=st.floats(0.001, 0.1))
def test_kalman_filter_matches_the_batch_posterior(seed, T, q, r):
    rng = np.random.default_rng(seed)
    z = rng.uniform(0, 1, size=(2, T, 2))
    m0 = np.array([0.5, 0.5, 0.0, 0.0])
    means, covs = rh.kalman_cv(z, 0.05, q, r)
    assert means.shape == (2, T, 4) and covs.shape == (T, 4, 4)
    for n in range(2):
        mean, cov = batch_posterior(z[n], 0.05, q, r, m0, np.eye(4))
        np.testing.assert_allclose(means[n, -1], mean, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(covs[-1], cov, rtol=1e-6, atol=1e-10)


def joint_prior(T, dt, q, xi0, Sigma0):
    """Mean (4T,) and covariance (4T, 4T) of the states xi_1..xi_T under the model, before any observation."""
    F, Q, _ = rh.cv_model(dt, q)
    # xi_t = F^(t-1) xi_1 + sum_{j<t} F^(t-1-j) w_j: a linear map L of (xi_1, w_1, ..., w_{T-1})
    L = np.zeros((4 * T, 4 * T))
    for t in range(T):
        for j in range(t + 1):  # j = 0 is xi_1, j >= 1 is w_j
            L[4 * t : 4 * t + 4, 4 * j : 4 * j + 4] = np.linalg.matrix_power(F, t - j)
    D = np.zeros((4 * T, 4 * T))
    D[:4, :4] = Sigma0
    for j in range(1, T):
        D[4 * j : 4 * j + 4, 4 * j : 4 * j + 4] = Q
    mean = L[:, :4] @ xi0  # (4T,)
    return mean, L @ D @ L.T


@settings(max_examples=10)
@given(seed=seeds, q=st.floats(0.05, 20.0), r=st.floats(0.001, 0.1))
def test_every_filtered_state_is_exact_gaussian_conditioning(seed, q, r):
    """For lambda > 0: at every t, the filtered mean and covariance are those of xi_t given obs 1..t."""
    T, dt = 6, 0.05
    obs = np.random.default_rng(seed).uniform(0, 1, size=(1, T, 2))
    xi0, Sigma0 = np.array([0.5, 0.5, 0.0, 0.0]), np.eye(4)
    means, covs = rh.kalman_cv(obs, dt, q, r)
    mean, cov = joint_prior(T, dt, q, xi0, Sigma0)
    Pi = rh.cv_model(dt, q)[2]
    for t in range(T):
        big_pi = np.kron(np.eye(t + 1), Pi)  # (2(t+1), 4(t+1)): positions of xi_1..xi_t
        c_all = cov[: 4 * (t + 1), : 4 * (t + 1)]
        c_t = cov[4 * t : 4 * t + 4, : 4 * (t + 1)]  # Cov(xi_t, xi_1..xi_t)
        S = big_pi @ c_all @ big_pi.T + r**2 * np.eye(2 * (t + 1))
        innovation = obs[0, : t + 1].ravel() - big_pi @ mean[: 4 * (t + 1)]
        gain = c_t @ big_pi.T @ np.linalg.inv(S)
        np.testing.assert_allclose(means[0, t], mean[4 * t : 4 * t + 4] + gain @ innovation, rtol=1e-6, atol=1e-9)
        expected_cov = cov[4 * t : 4 * t + 4, 4 * t : 4 * t + 4] - gain @ big_pi @ c_t.T
        np.testing.assert_allclose(covs[t], expected_cov, rtol=1e-6, atol=1e-10)


@given(seed=seeds, K=st.integers(1, 8))
def test_kalman_forecast_is_the_matrix_power_of_F(seed, K):
    z = np.random.default_rng(seed).uniform(size=(3, 6, 2))
    F, _, Pi = rh.cv_model(0.05, 1.0)
    m_T = rh.kalman_cv(z, 0.05, 1.0, 0.01)[0][:, -1]  # (N, 4)
    expected = np.stack([m_T @ np.linalg.matrix_power(F, k).T @ Pi.T for k in range(1, K + 1)], 1)
    np.testing.assert_allclose(rh.kalman_cv_forecast(z, K, 0.05, 1.0, 0.01), expected, atol=1e-12)


def test_input_checks():
    with pytest.raises(ValueError, match="bouncing_balls: argument 'n' must be > 0, got 0"):
        rh.bouncing_balls(0, 5)
    with pytest.raises(ValueError, match=r"bouncing_balls: argument 'restitution' must lie in \[0, 1\], got 1.5"):
        rh.bouncing_balls(3, 5, restitution=1.5)
    with pytest.raises(ValueError, match="bouncing_balls: argument 'gravity' must be >= 0, got -1"):
        rh.bouncing_balls(3, 5, gravity=-1)
    with pytest.raises(ValueError, match="bouncing_balls: arguments 'speed' and 'noise' must be >= 0"):
        rh.bouncing_balls(3, 5, noise=-0.1)
    with pytest.raises(ValueError, match="ball_energy: 'positions' and 'velocities' must both have shape"):
        rh.ball_energy(np.zeros((3, 2)), np.zeros((3, 3)), 1.0)
    with pytest.raises(
        ValueError, match=r"constant_velocity_forecast: argument 'observed' must have shape \(\?, \?, 2\)"
    ):
        rh.constant_velocity_forecast(np.zeros((3, 4, 3)), 2)
    with pytest.raises(ValueError, match="constant_velocity_forecast: 'observed' needs T >= 2 steps, got 1"):
        rh.constant_velocity_forecast(np.zeros((3, 1, 2)), 2)
    with pytest.raises(ValueError, match="constant_velocity_forecast: argument 'horizon' must be > 0, got 0"):
        rh.constant_velocity_forecast(np.zeros((3, 4, 2)), 0)
    with pytest.raises(ValueError, match="kalman_cv: argument 'r' must be > 0, got 0"):
        rh.kalman_cv(np.zeros((3, 4, 2)), 0.05, 1.0, 0)
    with pytest.raises(ValueError, match="cv_model: argument 'q' must be >= 0, got -1"):
        rh.cv_model(0.05, -1)
    with pytest.raises(ValueError, match="kalman_cv_forecast: argument 'horizon' must be > 0, got 0"):
        rh.kalman_cv_forecast(np.zeros((3, 4, 2)), 0, 0.05, 1.0, 0.01)
