"""The clockwork RNN (Chapter 12): masks and schedule against their definitions, the masked layer
against a naive per-module loop (values and autograd gradients), torch.nn.RNN as the one-module
case, the operation count, the batched trainer's models, and the error messages."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from rnn_helpers.clockwork import (
    ClockworkRNN,
    _lstm_run,
    _readout,
    _tanh_run,
    clockwork_macs,
    clockwork_mask,
    clockwork_schedule,
    fit_generators,
    generator_params,
    multiscale_target,
    naive_clockwork,
    sinusoid_baseline,
)


@pytest.fixture(autouse=True)
def one_thread():
    # small operations: one thread is faster, and steady on a busy machine
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


module_lists = st.lists(st.integers(1, 4), min_size=1, max_size=4)
period_steps = st.lists(st.integers(1, 3), min_size=4, max_size=4)


def periods_for(sizes, factors):
    # non-decreasing periods, one per module: 1, then multiplied by the factors
    periods = [1]
    for f in factors[: len(sizes) - 1]:
        periods.append(periods[-1] * f)
    return periods


def module_of_units(sizes):
    return [m for m, s in enumerate(sizes) for _ in range(s)]


@given(sizes=module_lists)
def test_mask_matches_definition(sizes):
    mask, module = clockwork_mask(sizes), module_of_units(sizes)
    H = sum(sizes)
    assert mask.shape == (H, H)
    for i in range(H):
        for j in range(H):  # unit i reads unit j when j's module is as slow or slower
            assert mask[i, j] == float(module[j] >= module[i])
    assert mask.sum() == sum(a * b for m, a in enumerate(sizes) for b in sizes[m:])


@given(sizes=module_lists, factors=period_steps, T=st.integers(1, 20))
def test_schedule_matches_definition(sizes, factors, T):
    periods = periods_for(sizes, factors)
    e, module = clockwork_schedule(sizes, periods, T), module_of_units(sizes)
    assert e.shape == (T, sum(sizes)) and e.dtype == torch.bool
    for t in range(1, T + 1):
        for i, m in enumerate(module):
            assert bool(e[t - 1, i]) == (t % periods[m] == 0)


@given(
    sizes=module_lists,
    factors=period_steps,
    N=st.integers(1, 3),
    T=st.integers(1, 9),
    D=st.integers(1, 3),
    seed=st.integers(0, 2**31 - 1),
    zero_h0=st.booleans(),
)
def test_layer_matches_naive_loop_values_and_gradients(sizes, factors, N, T, D, seed, zero_h0):
    periods = periods_for(sizes, factors)
    torch.manual_seed(seed)
    layer = ClockworkRNN(D, sizes, periods).double()
    H = layer.hidden_size
    x = torch.randn(N, T, D, dtype=torch.float64, requires_grad=True)
    h0 = None if zero_h0 else torch.randn(1, N, H, dtype=torch.float64, requires_grad=True)
    dout = torch.randn(N, T, H, dtype=torch.float64)
    out, h_T = layer(x, h0)
    names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    inputs = [x] + ([] if zero_h0 else [h0]) + [getattr(layer, n) for n in names]
    ours = torch.autograd.grad((out * dout).sum(), inputs)
    ref = naive_clockwork(x, *[getattr(layer, n) for n in names], sizes, periods, None if zero_h0 else h0[0])
    theirs = torch.autograd.grad((ref * dout).sum(), inputs)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(h_T[0], ref[:, -1], rtol=1e-12, atol=1e-12)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)
    # W^h's masked entries get no gradient and stay zero after initialisation
    masked = layer.mask == 0
    assert torch.all(ours[-3][masked] == 0) and torch.all(layer.weight_hh_l0[masked] == 0)


@given(N=st.integers(1, 3), T=st.integers(1, 8), D=st.integers(1, 3), H=st.integers(1, 5))
def test_one_module_of_period_one_is_torch_rnn(N, T, D, H):
    torch.manual_seed(N * 100 + T * 10 + D + H)
    ref = torch.nn.RNN(D, H, batch_first=True).double()
    ours = ClockworkRNN(D, [H], [1]).double()
    ours.load_state_dict({**ref.state_dict(), "mask": ours.mask})
    x, h0 = torch.randn(N, T, D, dtype=torch.float64), torch.randn(1, N, H, dtype=torch.float64)
    torch.testing.assert_close(ours(x, h0)[0], ref(x, h0)[0], rtol=1e-12, atol=1e-12)
    back = torch.nn.RNN(D, H, batch_first=True).double()
    back.load_state_dict({k: v for k, v in ours.state_dict().items() if k != "mask"})
    torch.testing.assert_close(back(x, h0)[0], ref(x, h0)[0])


@given(sizes=module_lists, factors=period_steps, D=st.integers(0, 3))
def test_macs_formula_matches_a_count_of_the_naive_loop(sizes, factors, D):
    periods = periods_for(sizes, factors)
    period = math.lcm(*periods)
    starts = np.cumsum([0] + sizes)
    counted = 0  # multiply-adds the naive loop does over one full period
    for t in range(1, period + 1):
        for m, p in enumerate(periods):
            if t % p == 0:
                counted += sizes[m] * (D + starts[-1] - starts[m])
    assert clockwork_macs(sizes, periods, D) == pytest.approx(counted / period, rel=1e-12)
    H = sum(sizes)
    assert clockwork_macs([H], [1], D) == H * (D + H)  # the SRN


def test_generator_params_match_torch_modules():
    for H in (1, 3, 7):
        lstm, out = torch.nn.LSTM(1, H), torch.nn.Linear(H, 1)
        n_torch = sum(p.numel() for p in [*lstm.parameters(), *out.parameters()])
        # no input weights (4H) and one bias per gate instead of two (4H)
        assert generator_params("lstm", [H]) == n_torch - 8 * H
        assert generator_params("srn", [H]) == H * H + 2 * H + 1
    assert generator_params("cwrnn", [2, 2, 2]) == 4 * 6 + 2 * 6 + 1


def test_batched_generators_match_single_networks():
    # the padded, stacked tanh networks compute, row for row, what each network computes alone
    T = 11
    specs = {"srn": ("srn", [3], [1]), "cw": ("cwrnn", [2, 1, 2], [1, 2, 4])}
    rows = [("srn", 0, 0.1), ("cw", 1, 0.1), ("cw", 2, 0.1)]
    p, run = _tanh_run(specs, rows, T)
    y = _readout(p, run(p))
    for r, (name, _, _) in enumerate(rows):
        sizes, periods = specs[name][1], specs[name][2]
        H = sum(sizes)
        w = p["W"][r, :H, :H]
        h = naive_clockwork(
            torch.zeros(1, T, 1), torch.zeros(H, 1), w, p["b"][r, 0, :H], torch.zeros(H), sizes, periods
        )
        torch.testing.assert_close(y[r], h[0] @ p["U"][r, :H] + p["c"][r])


def _lstm_reference(p, r, T):
    # network r of a batched LSTM group as a torch.nn.LSTM of its own, with its readout
    H = p["W"].shape[-1]
    ref = torch.nn.LSTM(1, H, batch_first=True)
    with torch.no_grad():
        ref.weight_ih_l0.zero_(), ref.bias_hh_l0.zero_()
        ref.weight_hh_l0.copy_(p["W"][r].reshape(4 * H, H))
        ref.bias_ih_l0.copy_(p["b"][r].reshape(4 * H))
    return ref, ref(torch.zeros(1, T, 1))[0][0] @ p["U"][r] + p["c"][r]


def test_batched_lstms_match_single_lstms_values_gradients_rows():
    # the block-diagonal wide LSTM computes, row for row, what torch.nn.LSTM computes alone, with the
    # same gradients, and no row's output depends on another row's weights
    T, H = 11, 3
    p, run = _lstm_run(H, [("lstm", 0, 0.1), ("lstm", 5, 0.1), ("lstm", 7, 0.1)], T, forget_bias=2.0)
    for v in p.values():
        v.requires_grad_()
    y = _readout(p, run(p))  # (3, T)
    dy = torch.randn(3, T, generator=torch.Generator().manual_seed(0))
    grads = torch.autograd.grad((y * dy).sum(), [p["W"], p["b"], p["U"]], retain_graph=True)
    for r in range(3):
        assert torch.all(p["b"][r, 1] == 2.0)  # forget-gate bias b_f as asked
        ref, y_ref = _lstm_reference(p, r, T)
        torch.testing.assert_close(y[r], y_ref, rtol=1e-5, atol=1e-6)
        g_w, g_b = torch.autograd.grad((y_ref * dy[r]).sum(), [ref.weight_hh_l0, ref.bias_ih_l0])
        torch.testing.assert_close(grads[0][r], g_w.view(4, H, H), rtol=1e-4, atol=1e-6)
        torch.testing.assert_close(grads[1][r], g_b.view(4, H), rtol=1e-4, atol=1e-6)
    # row independence: row 1's output has zero gradient with respect to rows 0 and 2
    g_w = torch.autograd.grad(y[1].sum(), p["W"])[0]
    assert torch.all(g_w[[0, 2]] == 0) and g_w[1].abs().sum() > 0


def test_fit_generators_rows_are_independent_and_learn():
    target = multiscale_target(24, seed=3)
    specs = {"cw": ("cwrnn", [2, 2], [1, 2]), "lstm": ("lstm", [2], [1])}
    both = fit_generators(specs, target, [0, 1], {"cw": [0.01, 0.03], "lstm": [0.03]}, steps=30)
    alone = fit_generators({"cw": specs["cw"]}, target, [1], {"cw": [0.03]}, steps=30)
    assert both["cw"]["nmse"].shape == (2, 2) and both["lstm"]["curve"].shape == (30, 1, 2)
    np.testing.assert_allclose(both["cw"]["nmse"][1, 1], alone["cw"]["nmse"][0, 0], rtol=1e-4)
    assert np.all(both["cw"]["curve"][-1] < both["cw"]["curve"][0])  # training lowers the loss
    # LSTM rows with clipping: each network trains as it would alone
    lstm_alone = fit_generators({"lstm": specs["lstm"]}, target, [1], {"lstm": [0.03]}, steps=30)
    np.testing.assert_allclose(both["lstm"]["nmse"][0, 1], lstm_alone["lstm"]["nmse"][0, 0], rtol=1e-4)
    # the tail is the mean of the last 10% of the curve; y, h, U and c are consistent
    np.testing.assert_allclose(both["cw"]["tail"], both["cw"]["curve"][-3:].mean(0), rtol=1e-6)
    for n in specs:
        y = np.einsum("rsth,rsh->rst", both[n]["h"], both[n]["U"]) + both[n]["c"][..., None]
        np.testing.assert_allclose(both[n]["y"], y, rtol=1e-4, atol=1e-5)


def test_clipping_bounds_each_rows_gradient():
    # a huge clip changes nothing; a tiny one changes the path (Adam sees rescaled gradients)
    target = multiscale_target(24, seed=3)
    specs = {"srn": ("srn", [3], [1]), "lstm": ("lstm", [2], [1])}
    kw = dict(seeds=[0], rates={"srn": [0.03], "lstm": [0.03]}, steps=15)
    free, huge = fit_generators(specs, target, clip=None, **kw), fit_generators(specs, target, clip=1e9, **kw)
    tiny = fit_generators(specs, target, clip=1e-3, **kw)
    for n in specs:
        np.testing.assert_allclose(free[n]["curve"], huge[n]["curve"], rtol=1e-6)
        assert not np.allclose(free[n]["curve"][-1], tiny[n]["curve"][-1], rtol=1e-3)


def test_readout_baseline_and_spectral_radius_of_untrained_networks():
    T = 30
    target = multiscale_target(T, seed=1)
    specs = {"cw": ("cwrnn", [2, 3], [1, 4])}
    out = fit_generators(specs, target, [4], {"cw": [0.01]}, steps=1)
    p, run = _tanh_run(specs, [("cw", 4, 0.01)], T)  # the same initial weights
    with torch.no_grad():
        h = run(p)[0].double().numpy()  # (T, H)
    X = np.concatenate([h, np.ones((T, 1))], 1)
    y = target.double().numpy()
    fit = X @ np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(out["cw"]["readout"][0, 0], ((fit - y) ** 2).mean() / y.var(), rtol=1e-6)
    rho = np.abs(np.linalg.eigvals(p["W"][0].numpy())).max()
    np.testing.assert_allclose(out["cw"]["rho"][0, 0], rho, rtol=1e-5)


def test_target_and_sinusoid_baseline():
    y = multiscale_target(320, seed=0)
    assert y.shape == (320,) and y.abs().max().item() == pytest.approx(1.0)
    assert abs(y.mean().item()) < 1e-6
    torch.testing.assert_close(y, multiscale_target(320, seed=0))
    assert not torch.allclose(y, multiscale_target(320, seed=1))
    t = torch.arange(100, dtype=torch.float64)
    nmse, fit, period = sinusoid_baseline(0.3 + torch.sin(2 * math.pi * t / 17 + 1))
    assert nmse < 1e-4 and abs(period - 17) < 0.1 and fit.shape == (100,)
    assert 0 < sinusoid_baseline(y)[0] < 1


def test_error_messages():
    with pytest.raises(ValueError, match=r"^clockwork_mask: argument 'module_sizes' must be a non-empty list"):
        clockwork_mask([])
    with pytest.raises(ValueError, match=r"'periods' must have one period per module \(2\), got 3"):
        clockwork_schedule([1, 2], [1, 2, 4], 5)
    with pytest.raises(ValueError, match=r"'periods' must be sorted fast to slow.*got \[4, 1\]"):
        ClockworkRNN(2, [1, 1], [4, 1])
    with pytest.raises(ValueError, match=r"'periods' must hold positive ints, got \[0\]"):
        clockwork_macs([3], [0])
    with pytest.raises(ValueError, match=r"'T' must be a positive int, got 0"):
        clockwork_schedule([1], [1], 0)
    with pytest.raises(ValueError, match=r"^ClockworkRNN: argument 'x' must have shape \(N, T, 2\), got \(3, 4, 5\)$"):
        ClockworkRNN(2, [1], [1])(torch.zeros(3, 4, 5))
    with pytest.raises(ValueError, match=r"'h0' must have shape \(1, 3, 2\), got \(3, 2\)"):
        ClockworkRNN(2, [1, 1], [1, 2])(torch.zeros(3, 4, 2), torch.zeros(3, 2))
    with pytest.raises(ValueError, match=r"'input_size' must be a positive int, got 0"):
        ClockworkRNN(0, [1], [1])
    with pytest.raises(ValueError, match=r"'kind' must be 'srn', 'cwrnn' or 'lstm', got 'gru'"):
        generator_params("gru", [3])
    with pytest.raises(ValueError, match=r"'T' must be an int >= 2, got 1"):
        multiscale_target(1)
    target, specs = multiscale_target(8), {"srn": ("srn", [2], [1])}
    with pytest.raises(ValueError, match=r"^fit_generators: argument 'clip' must be a positive number or None, got 0"):
        fit_generators(specs, target, [0], {"srn": [0.1]}, 3, clip=0)
    with pytest.raises(ValueError, match=r"^fit_generators: argument 'steps' must be a positive int, got 0$"):
        fit_generators(specs, target, [0], {"srn": [0.1]}, 0)
