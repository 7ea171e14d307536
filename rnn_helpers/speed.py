"""Fast recurrence: one LSTM layer computed from scratch several ways, raced against ``torch.nn.LSTM``.

Every variant maps an input batch ``x`` (N, T, D) and ``torch.nn.LSTM``'s parameters
(``w_ih`` (4H, D), ``w_hh`` (4H, H), ``b_ih`` and ``b_hh`` (4H,), gates stacked i, f, g, o)
to the hidden states of all steps, (N, T, H), starting from h_0 = c_0 = 0: the same function as
``torch.nn.LSTM(D, H, batch_first=True)(x)[0]``.

- :func:`lstm_naive`: Chapter 7's loop, one ``rh.lstm_cell`` per step, so W^x x_t is computed inside the loop;
- :func:`lstm_hoisted`: W^x x_t + b for all t in one matrix multiply before the loop;
- :func:`lstm_scripted`: :func:`lstm_hoisted` compiled with TorchScript. TorchScript is **deprecated**
  (``torch.jit.script`` warns so and points to ``torch.compile``); the variant is kept as a
  comparison because it compiles in milliseconds. Do not use it in new code;
- :func:`lstm_compiled`: the hoisted loop with its step, :func:`lstm_step`, compiled by ``torch.compile``
  (what to use today). Its first call compiles, which takes seconds to minutes on a CPU, so the
  benchmark runs it only when asked (``compiled=True``).

:func:`benchmark_lstm` checks that the variants agree with ``torch.nn.LSTM`` (outputs and gradients), then
times the forward and the forward+backward pass of each, and :func:`format_table` prints the result.
Times are wall-clock and vary with the load of the machine: nothing here asserts on them.
"""

from __future__ import annotations

import statistics
import time
from functools import partial

import torch
from torch import nn

from ._checks import check_positive
from .cells import lstm_cell, scan_layers

VARIANTS = ("naive", "hoisted", "scripted", "torch.nn.LSTM")  # benchmark rows; "compiled" on request


def _check_lstm_args(fn: str, x, w_ih, w_hh, b_ih, b_hh):
    """Raise a ValueError naming the argument, the expected shape and the given one."""
    for name, value in (("x", x), ("w_ih", w_ih), ("w_hh", w_hh), ("b_ih", b_ih), ("b_hh", b_hh)):
        if not isinstance(value, torch.Tensor):
            raise ValueError(f"{fn}: argument '{name}' must be a torch.Tensor, got {type(value).__name__}")
    if x.dim() != 3 or x.shape[1] == 0:
        raise ValueError(f"{fn}: argument 'x' must have shape (N, T, D) with T >= 1, got {tuple(x.shape)}")
    if w_hh.dim() != 2 or w_hh.shape[0] != 4 * w_hh.shape[1]:
        raise ValueError(f"{fn}: argument 'w_hh' must have shape (4H, H), got {tuple(w_hh.shape)}")
    G, D = w_hh.shape[0], x.shape[2]
    for name, value, shape, letters in (
        ("w_ih", w_ih, (G, D), "(4H, D)"),
        ("b_ih", b_ih, (G,), "(4H,)"),
        ("b_hh", b_hh, (G,), "(4H,)"),
    ):
        if tuple(value.shape) != shape:
            raise ValueError(f"{fn}: argument '{name}' must have shape {letters} = {shape}, got {tuple(value.shape)}")


def lstm_naive(x, w_ih, w_hh, b_ih, b_hh):
    """Chapter 7's LSTM loop: x (N, T, D) -> hidden states (N, T, H), from h_0 = c_0 = 0.

    The loop of ``rh.LSTM`` (:func:`~rnn_helpers.cells.scan_layers` over ``rh.lstm_cell``) for one layer:
    each step multiplies its own x_t (N, D) by W^x inside the loop, and indexes ``x[:, t]``.
    Weights as in the module docstring.
    """
    _check_lstm_args("lstm_naive", x, w_ih, w_hh, b_ih, b_hh)
    zeros = x.new_zeros(1, x.shape[0], w_hh.shape[1])  # (1, N, H): one layer
    return scan_layers(x, (zeros, zeros), [(w_ih, w_hh, b_ih, b_hh)], lstm_cell)[0]  # (N, T, H)


