"""The adding problem and the gradient-size tools."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import rnn_helpers as rh


@given(n=st.integers(1, 20), T=st.integers(2, 30), seed=st.integers(0, 1000))
def test_adding_problem_marks_two_positions_and_sums_them(n, T, seed):
    X, y = rh.make_adding_problem(n, T, seed)
    assert X.shape == (n, T, 2) and y.shape == (n,) and X.dtype == y.dtype == np.float32
    markers = X[..., 1]
    np.testing.assert_array_equal(markers.sum(axis=1), 2.0)
    assert np.all(markers[:, : T // 2].sum(axis=1) == 1)  # one in each half
    np.testing.assert_allclose(y, (X[..., 0] * markers).sum(axis=1), rtol=1e-6)
    assert np.all((X[..., 0] >= 0) & (X[..., 0] < 1))


def test_adding_problem_baseline_and_determinism():
    X, y = rh.make_adding_problem(50_000, 20, seed=0)
    assert abs(((y - 1.0) ** 2).mean() - rh.ADDING_BASELINE_MSE) < 0.005
    X2, y2 = rh.make_adding_problem(50_000, 20, seed=0)
    np.testing.assert_array_equal(X, X2)
    with pytest.raises(ValueError, match="'T' must be >= 2, got 1"):
        rh.make_adding_problem(3, 1)


@pytest.mark.parametrize("kind", ["gaussian", "orthogonal"])
@given(H=st.integers(1, 12), radius=st.floats(0.1, 3.0), seed=st.integers(0, 1000))
def test_recurrent_matrix_has_the_requested_spectral_radius(kind, H, radius, seed):
    W = rh.recurrent_matrix(H, radius, kind=kind, seed=seed)
    assert W.shape == (H, H)
    assert abs(rh.spectral_radius(W) - radius) < 1e-8 * max(1, radius)
    if kind == "orthogonal":
        np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), radius, rtol=1e-10)


@given(T=st.integers(1, 8), H=st.integers(1, 5), seed=st.integers(0, 1000))
def test_jacobian_norms_match_autograd(T, H, seed):
    """||dh_T/dh_{T-j}||_2 from the helper against the Jacobian torch.autograd computes."""
    rng = np.random.default_rng(seed)
    Wh = rng.normal(size=(H, H))
    xs = rng.normal(size=(T, H))

    def run(h_start, start):
        h = h_start
        for t in range(start, T):
            h = torch.tanh(torch.tensor(Wh) @ h + torch.tensor(xs[t]))
        return h

    states = [torch.tensor(rng.normal(size=H))]  # h_0, h_1, ..., h_T
    for t in range(T):
        states.append(torch.tanh(torch.tensor(Wh) @ states[-1] + torch.tensor(xs[t])))
    norms = rh.hidden_jacobian_norms(Wh, torch.stack(states[1:]).numpy())
    assert norms.shape == (T + 1,) and norms[0] == 1.0
    for j in range(1, T + 1):
        k = T - j
        J = torch.autograd.functional.jacobian(lambda v, k=k: run(v, k), states[k])  # dh_T / dh_k
        assert abs(norms[j] - torch.linalg.matrix_norm(J, 2).item()) < 1e-9 * max(1.0, norms[j])


def test_clip_grad_norm_matches_torch_and_keeps_direction():
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 4)) * 10, rng.normal(size=5) * 10]
    clipped, norm = rh.clip_grad_norm(grads, 1.0)
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    torch_norm = torch.nn.utils.clip_grad_norm_(params, 1.0)
    assert abs(norm - torch_norm.item()) < 1e-10
    for c, p in zip(clipped, params):
        np.testing.assert_allclose(c, p.grad.numpy(), rtol=1e-5)
    assert abs(np.sqrt(sum((c**2).sum() for c in clipped)) - 1.0) < 1e-9
    small, small_norm = rh.clip_grad_norm([np.full(4, 0.1)], 1.0)
    np.testing.assert_array_equal(small[0], np.full(4, 0.1))  # under the cap: unchanged
    with pytest.raises(ValueError, match="'max_norm' must be > 0, got -1"):
        rh.clip_grad_norm(grads, -1)


def test_copy_task_layout():
    X, y = rh.make_copy_task(50, delay=7, length=4, alphabet=5, seed=1)
    assert X.shape == y.shape == (50, 7 + 8) and X.dtype == y.dtype == np.int64
    blank, marker = 5, 6
    np.testing.assert_array_equal(y[:, -4:], X[:, :4])  # the targets repeat the symbols
    assert (X[:, :4] < 5).all() and (y[:, :-4] == blank).all()
    assert (X[:, 4 + 7 - 1] == marker).all() and (X == marker).sum() == 50
    assert (np.delete(X, [0, 1, 2, 3, 10], axis=1) == blank).all()
    X2, _ = rh.make_copy_task(50, delay=7, length=4, alphabet=5, seed=1)
    np.testing.assert_array_equal(X, X2)


def test_copy_baseline_is_the_loss_of_blanks_then_uniform_guesses():
    X, y = rh.make_copy_task(200, delay=5, length=3, alphabet=4, seed=0)
    logits = torch.full((200, 11, 6), -1e9)
    logits[:, :8, 4] = 0.0  # certain blank while nothing is to be recalled
    logits[:, 8:, :4] = 0.0  # uniform over the 4 symbols afterwards
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 6), torch.as_tensor(y).reshape(-1))
    assert abs(loss.item() - rh.copy_baseline_loss(5, length=3, alphabet=4)) < 1e-6


def test_copy_task_rejects_bad_arguments():
    with pytest.raises(ValueError, match="make_copy_task: argument 'delay' must be > 0, got 0"):
        rh.make_copy_task(3, delay=0)
    with pytest.raises(ValueError, match="'alphabet' must be >= 2, got 1"):
        rh.make_copy_task(3, delay=2, alphabet=1)


def test_many_to_many_shapes_and_errors():
    for cell in ("rnn", "gru", "lstm"):
        model = rh.ManyToMany(3, 8, 5, cell=cell)
        assert model(torch.randn(2, 7, 3)).shape == (2, 7, 5)
    with pytest.raises(ValueError, match=r"ManyToMany: 'x' must have shape \(N, T, 3\), got \(2, 7\)"):
        rh.ManyToMany(3, 8, 5)(torch.randn(2, 7))
    with pytest.raises(ValueError, match="'cell' must be one of"):
        rh.ManyToMany(3, 8, 5, cell="clockwork")
