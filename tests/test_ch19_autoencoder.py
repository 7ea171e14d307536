"""rh.autoencoder: stacked LSTMs, read-outs and sequence autoencoders against torch.nn with copied
weights (values and gradients), seeded determinism, StackedAdam against torch.optim.Adam, and the
error messages."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from rnn_helpers.autoencoder import SeqAutoencoder, StackedAdam, StackedLinear, StackedLSTM

small = st.integers(min_value=1, max_value=4)
seeds = st.integers(min_value=0, max_value=2**20)
NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def member_lstm(stacked, s, input_size=None):
    """A torch.nn.LSTM holding member s's weights (input_size 0 -> an nn.LSTM of input 1, fed zeros)."""
    D = stacked.input_size
    ref = nn.LSTM(max(D, 1), stacked.hidden_size, batch_first=True).double()
    state = {k: v[s].detach().clone() for k, v in stacked.state_dict().items()}
    if D == 0:
        state["weight_ih_l0"] = torch.zeros(4 * stacked.hidden_size, 1, dtype=torch.float64)
    ref.load_state_dict(state)
    return ref


@settings(deadline=None, max_examples=6)
@given(S=small, N=small, T=small, D=small, H=small, seed=seeds)
def test_stacked_lstm_members_match_nn_lstm_values_and_gradients(S, N, T, D, H, seed):
    torch.manual_seed(seed)
    lstm = StackedLSTM(S, D, H, seeds=range(seed, seed + S)).double()
    x = torch.randn(S, N, T, D, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(S, N, H, dtype=torch.float64)
    c0 = torch.randn(S, N, H, dtype=torch.float64)
    out, (h, c) = lstm(x, (h0, c0))
    assert out.shape == (S, N, T, H) and h.shape == c.shape == (S, N, H)
    w = torch.randn_like(out)
    (out * w).sum().backward()
    for s in range(S):
        ref = member_lstm(lstm, s)
        xs = x[s].detach().clone().requires_grad_(True)
        ro, (rh_, rc) = ref(xs, (h0[s][None], c0[s][None]))
        torch.testing.assert_close(out[s], ro, rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(h[s], rh_[0], rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(c[s], rc[0], rtol=1e-10, atol=1e-12)
        (ro * w[s]).sum().backward()
        torch.testing.assert_close(x.grad[s], xs.grad, rtol=1e-10, atol=1e-12)
        for name in NAMES:
            torch.testing.assert_close(getattr(lstm, name).grad[s], getattr(ref, name).grad, rtol=1e-10, atol=1e-12)


@settings(deadline=None, max_examples=6)
@given(S=small, N=small, T=small, H=small, seed=seeds)
def test_input_free_decoder_is_nn_lstm_fed_zeros(S, N, T, H, seed):
    torch.manual_seed(seed)
    dec = StackedLSTM(S, 0, H, seeds=range(S)).double()
    h0, c0 = torch.randn(2, S, N, H, dtype=torch.float64)
    out, (h, c) = dec(None, (h0, c0), steps=T)
    for s in range(S):
        ref = member_lstm(dec, s)
        ro, (rh_, rc) = ref(torch.zeros(N, T, 1, dtype=torch.float64), (h0[s][None], c0[s][None]))
        torch.testing.assert_close(out[s], ro, rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(c[s], rc[0], rtol=1e-10, atol=1e-12)


@given(S=small, N=small, D=small, H=small)
def test_stacked_linear_members_are_nn_linear(S, N, D, H):
    lin = StackedLinear(S, H, D).double()
    x = torch.randn(S, N, 3, H, dtype=torch.float64)
    y = lin(x)
    assert y.shape == (S, N, 3, D)
    for s in range(S):
        ref = nn.Linear(H, D).double()
        ref.load_state_dict({"weight": lin.weight[s], "bias": lin.bias[s]})
        torch.testing.assert_close(y[s], ref(x[s]), rtol=1e-10, atol=1e-12)


@settings(deadline=None, max_examples=6)
@given(S=small, N=small, T=st.integers(1, 5), K=st.integers(0, 3), D=small, H=small, data=st.data())
def test_autoencoder_members_match_torch_nn_parts(S, N, T, K, D, H, data):
    reverse = data.draw(st.lists(st.booleans(), min_size=S, max_size=S))
    ae = SeqAutoencoder(S, D, H, future=K, seeds=range(S), reverse=reverse).double()
    x = torch.rand(N, T, D, dtype=torch.float64)
    out = ae(x)
    assert out.recon.shape == (S, N, T, D) and out.future.shape == (S, N, K, D) and out.code.shape == (S, N, 2 * H)
    for s in range(S):
        _, (h, c) = member_lstm(ae.encoder, s)(x)
        torch.testing.assert_close(out.code[s], torch.cat([h[0], c[0]], 1), rtol=1e-10, atol=1e-12)
        parts = [("decoder", T, reverse[s], out.recon[s])] + ([("predictor", K, False, out.future[s])] if K else [])
        for part, steps, rev, got in parts:
            hs, _ = member_lstm(getattr(ae, part), s)(torch.zeros(N, steps, 1, dtype=torch.float64), (h, c))
            readout = getattr(ae, f"{part}_out")
            scores = hs @ readout.weight[s].T + readout.bias[s]  # (N, steps, D), decoding order
            torch.testing.assert_close(got, scores.flip(1) if rev else scores, rtol=1e-10, atol=1e-12)


def test_seeded_determinism_and_members_independent_of_the_stack():
    a = SeqAutoencoder(3, 5, 4, future=2, seeds=[7, 8, 9])
    b = SeqAutoencoder(3, 5, 4, future=2, seeds=[7, 8, 9])
    alone = SeqAutoencoder(1, 5, 4, future=2, seeds=[8])
    other = SeqAutoencoder(1, 5, 4, future=2, seeds=[10])
    for k, v in a.state_dict().items():
        assert torch.equal(v, b.state_dict()[k])
        assert torch.equal(v[1], alone.state_dict()[k][0])  # seed 8 is seed 8, whatever the stack
        if k != "reverse" and v[1].numel():
            assert not torch.equal(v[1], other.state_dict()[k][0])
    assert (a.encoder.bias_ih_l0[:, 4:8] == 1).all() and (a.encoder.bias_hh_l0[:, 4:8] == 0).all()  # b_f = 1


def test_stacked_adam_matches_torch_adam_per_member():
    rates = [1e-3, 3e-2, 0.1]
    ae = SeqAutoencoder(3, 4, 3, future=2, seeds=[0, 1, 2]).double()
    refs = [SeqAutoencoder(1, 4, 3, future=2, seeds=[s]).double() for s in range(3)]
    opt = StackedAdam(ae.parameters(), rates)
    opts = [torch.optim.Adam(r.parameters(), lr=lr) for r, lr in zip(refs, rates, strict=True)]
    x = torch.rand(3, 5, 4, 4, dtype=torch.float64)
    for _ in range(3):
        out = ae(x[:, :, :3])
        ((out.recon - x[:, :, :3]) ** 2).sum().add((out.future**2).sum()).backward()
        opt.step()
        for s, (r, o) in enumerate(zip(refs, opts, strict=True)):
            o.zero_grad()
            ro = r(x[s : s + 1, :, :3])
            ((ro.recon - x[s : s + 1, :, :3]) ** 2).sum().add((ro.future**2).sum()).backward()
            o.step()
    for s, r in enumerate(refs):
        for k, v in r.state_dict().items():
            torch.testing.assert_close(ae.state_dict()[k][s], v[0], rtol=1e-9, atol=1e-12)


def test_error_messages_name_the_argument():
    with pytest.raises(ValueError, match="'members' must be an int >= 1"):
        StackedLSTM(0, 3, 2)
    with pytest.raises(ValueError, match="'seeds' must hold members = 2"):
        StackedLSTM(2, 3, 2, seeds=[1])
    with pytest.raises(ValueError, match=r"input must have shape \(S, N, T, D\) = \(2, N, T, 3\), got \(2, 1, 4, 5\)"):
        StackedLSTM(2, 3, 2)(torch.zeros(2, 1, 4, 5))
    with pytest.raises(ValueError, match="x = None needs input_size = 0"):
        StackedLSTM(2, 3, 2)(None, steps=3)
    with pytest.raises(ValueError, match="'reverse' must be a bool or 2 bools, got 3"):
        SeqAutoencoder(2, 3, 2, reverse=[True, False, True])
    with pytest.raises(ValueError, match="'future' must be an int >= 0"):
        SeqAutoencoder(2, 3, 2, future=-1)
    with pytest.raises(ValueError, match=r"input must have shape \(S, N, T, D\) = \(2, N, T, 3\) or \(N, T, 3\)"):
        SeqAutoencoder(2, 3, 2)(torch.zeros(1, 4, 5))
    with pytest.raises(ValueError, match="'rates' must hold one rate per member, 2, got 3"):
        StackedAdam(SeqAutoencoder(2, 3, 2).parameters(), [0.1, 0.1, 0.1])
    with pytest.raises(ValueError, match="'min\\(rates\\)' must be > 0"):
        StackedAdam(SeqAutoencoder(2, 3, 2).parameters(), [0.1, 0.0])