def _hoisted_loop(x, w_ih, w_hh, b_ih, b_hh):
    """The body of :func:`lstm_hoisted`, without checks, so that TorchScript can compile it."""
    N, T, D = x.shape
    H = w_hh.shape[1]
    # The parallel part: every step's input projection, with both biases, in one matrix multiply.
    xw = torch.addmm(b_ih + b_hh, x.reshape(N * T, D), w_ih.t()).view(N, T, 4 * H)  # (N, T, 4H)
    w_hh_t = w_hh.t()  # (H, 4H), transposed once, not T times
    h = x.new_zeros(N, H)
    c = x.new_zeros(N, H)
    outputs: list[torch.Tensor] = []
    for xw_t in xw.unbind(1):  # the sequential part; unbind gives one backward node, xw[:, t] would give T
        i, f, g, o = torch.addmm(xw_t, h, w_hh_t).chunk(4, 1)  # (N, H) each: one matrix multiply per step
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)  # keep some of the old cell, write some new
        h = torch.sigmoid(o) * torch.tanh(c)  # show some of the cell
        outputs.append(h)
    return torch.stack(outputs, dim=1)  # (N, T, H)


def lstm_hoisted(x, w_ih, w_hh, b_ih, b_hh):
    """The LSTM loop with the input projection hoisted out: x (N, T, D) -> hidden states (N, T, H).

    Computes ``x @ w_ih.T + b_ih + b_hh`` for all N * T positions in one matrix multiply
    (N * T, D) @ (D, 4H) before the loop; each step then adds only ``h @ w_hh.T`` (one ``torch.addmm``).
    Starts from h_0 = c_0 = 0. Weights as in the module docstring.
    """
    _check_lstm_args("lstm_hoisted", x, w_ih, w_hh, b_ih, b_hh)
    return _hoisted_loop(x, w_ih, w_hh, b_ih, b_hh)


_scripted = {}  # the TorchScript function and the seconds its compilation took, made on first use


def scripted_loop():
    """:func:`lstm_hoisted`'s loop compiled with ``torch.jit.script`` (once per process).

    Returns ``(function, compile_seconds)``; ``compile_seconds`` is the time the one compilation took.
    TorchScript is deprecated in recent PyTorch in favour of ``torch.compile`` (see :func:`lstm_compiled`);
    ``torch.jit.script`` issues a DeprecationWarning, which is not silenced here.
    """
    if not _scripted:
        start = time.perf_counter()
        fn = torch.jit.script(_hoisted_loop)
        _scripted.update(fn=fn, seconds=time.perf_counter() - start)
    return _scripted["fn"], _scripted["seconds"]


def lstm_scripted(x, w_ih, w_hh, b_ih, b_hh):
    """:func:`lstm_hoisted` compiled with TorchScript (deprecated): x (N, T, D) -> hidden states (N, T, H).

    The first two calls are slow: TorchScript records the shapes in the first and optimises the graph in the second.
    Kept for comparison only; new code should use ``torch.compile`` (:func:`lstm_compiled`).
    """
    _check_lstm_args("lstm_scripted", x, w_ih, w_hh, b_ih, b_hh)
    return scripted_loop()[0](x, w_ih, w_hh, b_ih, b_hh)


def lstm_step(xw_t, h, c, w_hh_t):
    """One LSTM step after hoisting: returns ``(h_t, c_t)``, each (N, H).

    ``xw_t`` (N, 4H) is the step's precomputed W^x x_t + b^{ih} + b^{hh}, ``h`` and ``c`` (N, H) are
    h_{t-1} and c_{t-1}, ``w_hh_t`` (H, 4H) is W^h transposed. With a = xw_t + h W^h^T split into
    blocks i, f, g, o: c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g), h_t = sigmoid(o) * tanh(c_t).
    """
    for name, value in (("xw_t", xw_t), ("h", h), ("c", c), ("w_hh_t", w_hh_t)):
        if not isinstance(value, torch.Tensor) or value.dim() != 2:
            raise ValueError(f"lstm_step: argument '{name}' must be a 2-D torch.Tensor, got {_describe(value)}")
    N, H = h.shape
    for name, value, shape, letters in (
        ("xw_t", xw_t, (N, 4 * H), "(N, 4H)"),
        ("c", c, (N, H), "(N, H)"),
        ("w_hh_t", w_hh_t, (H, 4 * H), "(H, 4H)"),
    ):
        if tuple(value.shape) != shape:
            got = tuple(value.shape)
            raise ValueError(f"lstm_step: argument '{name}' must have shape {letters} = {shape}, got {got}")
    i, f, g, o = torch.addmm(xw_t, h, w_hh_t).chunk(4, 1)  # (N, H) each: one matrix multiply per step
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)  # keep some of the old cell, write some new
    h = torch.sigmoid(o) * torch.tanh(c)  # show some of the cell
    return h, c


def _describe(value):
    return f"shape {tuple(value.shape)}" if isinstance(value, torch.Tensor) else type(value).__name__


_compiled = {}  # torch.compile(lstm_step) per backend, made on first use


