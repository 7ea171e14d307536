"""Chapter 10's stacked RNN against torch.nn (loaded state_dicts), a naive loop and autograd."""

import pytest
import torch
from checks import assert_same_outputs_and_grads, seeds
from hypothesis import given
from hypothesis import strategies as st

import rnn_helpers as rh

small = st.integers(min_value=1, max_value=4)
layers = st.integers(min_value=1, max_value=4)
TORCH = {"tanh": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
CELLS = sorted(TORCH)


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


@pytest.mark.parametrize("cell", CELLS)
@given(N=small, T=small, D=small, H=small, L=layers, seed=seeds, train=st.booleans())
def test_stack_loads_torch_state_dict_and_matches(cell, N, T, D, H, L, seed, train):
    """Outputs, final states and every gradient equal torch.nn's, in eval mode and in train mode (p = 0)."""
    torch.manual_seed(seed % 2**16)
    theirs = TORCH[cell](D, H, num_layers=L, batch_first=True).double()
    ours = rh.StackedRNN(cell, D, H, L).double()
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [(n, p.shape) for n, p in theirs.named_parameters()]
    ours.load_state_dict(theirs.state_dict())
    ours.train(train), theirs.train(train)
    x = torch.randn(N, T, D, dtype=torch.float64)
    h0 = torch.randn(L, N, H, dtype=torch.float64)
    state = (h0, torch.randn_like(h0)) if cell == "lstm" else h0
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    out1, s1 = ours(x1, state)
    out2, s2 = theirs(x2, state)
    assert out1.shape == (N, T, H) and all(s.shape == (L, N, H) for s in as_tuple(s1))
    assert_same_outputs_and_grads(ours, theirs, (out1, *as_tuple(s1)), (out2, *as_tuple(s2)), x1, x2)


def test_state_dict_loads_the_other_way_and_zero_state_is_the_default():
    torch.manual_seed(0)
    ours, theirs = rh.StackedRNN("lstm", 3, 4, 2), torch.nn.LSTM(3, 4, num_layers=2, batch_first=True)
    theirs.load_state_dict(ours.state_dict())
    x = torch.randn(2, 5, 3)
    torch.testing.assert_close(ours(x)[0], theirs(x)[0])
    zeros = torch.zeros(2, 2, 4)
    torch.testing.assert_close(ours(x)[0], ours(x, (zeros, zeros))[0])


@pytest.mark.parametrize("cell", CELLS)
@given(L=st.integers(min_value=1, max_value=3), H=small, seed=seeds)
def test_parameter_count_matches_torch(cell, L, H, seed):
    D = 1 + seed % 7
    ref = TORCH[cell](D, H, num_layers=L)
    assert rh.stack_parameter_count(cell, D, H, L) == sum(p.numel() for p in ref.parameters())
    assert rh.stack_parameter_count(cell, D, H, L) == sum(p.numel() for p in rh.StackedRNN(cell, D, H, L).parameters())


def naive_residual_stack(model, x):
    """A direct transcription of the residual equations with one loop over layers and one over time."""
    names = ("weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l")
    below = x  # (N, T, D): what layer 1 reads
    for k in range(model.num_layers):
        w_ih, w_hh, b_ih, b_hh = (getattr(model, f"{n}{k}") for n in names)
        h = x.new_zeros(x.shape[0], model.hidden_size)
        hs = []
        for t in range(x.shape[1]):
            h = torch.tanh(below[:, t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
            hs.append(h)
        out = torch.stack(hs, dim=1)
        below = out + below if k > 0 else out  # skip connection from layer 2 on
    return below


@given(L=layers, N=small, T=small, D=small, H=small, seed=seeds)
def test_residual_stack_matches_a_naive_loop_and_its_gradients_autograd(L, N, T, D, H, seed):
    torch.manual_seed(seed % 2**16)
    model = rh.StackedRNN("tanh", D, H, L, residual=True).double()
    x = torch.randn(N, T, D, dtype=torch.float64, requires_grad=True)
    out = model(x)[0]
    ref = naive_residual_stack(model, x)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    w = torch.randn_like(out)
    params = [x, *model.parameters()]
    g_ours = torch.autograd.grad((out * w).sum(), params)
    g_ref = torch.autograd.grad((ref * w).sum(), params)
    for a, b in zip(g_ours, g_ref):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_residual_gives_the_output_an_identity_path_to_layer_1():
    """With skips, the output is h^{(1)} plus the upper layers' terms: zero weights above leave h^{(1)} alone."""
    torch.manual_seed(0)
    model = rh.StackedRNN("tanh", 3, 4, 4, residual=True).double()
    plain = rh.StackedRNN("tanh", 3, 4, 4).double()
    with torch.no_grad():
        for m in (model, plain):
            for name, p in m.named_parameters():
                if not name.endswith("_l0"):
                    p.zero_()  # layers 2..4 compute tanh(0) = 0
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    layer1 = rh.StackedRNN("tanh", 3, 4, 1).double()
    layer1.load_state_dict({k: v for k, v in model.state_dict().items() if k.endswith("_l0")})
    torch.testing.assert_close(model(x)[0], layer1(x)[0])  # the output is layer 1's states
    assert plain(x)[0].abs().max() == 0  # without the skips nothing gets through


def test_dropout_statistics_in_train_mode_and_none_in_eval_mode():
    """Between layers only: the input of layer 2 has about p zeros, survivors scaled by 1 / (1 - p)."""
    torch.manual_seed(0)
    p = 0.3
    model = rh.StackedRNN("lstm", 2, 64, 2, dropout=p)
    captured = {}
    model.eval()
    x = torch.randn(16, 20, 2)
    clean = model(x)[0]
    torch.testing.assert_close(model(x)[0], clean)  # eval: deterministic, no dropout
    nodrop = rh.StackedRNN("lstm", 2, 64, 2)
    nodrop.load_state_dict(model.state_dict())
    torch.testing.assert_close(nodrop(x)[0], clean)
    model.train()
    original = torch.nn.functional.dropout

    def spy(t, q, training):
        out = original(t, q, training)
        captured["in"], captured["out"] = t.detach(), out.detach()
        return out

    rh.deep.F.dropout = spy
    try:
        model(x)
    finally:
        rh.deep.F.dropout = original
    inp, out = captured["in"], captured["out"]
    zero = out == 0
    assert abs(zero.float().mean().item() - p) < 0.02  # 20,480 entries: sd of the fraction ~0.003
    torch.testing.assert_close(out[~zero], inp[~zero] / (1 - p))
    one_layer = rh.StackedRNN("lstm", 2, 8, 1, dropout=p).train()  # a single layer has no dropout
    torch.testing.assert_close(one_layer(x)[0], one_layer.eval()(x)[0])


def test_bad_arguments_are_reported():
    with pytest.raises(ValueError, match="argument 'cell' must be one of"):
        rh.StackedRNN("rnn", 2, 3, 2)
    with pytest.raises(ValueError, match="argument 'num_layers' must be > 0, got 0"):
        rh.StackedRNN("lstm", 2, 3, 0)
    with pytest.raises(ValueError, match=r"argument 'dropout' must be in \[0, 1\), got 1.0"):
        rh.StackedRNN("gru", 2, 3, 2, dropout=1.0)
    with pytest.raises(ValueError, match="argument 'hidden_size' must be > 0"):
        rh.StackedRNN("tanh", 2, 0, 2)
    model = rh.StackedRNN("lstm", 2, 3, 2)
    with pytest.raises(ValueError, match=r"input must have shape \(N, T, D\) with D = 2, got \(4, 5, 3\)"):
        model(torch.randn(4, 5, 3))
    with pytest.raises(ValueError, match=r"'state' must be \(h_0, c_0\), each of shape \(2, 4, 3\)"):
        model(torch.randn(4, 5, 2), torch.zeros(2, 4, 3))
    with pytest.raises(ValueError, match=r"'state' must be h_0 of shape \(2, 4, 3\), got \[\(1, 4, 3\)\]"):
        rh.StackedRNN("gru", 2, 3, 2)(torch.randn(4, 5, 2), torch.zeros(1, 4, 3))
    with pytest.raises(ValueError, match="stack_parameter_count: argument 'cell'"):
        rh.stack_parameter_count("LSTM", 2, 3, 1)
    with pytest.raises(ValueError, match="stack_parameter_count: argument 'num_layers' must be > 0"):
        rh.stack_parameter_count("lstm", 2, 3, 0)
