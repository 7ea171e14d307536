"""The torch-from-scratch LSTM and GRU against torch.nn: same state_dict, same outputs, same gradients."""

import pytest
import torch
from checks import assert_same_outputs_and_grads, seeds
from hypothesis import given
from hypothesis import strategies as st

import rnn_helpers as rh

small = st.integers(min_value=1, max_value=5)
layers = st.integers(min_value=1, max_value=3)

PAIRS = {"lstm": (rh.LSTM, torch.nn.LSTM), "gru": (rh.GRU, torch.nn.GRU)}
CELL_PAIRS = {"lstm": (rh.LSTMCell, torch.nn.LSTMCell), "gru": (rh.GRUCell, torch.nn.GRUCell)}


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@given(N=small, T=small, D=small, H=small, L=layers, seed=seeds)
def test_layer_loads_torch_state_dict_and_matches(kind, N, T, D, H, L, seed):
    torch.manual_seed(seed % 2**16)
    Ours, Theirs = PAIRS[kind]
    theirs = Theirs(D, H, num_layers=L, batch_first=True).double()
    ours = Ours(D, H, num_layers=L).double()
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [(n, p.shape) for n, p in theirs.named_parameters()]
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(N, T, D, dtype=torch.float64)
    h0 = torch.randn(L, N, H, dtype=torch.float64)
    state = (h0, torch.randn_like(h0)) if kind == "lstm" else h0
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    out1, s1 = ours(x1, state)
    out2, s2 = theirs(x2, state)
    s1, s2 = (s1 if kind == "lstm" else (s1,)), (s2 if kind == "lstm" else (s2,))
    assert out1.shape == (N, T, H) and all(s.shape == (L, N, H) for s in s1)
    assert_same_outputs_and_grads(ours, theirs, (out1, *s1), (out2, *s2), x1, x2)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@given(N=small, D=small, H=small, seed=seeds)
def test_cell_loads_torch_state_dict_and_matches(kind, N, D, H, seed):
    torch.manual_seed(seed % 2**16)
    Ours, Theirs = CELL_PAIRS[kind]
    theirs, ours = Theirs(D, H).double(), Ours(D, H).double()
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(N, D, dtype=torch.float64)
    h = torch.randn(N, H, dtype=torch.float64)
    state = (h, torch.randn_like(h)) if kind == "lstm" else h
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    out1, out2 = ours(x1, state), theirs(x2, state)
    out1, out2 = (out1 if kind == "lstm" else (out1,)), (out2 if kind == "lstm" else (out2,))
    assert_same_outputs_and_grads(ours, theirs, out1, out2, x1, x2)


def test_state_dict_loads_the_other_way_and_zero_state_is_the_default():
    torch.manual_seed(0)
    ours, theirs = rh.LSTM(3, 4, num_layers=2), torch.nn.LSTM(3, 4, num_layers=2, batch_first=True)
    theirs.load_state_dict(ours.state_dict())
    x = torch.randn(2, 5, 3)
    torch.testing.assert_close(ours(x)[0], theirs(x)[0])
    cell = rh.GRUCell(3, 4)
    torch.testing.assert_close(cell(x[:, 0]), cell(x[:, 0], torch.zeros(2, 4)))


def test_initialisation_follows_torch():
    torch.manual_seed(0)
    lstm = rh.LSTM(3, 16)
    bound = 1 / 16**0.5
    for p in lstm.parameters():
        assert p.abs().max() <= bound and p.std() > bound / 3


def test_bad_input_is_reported():
    with pytest.raises(ValueError, match=r"LSTM: input must have shape \(N, T, D\) with D = 3, got \(2, 5, 4\)"):
        rh.LSTM(3, 4)(torch.randn(2, 5, 4))
    with pytest.raises(ValueError, match=r"GRUCell: input must have shape \(N, D\) with D = 3, got \(2, 5, 3\)"):
        rh.GRUCell(3, 4)(torch.randn(2, 5, 3))
    with pytest.raises(ValueError, match="num_layers' must be > 0, got 0"):
        rh.GRU(3, 4, num_layers=0)