def compiled_step(backend: str = "inductor"):
    """``torch.compile(lstm_step, dynamic=False, backend=backend)``, made once per backend and process.

    Only the step is compiled, not the loop over time: Dynamo would unroll a Python loop over T steps
    into one graph of T steps (and compile again for every new T). The step is compiled at its first
    call for each new input shape and autograd mode; later calls reuse the compiled code.
    ``backend="inductor"`` (the default of ``torch.compile``) generates fused C++ code on a CPU;
    ``"aot_eager"`` traces forward and backward without generating code (cheap, for tests).
    """
    if not isinstance(backend, str):
        raise ValueError(f"compiled_step: argument 'backend' must be a string, got {type(backend).__name__}")
    if backend not in _compiled:
        _compiled[backend] = torch.compile(lstm_step, dynamic=False, backend=backend)
    return _compiled[backend]


def lstm_compiled(x, w_ih, w_hh, b_ih, b_hh, backend: str = "inductor"):
    """The hoisted LSTM loop with its step compiled by ``torch.compile``: x (N, T, D) -> (N, T, H).

    As :func:`lstm_hoisted` (input projection of all steps in one matrix multiply, h_0 = c_0 = 0), but each
    step calls :func:`compiled_step` ``(backend)``. The first call for a new shape compiles; with the
    default backend that takes seconds to minutes on a CPU. Weights as in the module docstring.
    """
    _check_lstm_args("lstm_compiled", x, w_ih, w_hh, b_ih, b_hh)
    step = compiled_step(backend)
    N, T, D = x.shape
    H = w_hh.shape[1]
    xw = torch.addmm(b_ih + b_hh, x.reshape(N * T, D), w_ih.t()).view(N, T, 4 * H)  # (N, T, 4H)
    w_hh_t = w_hh.t()  # (H, 4H)
    h = x.new_zeros(N, H)
    c = x.new_zeros(N, H)
    outputs = []
    for xw_t in xw.unbind(1):  # the sequential part, in Python; each step runs compiled code
        h, c = step(xw_t, h, c, w_hh_t)
        outputs.append(h)
    return torch.stack(outputs, dim=1)  # (N, T, H)


FROM_SCRATCH = {"naive": lstm_naive, "hoisted": lstm_hoisted, "scripted": lstm_scripted}


def _params(lstm: nn.LSTM):
    return [getattr(lstm, n) for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")]


def _rel(a, b):
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-30)).item()


def compare_with_torch(fn, lstm: nn.LSTM, x: torch.Tensor):
    """Largest relative errors of ``fn``'s outputs and gradients against ``lstm`` on ``x`` (N, T, D).

    ``fn(x, w_ih, w_hh, b_ih, b_hh)`` is called with ``lstm``'s own parameter tensors; ``lstm`` is a
    one-layer ``torch.nn.LSTM(D, H, batch_first=True)``. Both outputs (N, T, H) are weighted by the same
    random (N, T, H) tensor and backpropagated; the gradients compared are those of x and the four
    parameters. Returns ``(output_error, gradient_error)``, each ``max(abs(ours - theirs)) / max(abs(theirs))``.
    """
    if not isinstance(lstm, nn.LSTM) or lstm.num_layers != 1 or not lstm.batch_first or lstm.bidirectional:
        raise ValueError("compare_with_torch: argument 'lstm' must be a one-layer torch.nn.LSTM(batch_first=True)")
    params = _params(lstm)
    x = x.detach().requires_grad_()
    ours, theirs = fn(x, *params), lstm(x)[0]
    weight = torch.randn(theirs.shape, generator=torch.Generator().manual_seed(0), dtype=x.dtype).to(x.device)
    g_ours = torch.autograd.grad((ours * weight).sum(), [x, *params])
    g_theirs = torch.autograd.grad((theirs * weight).sum(), [x, *params])
    return _rel(ours, theirs), max(_rel(a, b) for a, b in zip(g_ours, g_theirs))


