"""Bouncing balls in a box with gravity, and the non-learned forecasters that predict them.

Chapter 15 trains recurrent networks to predict where a ball will be. This
module holds what is not learned: the seeded simulator, and two baselines,
constant velocity and a constant-velocity Kalman filter, written out in numpy.
Units: metres (m), seconds (s); a position is (p_x, p_y), with p_y pointing up (up the slope of a tilted table).
Symbols follow Chapter 15 (the book keeps g for the LSTM's candidate, so gravity is G).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import check_array, check_positive


class Motion(NamedTuple):
    """What :func:`bouncing_balls` returns; every array is batch first."""

    positions: np.ndarray  # (N, T, 2) true positions p_t, m
    velocities: np.ndarray  # (N, T, 2) true velocities v_t, m/s
    bounced: np.ndarray  # (N, T) bool: a wall was hit during (t-1, t]
    observed: np.ndarray  # (N, T, 2) p_t + noise, what a model sees


def _time_to_walls(p, v, grav, box):
    """Time until each ball first reaches a vertical wall and a horizontal wall: two (N,) arrays."""
    x, y, vx, vy = p[:, 0], p[:, 1], v[:, 0], v[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        # x(u) = x + vx u: the wall the ball moves towards
        t_x = np.where(vx > 0, (box - x) / vx, np.where(vx < 0, -x / vx, np.inf))
        # y(u) = y + vy u - grav u^2 / 2 (roots written to avoid cancellation)
        root = np.sqrt(np.maximum(vy**2 + 2 * grav * y, 0.0))
        floor = np.where(vy <= 0, 2 * y / (root - vy), np.where(grav > 0, (root + vy) / max(grav, 1e-300), np.inf))
        floor = np.where((y <= 0) & (vy <= 0), 0.0, floor)  # on the floor and not rising: in contact now
        disc = vy**2 - 2 * grav * (box - y)  # >= 0: the parabola reaches the ceiling
        ceiling = np.where((vy > 0) & (disc >= 0), 2 * (box - y) / (vy + np.sqrt(np.maximum(disc, 0))), np.inf)
    t_y = np.minimum(np.nan_to_num(floor, nan=np.inf), ceiling)
    return np.maximum(t_x, 0.0), np.maximum(t_y, 0.0)


def bouncing_balls(
    n: int,
    steps: int,
    *,
    dt: float = 0.05,
    gravity: float = 2.0,
    restitution: float = 1.0,
    box: float = 1.0,
    speed: float = 1.5,
    noise: float = 0.0,
    seed=0,
    max_events: int = 8,
) -> Motion:
    r"""Simulate ``n`` point balls in a square box under gravity, sampled every ``dt`` seconds.

    Between two wall contacts a ball moves on the exact parabola of constant acceleration,

    .. math::

        p(t + u) = p(t) + v(t)\,u + \tfrac12 u^2 (0, -G), \qquad
        v(t + u) = v(t) + u\,(0, -G),

    where :math:`p = (p_x, p_y)` is the position in metres inside :math:`[0, \ell]^2`
    (``box`` = :math:`\ell`), :math:`v = (v_x, v_y)` the velocity in m/s, :math:`u \ge 0` a
    time in s and :math:`G` the gravitational acceleration in m/s^2, along :math:`-p_y`.

    At a wall the velocity component normal to it is reversed and scaled by the
    coefficient of restitution :math:`e`: :math:`v_x \to -e\,v_x` at the side walls,
    :math:`v_y \to -e\,v_y` at the floor and ceiling. The integrator is event-driven: within a
    step it solves for the time u of the next contact, moves the ball there exactly, reflects,
    and goes on with the rest of the step, so there is no time-step error and, with
    :math:`e = 1`, the energy per unit mass :math:`E = \tfrac12 \lVert v \rVert^2 + G\,p_y` is
    conserved to round-off (:func:`ball_energy`). Start
    positions are uniform in the middle 80 % of the box and start velocities uniform in
    ``[-speed, speed]^2``. Observations add independent Gaussian noise of sd ``noise`` (m).
    With :math:`e < 1` a ball can come to rest on the floor: if a step holds more than
    ``max_events`` contacts, the ball finishes the step on its parabola, is clipped into the
    box, and loses its velocity across the wall it left. A ball at rest on the floor is in
    contact at every step, so its ``bounced`` is True at every step from then on.

    Args:
        n: number of balls (independent trajectories), N.
        steps: number of samples per trajectory, T (the first is the start state).
        dt: sampling interval in s.
        gravity: G in m/s^2, >= 0 (2.0: a frictionless table tilted by about 12 degrees).
        restitution: e in [0, 1]; 1 is elastic.
        box: side :math:`\ell` of the box in m.
        speed: largest start speed per axis in m/s.
        noise: sd of the observation noise in m, >= 0.
        seed: an int, or a ``numpy.random.Generator`` (used as it is, and advanced).

    Shapes:
        positions, velocities, observed: (N, T, 2); bounced: (N, T), ``bounced[:, 0]`` False,
        ``bounced[:, t]`` True if a wall was touched during (t-1, t] (every step, for a ball at rest).
    """
    fn = "bouncing_balls"
    check_positive(fn, "n", n)
    check_positive(fn, "steps", steps)
    check_positive(fn, "dt", dt)
    check_positive(fn, "box", box)
    check_positive(fn, "max_events", max_events)
    if not gravity >= 0:
        raise ValueError(f"{fn}: argument 'gravity' must be >= 0, got {gravity}")
    if not 0 <= restitution <= 1:
        raise ValueError(f"{fn}: argument 'restitution' must lie in [0, 1], got {restitution}")
    if not speed >= 0 or not noise >= 0:
        raise ValueError(f"{fn}: arguments 'speed' and 'noise' must be >= 0, got {speed} and {noise}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    p = box * rng.uniform(0.1, 0.9, size=(n, 2))  # (N, 2)
    v = rng.uniform(-speed, speed, size=(n, 2))  # (N, 2)
    a = np.array([0.0, -gravity])
    P, V, B = [p.copy()], [v.copy()], [np.zeros(n, bool)]
    for _ in range(steps - 1):
        left, hit = np.full(n, dt), np.zeros(n, bool)  # time left in this step; wall contact
        for _ in range(max_events):
            t_x, t_y = _time_to_walls(p, v, gravity, box)  # (N,) each
            t_hit = np.minimum(t_x, t_y)  # the next contact, if it comes in time
            tau = np.minimum(t_hit, left)[:, None]  # (N, 1) time u to move: until then
            p = p + v * tau + 0.5 * a * tau**2  # along the parabola, exactly
            v = v + a * tau
            contact = t_hit <= left
            left = left - tau[:, 0]
            wall_x, wall_y = contact & (t_x == t_hit), contact & (t_y == t_hit)
            v[:, 0] = np.where(wall_x, -restitution * v[:, 0], v[:, 0])  # reflect and damp
            v[:, 1] = np.where(wall_y, -restitution * v[:, 1], v[:, 1])
            hit |= contact
            if not contact.any():
                break
        else:  # contacts left unresolved (a ball coming to rest): finish the step, then clip
            tau = left[:, None]
            p, v = p + v * tau + 0.5 * a * tau**2, v + a * tau
            out = (p < 0) | (p > box)  # (N, 2)
            v = np.where(out, 0.0, v)
        p = np.clip(p, 0.0, box)  # otherwise only removes round-off at a wall
        P.append(p.copy())
        V.append(v.copy())
        B.append(hit)
    positions, velocities = np.stack(P, 1), np.stack(V, 1)  # (N, T, 2)
    observed = positions + noise * rng.standard_normal(positions.shape)
    return Motion(positions, velocities, np.stack(B, 1), observed)


def ball_energy(positions: np.ndarray, velocities: np.ndarray, gravity: float) -> np.ndarray:
    r"""Mechanical energy per unit mass, :math:`E = \tfrac12 \lVert v \rVert^2 + G\,p_y`, in J/kg.

    Shapes: positions and velocities (..., 2) -> E (...).
    """
    if positions.shape != velocities.shape or positions.shape[-1:] != (2,):
        raise ValueError(
            f"ball_energy: 'positions' and 'velocities' must both have shape (..., 2), "
            f"got {positions.shape} and {velocities.shape}"
        )
    return 0.5 * (velocities**2).sum(-1) + gravity * positions[..., 1]


def constant_velocity_forecast(observed: np.ndarray, horizon: int) -> np.ndarray:
    r"""Extrapolate the last observed step: :math:`\hat p_{T+k} = \tilde p_T + k\,(\tilde p_T - \tilde p_{T-1})`.

    Args:
        observed: the observed positions :math:`\tilde p_1, \dots, \tilde p_T`, (N, T, 2), T >= 2.
        horizon: K, the number of future steps to predict.

    Shapes: observed (N, T, 2) -> forecast (N, K, 2), the predictions for steps T+1 .. T+K.
    """
    check_array("constant_velocity_forecast", "observed", observed, shape=(None, None, 2))
    check_positive("constant_velocity_forecast", "horizon", horizon)
    if observed.shape[1] < 2:
        raise ValueError(f"constant_velocity_forecast: 'observed' needs T >= 2 steps, got {observed.shape[1]}")
    step = observed[:, -1] - observed[:, -2]  # (N, 2) the last displacement
    k = np.arange(1, horizon + 1)[None, :, None]  # (1, K, 1)
    return observed[:, -1:] + k * step[:, None]  # (N, K, 2)


def cv_model(dt: float, q: float):
    r"""The constant-velocity state-space model: transition F, process noise Q, observation matrix Pi.

    State :math:`\xi = (p_x, p_y, v_x, v_y)`; :math:`\xi_{t+1} = F \xi_t + \omega_t` and
    :math:`\tilde p_t = \Pi \xi_t + \nu_t`, with

    .. math::

        F = \begin{pmatrix} I & \Delta t\, I \\ 0 & I \end{pmatrix}, \quad
        Q = \lambda \begin{pmatrix} \Delta t^3/3\; I & \Delta t^2/2\; I \\
        \Delta t^2/2\; I & \Delta t\; I \end{pmatrix}, \quad
        \Pi = \begin{pmatrix} I & 0 \end{pmatrix},

    where Q is the covariance of the process noise :math:`\omega_t` that a white-noise
    acceleration of intensity :math:`\lambda` (argument ``q``, m^2/s^3) builds up over one step,
    :math:`\Pi` picks the position out of the state, and I is the 2x2 identity.

    Returns:
        F (4, 4), Q (4, 4), Pi (2, 4).
    """
    check_positive("cv_model", "dt", dt)
    if not q >= 0:
        raise ValueError(f"cv_model: argument 'q' must be >= 0, got {q}")
    eye, zero = np.eye(2), np.zeros((2, 2))
    F = np.block([[eye, dt * eye], [zero, eye]])
    Q = q * np.block([[dt**3 / 3 * eye, dt**2 / 2 * eye], [dt**2 / 2 * eye, dt * eye]])
    return F, Q, np.block([eye, zero])


def kalman_cv(observed: np.ndarray, dt: float, q: float, r: float, *, m0=None, p0=(1.0, 1.0)):
    r"""Filter observed positions with the constant-velocity Kalman filter of :func:`cv_model`.

    Starting from the prior :math:`\xi_1 \sim \mathcal N(\hat\xi_1^-, \Sigma_1^-)`, every step
    corrects with the observation :math:`\tilde p_t` and then predicts:

    .. math::

        \begin{aligned}
        \Gamma_t &= \Sigma_t^- \Pi^\top (\Pi \Sigma_t^- \Pi^\top + R)^{-1}, &
        \hat\xi_t &= \hat\xi_t^- + \Gamma_t (\tilde p_t - \Pi \hat\xi_t^-), &
        \Sigma_t &= (I - \Gamma_t \Pi) \Sigma_t^-, \\
        \hat\xi_{t+1}^- &= F \hat\xi_t, & \Sigma_{t+1}^- &= F \Sigma_t F^\top + Q,
        \end{aligned}

    where :math:`\hat\xi^-, \Sigma^-` are the predicted (prior) mean and covariance,
    :math:`\hat\xi, \Sigma` the filtered ones, :math:`\Gamma_t` the Kalman gain and
    :math:`R = r^2 I` the covariance of the observation noise (``r``, its sd in m). The covariances do not
    depend on the data, so one gain per step serves all N sequences.

    Args:
        observed: the observed positions, (N, T, 2).
        dt, q: as in :func:`cv_model`.
        r: sd of the observation noise in m, > 0.
        m0: prior mean :math:`\hat\xi_1^-` (4,); default: the middle of the unit box, at rest.
        p0: prior variances of each position and each velocity coordinate (diagonal of
            :math:`\Sigma_1^-`).

    Returns:
        means (N, T, 4) and covariances (T, 4, 4) of the filtered states.
    """
    check_array("kalman_cv", "observed", observed, shape=(None, None, 2))
    check_positive("kalman_cv", "r", r)
    F, Q, Pi = cv_model(dt, q)
    xi = np.tile(np.array([0.5, 0.5, 0.0, 0.0]) if m0 is None else np.asarray(m0, float), (len(observed), 1))
    Sigma = np.diag([p0[0], p0[0], p0[1], p0[1]]).astype(float)  # (4, 4)
    R = r**2 * np.eye(2)
    means, covs = [], []
    for t in range(observed.shape[1]):
        gain = Sigma @ Pi.T @ np.linalg.inv(Pi @ Sigma @ Pi.T + R)  # (4, 2) Gamma_t
        xi = xi + (observed[:, t] - xi @ Pi.T) @ gain.T  # (N, 4) correct with observation t
        Sigma = (np.eye(4) - gain @ Pi) @ Sigma
        means.append(xi)
        covs.append(Sigma)
        xi, Sigma = xi @ F.T, F @ Sigma @ F.T + Q  # predict step t+1
    return np.stack(means, 1), np.stack(covs)


def kalman_cv_forecast(observed: np.ndarray, horizon: int, dt: float, q: float, r: float, **prior) -> np.ndarray:
    r"""Filter ``observed`` with :func:`kalman_cv`, then predict K steps: :math:`\hat p_{T+k} = \Pi F^k \hat\xi_T`.

    Args: as :func:`kalman_cv` (``prior`` takes its ``m0`` and ``p0``); horizon: K.

    Shapes: observed (N, T, 2) -> forecast (N, K, 2), the predictions for steps T+1 .. T+K.
    """
    check_positive("kalman_cv_forecast", "horizon", horizon)
    means, _ = kalman_cv(observed, dt, q, r, **prior)
    F, _, Pi = cv_model(dt, q)
    xi, out = means[:, -1], []  # (N, 4)
    for _ in range(horizon):
        xi = xi @ F.T
        out.append(xi @ Pi.T)
    return np.stack(out, 1)  # (N, K, 2)
