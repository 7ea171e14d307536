"""The numpy LSTM and GRU against numerical gradients and against torch.nn with copied weights."""

import numpy as np
import pytest
import torch
from checks import assert_all_match_numerical, assert_matches_numerical, dims, seeds, steps
from hypothesis import given

import rnn_helpers as rh


def random_lstm(rng, N, T, D, H):
    x = rng.normal(size=(N, T, D))
    h0 = rng.normal(size=(N, H)) * 0.5
    Wx = rng.normal(size=(4 * H, D)) / np.sqrt(D)
    Wh = rng.normal(size=(4 * H, H)) / np.sqrt(H)
    b = rng.normal(size=4 * H) * 0.5
    return x, h0, Wx, Wh, b


@given(N=dims, D=dims, H=dims, seed=seeds)
def test_lstm_step_matches_numerical_gradients(N, D, H, seed):
    rng = np.random.default_rng(seed)
    x, h_prev, Wx, Wh, b = random_lstm(rng, N, 1, D, H)
    x, c_prev = x[:, 0], rng.normal(size=(N, H))
    dh, dc = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    args = [x, h_prev, c_prev, Wx, Wh, b]
    h, c, cache = rh.lstm_step_forward(*args)
    grads = rh.lstm_step_backward(dh, dc, cache)
    assert h.shape == c.shape == (N, H) and [g.shape for g in grads] == [a.shape for a in args]
    for i in range(len(args)):
        # the loss sum(h * dh) + sum(c * dc) reaches every input through both outputs

        def loss(v, i=i):
            h, c, _ = rh.lstm_step_forward(*[v if j == i else a for j, a in enumerate(args)])
            return np.array([np.sum(h * dh) + np.sum(c * dc)])

        assert_matches_numerical(grads[i], rh.numerical_gradient(loss, args[i], np.ones(1)))


@given(N=dims, T=steps, D=dims, H=dims, seed=seeds)
def test_lstm_sequence_matches_numerical_gradients(N, T, D, H, seed):
    rng = np.random.default_rng(seed)
    args = list(random_lstm(rng, N, T, D, H))
    dh = rng.normal(size=(N, T, H))
    h, cache = rh.lstm_forward(*args)
    grads = rh.lstm_backward(dh, cache)
    assert h.shape == (N, T, H) and [g.shape for g in grads] == [a.shape for a in args]
    assert_all_match_numerical(rh.lstm_forward, args, grads, dh)


@given(N=dims, T=steps, D=dims, H=dims, seed=seeds)
def test_lstm_sequence_matches_torch_nn_lstm_with_copied_weights(N, T, D, H, seed):
    """torch.nn.LSTM(batch_first) in float64, c_0 = 0: weight_ih_l0 -> Wx, weight_hh_l0 -> Wh, summed biases -> b."""
    torch.manual_seed(seed % 2**16)
    lstm = torch.nn.LSTM(D, H, batch_first=True).double()
    rng = np.random.default_rng(seed)
    x, h0, dh = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(N, T, H))
    Wx, Wh = lstm.weight_ih_l0.detach().numpy(), lstm.weight_hh_l0.detach().numpy()
    b = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy()

    h, cache = rh.lstm_forward(x, h0, Wx, Wh, b)
    dx, dh0, dWx, dWh, db = rh.lstm_backward(dh, cache)

    xt, h0t = torch.tensor(x, requires_grad=True), torch.tensor(h0[None], requires_grad=True)
    out, (h_last, _) = lstm(xt, (h0t, torch.zeros_like(h0t)))
    out.backward(torch.tensor(dh))
    assert rh.rel_error(h, out.detach().numpy()) < 1e-6
    assert rh.rel_error(h[:, -1], h_last[0].detach().numpy()) < 1e-6
    assert rh.rel_error(dx, xt.grad.numpy()) < 1e-6
    assert rh.rel_error(dh0, h0t.grad[0].numpy()) < 1e-6
    assert rh.rel_error(dWx, lstm.weight_ih_l0.grad.numpy()) < 1e-6
    assert rh.rel_error(dWh, lstm.weight_hh_l0.grad.numpy()) < 1e-6
    assert rh.rel_error(db, lstm.bias_ih_l0.grad.numpy()) < 1e-6
    assert rh.rel_error(db, lstm.bias_hh_l0.grad.numpy()) < 1e-6


def test_lstm_cell_state_carries_a_value_when_the_forget_gate_is_open():
    """With f = 1, i = 0 (large gate biases) the cell state is copied unchanged across 50 steps."""
    rng = np.random.default_rng(0)
    x, h0, Wx, Wh, b = random_lstm(rng, 3, 50, 2, 4)
    Wx[:, :] = 0.0
    Wh[:, :] = 0.0
    b[:4], b[4:8] = -50.0, 50.0  # input gate shut, forget gate open
    c0 = rng.normal(size=(3, 4))
    h, c = h0, c0
    for t in range(50):
        h, c, _ = rh.lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
    np.testing.assert_allclose(c, c0, rtol=1e-12)


