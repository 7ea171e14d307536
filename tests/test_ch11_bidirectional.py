"""rh.Bidirectional against torch.nn's bidirectional LSTM, GRU and RNN with loaded state_dicts."""

import pytest
import torch
from checks import seeds
from hypothesis import given
from hypothesis import strategies as st

from rnn_helpers.bidirectional import Bidirectional

TORCH = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "tanh": torch.nn.RNN}
small = st.integers(min_value=1, max_value=4)
cells = st.sampled_from(sorted(TORCH))
layers = st.integers(min_value=1, max_value=2)


def pair(cell, D, H, L, seed):
    torch.manual_seed(seed % 2**16)
    ref = TORCH[cell](D, H, num_layers=L, bidirectional=True, batch_first=True).double()
    ours = Bidirectional(cell, D, H, num_layers=L).double()
    return ours, ref


def random_state(cell, L, N, H):
    h0 = torch.randn(2 * L, N, H, dtype=torch.float64)
    return (h0, torch.randn_like(h0)) if cell == "lstm" else h0


@given(cell=cells, N=small, T=small, D=small, H=small, L=layers, seed=seeds, zero_state=st.booleans())
def test_matches_torch_nn_outputs_final_state_and_gradients(cell, N, T, D, H, L, seed, zero_state):
    ours, ref = pair(cell, D, H, L, seed)
    ours.load_state_dict(ref.state_dict())  # torch.nn -> ours
    x = torch.randn(N, T, D, dtype=torch.float64)
    state = None if zero_state else random_state(cell, L, N, H)
    dout = torch.randn(N, T, 2 * H, dtype=torch.float64)
    results = []
    for model in (ours, ref):
        xi = x.clone().requires_grad_()
        out, fin = model(xi, state)
        (out * dout).sum().backward()
        fin = fin if cell == "lstm" else (fin,)
        results.append([out, *fin, xi.grad] + [p.grad for p in model.parameters()])
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    for a, b in zip(*results):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-10)


@given(cell=cells, N=small, T=small, D=small, H=small, L=layers, seed=seeds)
def test_state_dict_loads_into_torch_nn(cell, N, T, D, H, L, seed):
    ours, ref = pair(cell, D, H, L, seed + 1)
    ref.load_state_dict(ours.state_dict())  # ours -> torch.nn
    x = torch.randn(N, T, D, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(ours(x)[0], ref(x)[0], rtol=1e-9, atol=1e-10)


@given(cell=cells, N=small, T=st.integers(2, 5), D=small, H=small, L=layers, seed=seeds)
def test_layout_of_output_and_h_n(cell, N, T, D, H, L, seed):
    """Forward half first; backward half at t is the state after x_T..x_t; h_n is layer-major."""
    ours, _ = pair(cell, D, H, L, seed)
    x = torch.randn(N, T, D, dtype=torch.float64)
    with torch.no_grad():
        out, fin = ours(x)
        h_n = fin[0] if cell == "lstm" else fin
        assert out.shape == (N, T, 2 * H) and h_n.shape == (2 * L, N, H)
        torch.testing.assert_close(h_n[-2], out[:, -1, :H])  # last layer forward: after x_T
        torch.testing.assert_close(h_n[-1], out[:, 0, H:])  # last layer backward: after x_1
        if L > 1:  # above layer 1 every output depends on the whole sequence
            return
        # the backward half at t depends only on x_t..x_T: change x_1 and steps t >= 2 stay
        x2 = x.clone()
        x2[:, 0] += 1.0
        out2 = ours(x2)[0]
        torch.testing.assert_close(out2[:, 1:, H:], out[:, 1:, H:])
        # ... and the forward half at t only on x_1..x_t: change x_T and steps t < T stay
        x3 = x.clone()
        x3[:, -1] += 1.0
        torch.testing.assert_close(ours(x3)[0][:, :-1, :H], out[:, :-1, :H])
        # the backward half is a forward network (the reverse weights) run on the flipped input
        fwd = Bidirectional(cell, D, H).double()
        rev = {k.replace("_reverse", ""): v for k, v in ours.state_dict().items() if "_reverse" in k}
        fwd.load_state_dict({**rev, **{k + "_reverse": v for k, v in rev.items()}})
        torch.testing.assert_close(fwd(x.flip(1))[0][:, :, :H].flip(1), out[:, :, H:])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(cell="rnn", input_size=2, hidden_size=3), "'cell' must be one of"),
        (dict(cell="gru", input_size=0, hidden_size=3), "'input_size' must be > 0, got 0"),
        (dict(cell="gru", input_size=2, hidden_size=-1), "'hidden_size' must be > 0, got -1"),
        (dict(cell="lstm", input_size=2, hidden_size=3, num_layers=0), "'num_layers' must be > 0"),
        (dict(cell="lstm", input_size=2, hidden_size=3.0), "'hidden_size' must be an int"),
    ],
)
def test_constructor_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Bidirectional(**kwargs)


def test_forward_errors():
    gru, lstm = Bidirectional("gru", 2, 3, num_layers=2), Bidirectional("lstm", 2, 3)
    with pytest.raises(ValueError, match=r"'x' must have shape \(N, T, D\) with D = 2, got \(4, 5, 3\)"):
        gru(torch.zeros(4, 5, 3))
    with pytest.raises(ValueError, match=r"'x' must have shape .* got \(4, 2\)"):
        gru(torch.zeros(4, 2))
    with pytest.raises(ValueError, match=r"'state' must have shape \(2L, N, H\) = \(4, 4, 3\), got \(2, 4, 3\)"):
        gru(torch.zeros(4, 5, 2), torch.zeros(2, 4, 3))
    with pytest.raises(ValueError, match=r"'state' must be \(h_0, c_0\)"):
        lstm(torch.zeros(4, 5, 2), torch.zeros(2, 4, 3))