def _seconds(fn, device: torch.device) -> float:
    """Wall-clock seconds of one call of ``fn()``, waiting for a GPU to finish."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def median_ms(fn, repeats: int = 5, warmup: int = 1, device="cpu") -> float:
    """Median wall-clock time of ``fn()`` in milliseconds over ``repeats`` calls, after ``warmup`` calls."""
    check_positive("median_ms", "repeats", repeats)
    device = torch.device(device)
    for _ in range(warmup):
        fn()
    return 1e3 * statistics.median(_seconds(fn, device) for _ in range(repeats))


def benchmark_lstm(
    batch=64, T=100, D=128, H=128, repeats=7, warmup=2, device="cpu", num_threads=None, seed=0, compiled=False
):
    """Check the from-scratch LSTMs against ``torch.nn.LSTM``, then time them all.

    Builds ``torch.nn.LSTM(D, H, batch_first=True)`` (float32, seeded) and an input x (batch, T, D); every
    variant uses the same parameter tensors. Each must match its outputs and gradients (relative error
    below 1e-4) or a RuntimeError is raised. After ``warmup`` untimed calls, each of ``repeats`` rounds
    times every variant once, interleaved, so that a burst of load on the machine hits all of them alike:
    the forward pass under ``torch.no_grad()``, and forward + backward (gradients of x and the parameters).
    ``num_threads``, if given, sets ``torch.set_num_threads`` for the run and is restored afterwards.
    ``compiled`` adds :func:`lstm_compiled` to the race: ``True`` for ``torch.compile``'s default backend
    (inductor), or a backend name; its first calls compile, which can take minutes on a CPU.

    Returns one dict per variant, in the order of ``VARIANTS`` (with "compiled" before "torch.nn.LSTM"
    if requested): ``variant``, ``forward_ms`` and ``forward_backward_ms`` (medians over the rounds),
    ``forward_ratio`` and ``forward_backward_ratio`` (to ``torch.nn.LSTM``), and ``compile_s``: TorchScript's
    compile time for "scripted"; for "compiled", the seconds of its first calls (a forward pass and its
    backward, and a forward pass without autograd), nearly all of it compilation; else 0.0.
    These are wall-clock times: they vary with the machine and its load, so never assert on them.
    """
    for name, value in (("batch", batch), ("T", T), ("D", D), ("H", H), ("repeats", repeats)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"benchmark_lstm: argument '{name}' must be a positive integer, got {value!r}")
    if not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"benchmark_lstm: argument 'warmup' must be an integer >= 0, got {warmup!r}")
    if num_threads is not None and (not isinstance(num_threads, int) or num_threads < 1):
        raise ValueError(f"benchmark_lstm: argument 'num_threads' must be None or an integer >= 1, got {num_threads!r}")
    if not (isinstance(compiled, bool) or (isinstance(compiled, str) and compiled)):
        raise ValueError(f"benchmark_lstm: argument 'compiled' must be a bool or a backend name, got {compiled!r}")
    device = torch.device(device)
    old_threads = torch.get_num_threads()
    if num_threads is not None:
        torch.set_num_threads(num_threads)
    try:
        torch.manual_seed(seed)
        lstm = nn.LSTM(D, H, batch_first=True).to(device)
        x = torch.randn(batch, T, D, device=device)
        params = _params(lstm)
        racers = dict(FROM_SCRATCH)
        compile_s = {"scripted": None}
        if compiled:
            backend = "inductor" if compiled is True else compiled
            racers["compiled"] = partial(lstm_compiled, backend=backend)
            start = time.perf_counter()  # the first calls compile: once with autograd, once without
            errors = compare_with_torch(racers["compiled"], lstm, x)
            with torch.no_grad():
                racers["compiled"](x, *params)
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            compile_s["compiled"] = time.perf_counter() - start
        for name, fn in racers.items():  # the same function, or no race
            errors = compare_with_torch(fn, lstm, x)
            if max(errors) > 1e-4:
                raise RuntimeError(f"benchmark_lstm: {name} disagrees with torch.nn.LSTM: errors {errors}")
        variants = {name: (lambda x, fn=fn: fn(x, *params)) for name, fn in racers.items()}
        variants["torch.nn.LSTM"] = lambda x: lstm(x)[0]
        xg = x.clone().requires_grad_()

        def forward(fn):
            with torch.no_grad():
                return fn(x)

        def both(fn):
            return torch.autograd.grad(fn(xg).sum(), [xg, *params])

        for _ in range(warmup):
            for fn in variants.values():
                forward(fn)
                both(fn)
        times = {name: ([], []) for name in variants}
        for _ in range(repeats):
            for name, fn in variants.items():
                times[name][0].append(_seconds(partial(forward, fn), device))
                times[name][1].append(_seconds(partial(both, fn), device))
    finally:
        torch.set_num_threads(old_threads)
    compile_s["scripted"] = scripted_loop()[1]
    med = {name: (1e3 * statistics.median(f), 1e3 * statistics.median(b)) for name, (f, b) in times.items()}
    ref_f, ref_b = med["torch.nn.LSTM"]
    return [
        {
            "variant": name,
            "forward_ms": f,
            "forward_backward_ms": b,
            "forward_ratio": f / ref_f,
            "forward_backward_ratio": b / ref_b,
            "compile_s": compile_s.get(name, 0.0),
        }
        for name, (f, b) in med.items()
    ]


def format_table(rows) -> str:
    """The rows of :func:`benchmark_lstm` as a text table: times in ms and ratios to torch.nn.LSTM."""
    lines = [f"{'variant':<15}{'forward (ms)':>14}{'ratio':>8}{'fwd+bwd (ms)':>15}{'ratio':>8}"]
    for r in rows:
        lines.append(
            f"{r['variant']:<15}{r['forward_ms']:>14.2f}{r['forward_ratio']:>7.2f}x"
            f"{r['forward_backward_ms']:>15.2f}{r['forward_backward_ratio']:>7.2f}x"
        )
    return "\n".join(lines)
