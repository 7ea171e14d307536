"""The numpy RNN layer against numerical gradients and against torch.nn.RNN with copied weights."""

import numpy as np
import pytest
import torch
from checks import assert_all_match_numerical, dims, seeds, steps
from hypothesis import given

import rnn_helpers as rh


def random_layer(rng, N, T, D, H, scale=1.0):
    x = rng.normal(size=(N, T, D))
    h0 = rng.normal(size=(N, H)) * 0.5
    Wx = rng.normal(size=(H, D)) * scale / np.sqrt(D)
    Wh = rng.normal(size=(H, H)) * scale / np.sqrt(H)
    b = rng.normal(size=H) * 0.1
    return x, h0, Wx, Wh, b


@given(N=dims, D=dims, H=dims, seed=seeds)
def test_step_matches_numerical_gradients(N, D, H, seed):
    rng = np.random.default_rng(seed)
    x, h_prev, Wx, Wh, b = random_layer(rng, N, 1, D, H)
    x = x[:, 0]
    dh = rng.normal(size=(N, H))
    h, cache = rh.rnn_step_forward(x, h_prev, Wx, Wh, b)
    grads = rh.rnn_step_backward(dh, cache)
    args = [x, h_prev, Wx, Wh, b]
    assert h.shape == (N, H) and [g.shape for g in grads] == [a.shape for a in args]
    assert_all_match_numerical(rh.rnn_step_forward, args, grads, dh)


@given(N=dims, T=steps, D=dims, H=dims, seed=seeds)
def test_sequence_matches_numerical_gradients(N, T, D, H, seed):
    rng = np.random.default_rng(seed)
    args = list(random_layer(rng, N, T, D, H))
    dh = rng.normal(size=(N, T, H))
    h, cache = rh.rnn_forward(*args)
    grads = rh.rnn_backward(dh, cache)
    assert h.shape == (N, T, H) and [g.shape for g in grads] == [a.shape for a in args]
    assert_all_match_numerical(rh.rnn_forward, args, grads, dh)


@given(N=dims, T=steps, D=dims, H=dims, seed=seeds)
def test_sequence_matches_torch_nn_rnn_with_copied_weights(N, T, D, H, seed):
    """torch.nn.RNN(tanh, batch_first) in float64: weight_ih_l0 -> Wx, weight_hh_l0 -> Wh, summed biases -> b."""
    torch.manual_seed(seed % 2**16)
    rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True).double()
    rng = np.random.default_rng(seed)
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    dh = rng.normal(size=(N, T, H))
    Wx, Wh = rnn.weight_ih_l0.detach().numpy(), rnn.weight_hh_l0.detach().numpy()
    b = (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().numpy()

    h, cache = rh.rnn_forward(x, h0, Wx, Wh, b)
    dx, dh0, dWx, dWh, db = rh.rnn_backward(dh, cache)

    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)  # torch wants (layers, N, H)
    out, h_last = rnn(xt, h0t)
    out.backward(torch.tensor(dh))
    assert rh.rel_error(h, out.detach().numpy()) < 1e-6
    assert rh.rel_error(h[:, -1], h_last[0].detach().numpy()) < 1e-6
    assert rh.rel_error(dx, xt.grad.numpy()) < 1e-6
    assert rh.rel_error(dh0, h0t.grad[0].numpy()) < 1e-6
    assert rh.rel_error(dWx, rnn.weight_ih_l0.grad.numpy()) < 1e-6
    assert rh.rel_error(dWh, rnn.weight_hh_l0.grad.numpy()) < 1e-6
    # both torch biases receive the same gradient, which is our db
    assert rh.rel_error(db, rnn.bias_ih_l0.grad.numpy()) < 1e-6
    assert rh.rel_error(db, rnn.bias_hh_l0.grad.numpy()) < 1e-6


def test_sequence_is_the_step_applied_with_shared_weights():
    rng = np.random.default_rng(1)
    x, h0, Wx, Wh, b = random_layer(rng, 2, 4, 3, 5)
    h, _ = rh.rnn_forward(x, h0, Wx, Wh, b)
    h_t = h0
    for t in range(4):
        h_t = np.tanh(x[:, t] @ Wx.T + h_t @ Wh.T + b)
        np.testing.assert_allclose(h[:, t], h_t, rtol=1e-12, atol=0)


def test_float32_inputs_stay_float32():
    rng = np.random.default_rng(2)
    args = [a.astype(np.float32) for a in random_layer(rng, 2, 3, 3, 4)]
    h, cache = rh.rnn_forward(*args)
    assert h.dtype == np.float32
    assert all(g.dtype == np.float32 for g in rh.rnn_backward(np.ones_like(h), cache))


def test_bad_shapes_are_reported():
    rng = np.random.default_rng(3)
    x, h0, Wx, Wh, b = random_layer(rng, 2, 3, 4, 5)
    with pytest.raises(ValueError, match=r"rnn_forward: argument 'x' must have shape \(2, 3, 4\), got \(2, 3, 7\)"):
        rh.rnn_forward(rng.normal(size=(2, 3, 7)), h0, Wx, Wh, b)
    with pytest.raises(ValueError, match=r"rnn_forward: argument 'h0' must have shape \(2, 5\), got \(3, 5\)"):
        rh.rnn_forward(x, rng.normal(size=(3, 5)), Wx, Wh, b)
    with pytest.raises(ValueError, match=r"rnn_step_forward: argument 'Wh' must have shape \(5, 5\), got \(5, 4\)"):
        rh.rnn_step_forward(x[:, 0], h0, Wx, Wh[:, :4], b)
    with pytest.raises(ValueError, match=r"rnn_forward: argument 'x' must have 3 dimensions, got shape \(2, 4\)"):
        rh.rnn_forward(x[:, 0], h0, Wx, Wh, b)
    h, cache = rh.rnn_forward(x, h0, Wx, Wh, b)
    expected = r"rnn_backward: argument 'dh' must have 3 dimensions, shape \(2, 3, 5\), got shape \(2, 5\)"
    with pytest.raises(ValueError, match=expected):
        rh.rnn_backward(h[:, 0], cache)
    with pytest.raises(ValueError, match="floating dtype"):
        rh.rnn_forward(x.astype(np.int64), h0, Wx, Wh, b)
