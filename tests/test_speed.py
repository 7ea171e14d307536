"""Chapter 9's fast LSTMs compute torch.nn.LSTM's function; the benchmark and its script return sane tables.

The torch.compile variant is tested with the "aot_eager" backend: it traces the step and its backward
as inductor does, without generating and compiling C++ code (which takes minutes on a busy CPU).
No test asserts on a time, only that times are positive and the tables well formed.
"""

import re
import subprocess
import sys
from functools import partial

import pytest
import torch
from bookinfo import ROOT
from checks import seeds
from hypothesis import given
from hypothesis import strategies as st

import rnn_helpers as rh
from rnn_helpers import speed

small = st.integers(min_value=1, max_value=5)


@pytest.mark.parametrize("name", list(speed.FROM_SCRATCH))
@given(N=small, T=small, D=small, H=small, seed=seeds)
def test_variant_matches_torch_lstm_outputs_and_gradients(name, N, T, D, H, seed):
    torch.manual_seed(seed % 2**16)
    lstm = torch.nn.LSTM(D, H, batch_first=True).double()
    x = torch.randn(N, T, D, dtype=torch.float64)
    out_err, grad_err = speed.compare_with_torch(speed.FROM_SCRATCH[name], lstm, x)
    assert out_err < 1e-12 and grad_err < 1e-10


@pytest.mark.parametrize("name", list(speed.FROM_SCRATCH))
def test_variant_matches_rh_lstm_loaded_from_torch_state_dict(name):
    """The independent check the chapter shows: rh.LSTM with torch.nn.LSTM's state_dict gives the same states."""
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(3, 4, batch_first=True).double()
    ours = rh.LSTM(3, 4).double()
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(2, 6, 3, dtype=torch.float64)
    params = [getattr(ours, n) for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")]
    torch.testing.assert_close(speed.FROM_SCRATCH[name](x, *params), ours(x)[0], rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(ours(x)[0], theirs(x)[0], rtol=1e-12, atol=1e-14)


def _args(N=2, T=3, D=4, H=5):
    return [torch.randn(N, T, D), torch.randn(4 * H, D), torch.randn(4 * H, H), torch.randn(4 * H), torch.randn(4 * H)]


@pytest.mark.parametrize("name", [*speed.FROM_SCRATCH, "compiled"])
@pytest.mark.parametrize(
    "index, bad, message",
    [
        (0, torch.zeros(3, 4), r"argument 'x' must have shape \(N, T, D\) with T >= 1, got \(3, 4\)"),
        (0, torch.zeros(2, 0, 4), r"argument 'x' must have shape \(N, T, D\) with T >= 1, got \(2, 0, 4\)"),
        (0, [[1.0]], r"argument 'x' must be a torch.Tensor, got list"),
        (1, torch.zeros(20, 3), r"argument 'w_ih' must have shape \(4H, D\) = \(20, 4\), got \(20, 3\)"),
        (2, torch.zeros(20, 4), r"argument 'w_hh' must have shape \(4H, H\), got \(20, 4\)"),
        (3, torch.zeros(5), r"argument 'b_ih' must have shape \(4H,\) = \(20,\), got \(5,\)"),
        (4, torch.zeros(20, 1), r"argument 'b_hh' must have shape \(4H,\) = \(20,\), got \(20, 1\)"),
    ],
)
def test_bad_inputs_raise_clear_errors(name, index, bad, message):
    args = _args()
    args[index] = bad
    fn = getattr(speed, f"lstm_{name}")
    with pytest.raises(ValueError, match=rf"^lstm_{name}: {message}$"):
        fn(*args)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"batch": 0}, r"argument 'batch' must be a positive integer, got 0"),
        ({"T": 2.5}, r"argument 'T' must be a positive integer, got 2.5"),
        ({"repeats": -1}, r"argument 'repeats' must be a positive integer, got -1"),
        ({"warmup": -1}, r"argument 'warmup' must be an integer >= 0, got -1"),
        ({"num_threads": 0}, r"argument 'num_threads' must be None or an integer >= 1, got 0"),
        ({"compiled": 1}, r"argument 'compiled' must be a bool or a backend name, got 1"),
        ({"compiled": ""}, r"argument 'compiled' must be a bool or a backend name, got ''"),
    ],
)
def test_benchmark_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=rf"^benchmark_lstm: {message}$"):
        speed.benchmark_lstm(**kwargs)


def test_compare_with_torch_needs_a_one_layer_batch_first_lstm():
    with pytest.raises(ValueError, match="one-layer torch.nn.LSTM"):
        speed.compare_with_torch(speed.lstm_naive, torch.nn.LSTM(3, 4), torch.zeros(1, 2, 3))