def test_lstm_sigmoid_does_not_overflow():
    rng = np.random.default_rng(0)
    x, h0, Wx, Wh, b = random_lstm(rng, 2, 3, 2, 3)
    with np.errstate(over="raise"):
        h, _ = rh.lstm_forward(x * 1e4, h0, Wx, Wh, b)
    assert np.isfinite(h).all()


def test_lstm_bad_shapes_are_reported():
    rng = np.random.default_rng(3)
    x, h0, Wx, Wh, b = random_lstm(rng, 2, 3, 4, 5)
    with pytest.raises(ValueError, match=r"lstm_forward: argument 'Wx' must have shape \(4H, D\).*got \(19, 4\)"):
        rh.lstm_forward(x, h0, Wx[:19], Wh, b)
    with pytest.raises(ValueError, match=r"lstm_forward: argument 'Wh' must have shape \(20, 5\), got \(20, 4\)"):
        rh.lstm_forward(x, h0, Wx, Wh[:, :4], b)
    with pytest.raises(ValueError, match=r"argument 'c_prev' must have shape \(2, 5\), got \(2, 4\)"):
        rh.lstm_step_forward(x[:, 0], h0, h0[:, :4], Wx, Wh, b)
    h, cache = rh.lstm_forward(x, h0, Wx, Wh, b)
    with pytest.raises(ValueError, match=r"lstm_backward: argument 'dh' must have 3 dimensions"):
        rh.lstm_backward(h[:, 0], cache)
    with pytest.raises(ValueError, match="cache is empty"):
        rh.lstm_backward(h, [])


# ---------------------------------------------------------------------------
# numpy GRU step


def random_gru(rng, N, D, H):
    x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H)) * 0.5
    Wx = rng.normal(size=(3 * H, D)) / np.sqrt(D)
    Wh = rng.normal(size=(3 * H, H)) / np.sqrt(H)
    bx, bh = rng.normal(size=3 * H) * 0.5, rng.normal(size=3 * H) * 0.5
    return [x, h_prev, Wx, Wh, bx, bh]


@given(N=dims, D=dims, H=dims, seed=seeds)
def test_gru_step_matches_numerical_gradients(N, D, H, seed):
    rng = np.random.default_rng(seed)
    args = random_gru(rng, N, D, H)
    dh = rng.normal(size=(N, H))
    h, cache = rh.gru_step_forward(*args)
    grads = rh.gru_step_backward(dh, cache)
    assert h.shape == (N, H) and [g.shape for g in grads] == [a.shape for a in args]
    assert_all_match_numerical(rh.gru_step_forward, args, grads, dh)


@given(N=dims, D=dims, H=dims, seed=seeds)
def test_gru_step_matches_torch_nn_grucell_with_copied_weights(N, D, H, seed):
    torch.manual_seed(seed % 2**16)
    cell = torch.nn.GRUCell(D, H).double()
    rng = np.random.default_rng(seed)
    x, h_prev, dh = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    weights = [p.detach().numpy() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)]
    h, cache = rh.gru_step_forward(x, h_prev, *weights)
    dx, dh_prev, dWx, dWh, dbx, dbh = rh.gru_step_backward(dh, cache)
    xt, ht = torch.tensor(x, requires_grad=True), torch.tensor(h_prev, requires_grad=True)
    out = cell(xt, ht)
    out.backward(torch.tensor(dh))
    assert rh.rel_error(h, out.detach().numpy()) < 1e-6
    assert rh.rel_error(dx, xt.grad.numpy()) < 1e-6
    assert rh.rel_error(dh_prev, ht.grad.numpy()) < 1e-6
    for ours, p in zip((dWx, dWh, dbx, dbh), (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)):
        assert rh.rel_error(ours, p.grad.numpy()) < 1e-6


def test_gru_bad_shapes_are_reported():
    rng = np.random.default_rng(0)
    x, h_prev, Wx, Wh, bx, bh = random_gru(rng, 2, 3, 4)
    with pytest.raises(ValueError, match=r"gru_step_forward: argument 'Wx' must have shape \(3H, D\).*got \(11, 3\)"):
        rh.gru_step_forward(x, h_prev, Wx[:11], Wh, bx, bh)
    with pytest.raises(ValueError, match=r"gru_step_forward: argument 'bh' must have shape \(12,\), got \(4,\)"):
        rh.gru_step_forward(x, h_prev, Wx, Wh, bx, bh[:4])
    h, cache = rh.gru_step_forward(x, h_prev, Wx, Wh, bx, bh)
    with pytest.raises(ValueError, match=r"gru_step_backward: argument 'dh' must have shape \(2, 4\), got \(2, 3\)"):
        rh.gru_step_backward(h[:, :3], cache)
