"""Tools for looking at gradient sizes: Jacobian norms through time, clipping, recurrent matrices."""

from __future__ import annotations

import numpy as np

from ._checks import check_array, check_positive


def spectral_radius(W: np.ndarray) -> float:
    """``rho(W) = max_i |lambda_i(W)|``, the largest eigenvalue magnitude of a square matrix."""
    check_array("spectral_radius", "W", W, ndim=2)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"spectral_radius: argument 'W' must be square, got shape {W.shape}")
    return float(np.abs(np.linalg.eigvals(W)).max())


def recurrent_matrix(H: int, radius: float, kind: str = "gaussian", seed: int = 0) -> np.ndarray:
    """A random (H, H) recurrent matrix with spectral radius exactly ``radius``.

    ``kind="gaussian"``: i.i.d. normal entries, rescaled. ``kind="orthogonal"``: a random
    orthogonal matrix (from the QR decomposition of a Gaussian one) times ``radius``, so
    that every singular value, not only the largest eigenvalue, equals ``radius``.
    """
    check_positive("recurrent_matrix", "H", H)
    check_positive("recurrent_matrix", "radius", radius)
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((H, H))
    if kind == "gaussian":
        return A * (radius / spectral_radius(A))
    if kind == "orthogonal":
        Q, R = np.linalg.qr(A)
        Q = Q * np.sign(np.diag(R))  # fix signs so Q is uniformly distributed
        return radius * Q
    raise ValueError(f"recurrent_matrix: argument 'kind' must be 'gaussian' or 'orthogonal', got {kind!r}")


def hidden_jacobian_norms(Wh: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Spectral norms of ``dh_T / dh_{T-j}`` for j = 0 .. T, for one tanh RNN sequence.

    With ``h_t = tanh(W^h h_{t-1} + ...)`` each step's Jacobian is
    ``J_t = dh_t / dh_{t-1} = diag(1 - h_t^2) W^h``, and
    ``dh_T / dh_k = J_T J_{T-1} ... J_{k+1}``: a product of T - k matrices.

    Args:
        Wh: recurrent weights (H, H).
        h: the hidden states h_1 .. h_T of one sequence, shape (T, H).

    Returns:
        norms, shape (T + 1,): ``norms[j] = ||dh_T / dh_{T-j}||_2`` (``norms[0] = 1``, the identity).
    """
    check_array("hidden_jacobian_norms", "Wh", Wh, ndim=2)
    H = Wh.shape[0]
    check_array("hidden_jacobian_norms", "Wh", Wh, shape=(H, H))
    check_array("hidden_jacobian_norms", "h", h, shape=(None, H))
    T = h.shape[0]
    norms = np.empty(T + 1)
    P = np.eye(H)  # dh_T / dh_T
    norms[0] = 1.0
    for j in range(1, T + 1):
        t = T - j + 1  # multiply on the right by J_t, walking back from t = T
        P = P @ ((1.0 - h[t - 1] ** 2)[:, None] * Wh)  # (H, H)
        norms[j] = np.linalg.norm(P, 2)
    return norms


def clip_grad_norm(grads: list[np.ndarray], max_norm: float):
    """Rescale a list of gradients so that their global L2 norm is at most ``max_norm``.

    ``g <- g * min(1, max_norm / ||g||)`` with ``||g|| = sqrt(sum_i ||g_i||^2)``: the
    direction is kept and only the length is capped (Pascanu et al., 2013).

    Returns:
        (clipped, norm): new arrays (the inputs are not modified) and the norm before clipping.
    """
    check_positive("clip_grad_norm", "max_norm", max_norm)
    for i, g in enumerate(grads):
        check_array("clip_grad_norm", f"grads[{i}]", g)
    norm = float(np.sqrt(sum(float((g**2).sum()) for g in grads)))
    scale = min(1.0, max_norm / (norm + 1e-12))
    return [g * scale for g in grads], norm