def test_benchmark_returns_sane_rows_on_a_tiny_setting():
    threads = torch.get_num_threads()
    rows = speed.benchmark_lstm(batch=2, T=3, D=4, H=5, repeats=2, warmup=1, num_threads=1)
    assert torch.get_num_threads() == threads, "the thread count is restored"
    assert [r["variant"] for r in rows] == list(speed.VARIANTS)
    keys = {"variant", "forward_ms", "forward_backward_ms", "forward_ratio", "forward_backward_ratio", "compile_s"}
    for r in rows:
        assert set(r) == keys
        assert r["forward_ms"] > 0 and r["forward_backward_ms"] > 0
        assert r["forward_ratio"] > 0 and r["forward_backward_ratio"] > 0
    assert rows[-1]["forward_ratio"] == rows[-1]["forward_backward_ratio"] == 1.0
    assert rows[2]["compile_s"] > 0 and rows[0]["compile_s"] == 0.0
    table = speed.format_table(rows).splitlines()
    assert len(table) == 1 + len(rows) and table[0].startswith("variant")


def test_median_ms_is_positive_and_checks_repeats():
    assert speed.median_ms(lambda: sum(range(100)), repeats=3) > 0
    with pytest.raises(ValueError, match="median_ms: argument 'repeats' must be > 0, got 0"):
        speed.median_ms(lambda: None, repeats=0)


def test_benchmark_script_prints_threads_and_a_table():
    cmd = [sys.executable, str(ROOT / "benchmarks" / "lstm_speed.py"), "--batch", "2", "--T", "3", "--D", "4"]
    result = subprocess.run([*cmd, "--H", "5", "--repeats", "1"], capture_output=True, text=True, check=True)
    out = result.stdout
    assert re.search(r"os\.cpu_count\(\) = \d+; torch\.get_num_threads\(\) = \d+ by default, 1 for this run", out)
    for name in speed.VARIANTS:
        assert re.search(rf"^{re.escape(name)}\s+\d+\.\d+\s+\d+\.\d+x\s+\d+\.\d+\s+\d+\.\d+x$", out, flags=re.M), name
    assert re.search(r"^torch\.nn\.LSTM\s+\S+\s+1\.00x\s+\S+\s+1\.00x$", out, flags=re.M)
    assert "TorchScript (deprecated) compile time" in out
    assert "torch.compile" not in out, "torch.compile runs only with --compile"


@pytest.mark.parametrize("N, T, D, H", [(3, 5, 2, 4), (1, 1, 3, 2)])
def test_compiled_variant_matches_torch_lstm_outputs_and_gradients(N, T, D, H):
    torch.manual_seed(N + T)
    lstm = torch.nn.LSTM(D, H, batch_first=True).double()
    x = torch.randn(N, T, D, dtype=torch.float64)
    fn = partial(speed.lstm_compiled, backend="aot_eager")
    out_err, grad_err = speed.compare_with_torch(fn, lstm, x)
    assert out_err < 1e-12 and grad_err < 1e-10


def test_lstm_step_is_one_step_of_torch_lstm_cell():
    torch.manual_seed(0)
    cell = torch.nn.LSTMCell(3, 4).double()
    x, h, c = torch.randn(2, 3).double(), torch.randn(2, 4).double(), torch.randn(2, 4).double()
    xw = x @ cell.weight_ih.T + cell.bias_ih + cell.bias_hh
    ours = speed.lstm_step(xw, h, c, cell.weight_hh.T)
    theirs = cell(x, (h, c))
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "args, message",
    [
        (
            (torch.zeros(2, 8), torch.zeros(2, 2), torch.zeros(2, 2), [[0.0]]),
            r"'w_hh_t' must be a 2-D torch.Tensor, got list",
        ),
        (
            (torch.zeros(2, 7), torch.zeros(2, 2), torch.zeros(2, 2), torch.zeros(2, 8)),
            r"'xw_t' must have shape \(N, 4H\)",
        ),
        (
            (torch.zeros(2, 8), torch.zeros(2), torch.zeros(2, 2), torch.zeros(2, 8)),
            r"'h' must be a 2-D torch.Tensor, got shape \(2,\)",
        ),
        (
            (torch.zeros(2, 8), torch.zeros(2, 2), torch.zeros(2, 2), torch.zeros(8, 2)),
            r"'w_hh_t' must have shape \(H, 4H\)",
        ),
    ],
)
def test_lstm_step_rejects_bad_shapes(args, message):
    with pytest.raises(ValueError, match=rf"^lstm_step: argument {message}"):
        speed.lstm_step(*args)


def test_compiled_step_is_made_once_and_checks_its_backend():
    assert speed.compiled_step("aot_eager") is speed.compiled_step("aot_eager")
    with pytest.raises(ValueError, match="compiled_step: argument 'backend' must be a string, got int"):
        speed.compiled_step(3)


def test_benchmark_races_the_compiled_variant_on_request():
    rows = speed.benchmark_lstm(batch=2, T=3, D=4, H=5, repeats=1, warmup=1, num_threads=1, compiled="aot_eager")
    assert [r["variant"] for r in rows] == [*speed.VARIANTS[:-1], "compiled", "torch.nn.LSTM"]
    compiled = rows[-2]
    assert compiled["compile_s"] > 0 and compiled["forward_ms"] > 0 and compiled["forward_backward_ms"] > 0
