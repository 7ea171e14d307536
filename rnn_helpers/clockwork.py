"""The clockwork RNN (Koutník et al., 2014): masks, schedule, layer, reference and replication.

A clockwork RNN splits its hidden units into modules, module ``m`` with a clock
period ``T_m``. At step ``t`` (counted from 1) a module updates only if
``t % T_m == 0`` and otherwise keeps its state. Modules are numbered fast first
and module m reads the modules n >= m (with distinct periods: those as slow as
itself or slower), so the recurrent matrix is block upper-triangular. This file holds the mask and
the schedule, a torch layer that uses them, a naive per-module loop to check it
against, the multiply-add count, a seeded multi-scale target waveform, and the
seed-batched trainer of Chapter 12's sequence-generation experiment.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn


def _check_modules(fn: str, module_sizes, periods) -> tuple[list[int], list[int]]:
    sizes, periods = list(module_sizes), list(periods)
    if not sizes or any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"{fn}: argument 'module_sizes' must be a non-empty list of positive ints, got {sizes!r}")
    if len(periods) != len(sizes):
        raise ValueError(f"{fn}: argument 'periods' must have one period per module ({len(sizes)}), got {len(periods)}")
    if any(isinstance(p, bool) or not isinstance(p, int) or p < 1 for p in periods):
        raise ValueError(f"{fn}: argument 'periods' must hold positive ints, got {periods!r}")
    if any(b < a for a, b in zip(periods, periods[1:])):
        raise ValueError(f"{fn}: argument 'periods' must be sorted fast to slow (non-decreasing), got {periods!r}")
    return sizes, periods


def clockwork_mask(module_sizes) -> torch.Tensor:
    """The (H, H) 0/1 mask of a clockwork RNN's recurrent matrix W^h, modules fast first.

    Entry (i, j) is 1 when unit j's module index is >= unit i's (modules numbered fast first, so
    with distinct periods: as slow or slower), so the block (m, n) is 1 for n >= m: block
    upper-triangular. This is the mask Omega of the book. H = sum(module_sizes).
    """
    sizes, _ = _check_modules("clockwork_mask", module_sizes, [1] * len(list(module_sizes)))
    module = torch.repeat_interleave(torch.arange(len(sizes)), torch.tensor(sizes))  # (H,) module of unit
    return (module[None, :] >= module[:, None]).float()  # (H, H) reads slower-or-equal modules


def clockwork_schedule(module_sizes, periods, T: int) -> torch.Tensor:
    """The (T, H) boolean update schedule chi: row t-1 is True for units whose module updates at step t.

    Module m updates at steps t = 1, ..., T with t mod T_m = 0.
    """
    sizes, periods = _check_modules("clockwork_schedule", module_sizes, periods)
    if isinstance(T, bool) or not isinstance(T, int) or T < 1:
        raise ValueError(f"clockwork_schedule: argument 'T' must be a positive int, got {T!r}")
    unit_period = torch.repeat_interleave(torch.tensor(periods), torch.tensor(sizes))  # (H,)
    t = torch.arange(1, T + 1)[:, None]  # (T, 1) steps counted from 1
    return t % unit_period == 0  # (T, H)


def clockwork_macs(module_sizes, periods, input_size: int = 0) -> float:
    """Multiply-adds of the hidden update per step, averaged over a period: sum_m H_m (D + sum_{n>=m} H_n) / T_m.

    An SRN of the same width H does H (D + H) every step (the formula with one module of period 1).
    """
    sizes, periods = _check_modules("clockwork_macs", module_sizes, periods)
    tails = np.cumsum(sizes[::-1])[::-1]  # sum_{n >= m} H_n
    return float(sum(h * (input_size + tail) / p for h, tail, p in zip(sizes, tails, periods)))


def naive_clockwork(x, w_ih, w_hh, b_ih, b_hh, module_sizes, periods, h0=None):
    """Reference clockwork RNN: loops over steps and modules, reading only the blocks W^h_[m,n], n >= m.

    Args: x (N, T, D); w_ih (H, D); w_hh (H, H), of which only the upper blocks are read;
    b_ih, b_hh (H,); h0 (N, H) or None for zeros. Returns the states h_1..h_T, (N, T, H).
    """
    sizes, periods = _check_modules("naive_clockwork", module_sizes, periods)
    N, T, _ = x.shape
    starts = np.cumsum([0] + sizes)  # module m owns units starts[m]:starts[m+1]
    h = x.new_zeros(N, starts[-1]) if h0 is None else h0
    out = []
    for t in range(1, T + 1):
        parts = []
        for m, period in enumerate(periods):
            rows = slice(starts[m], starts[m + 1])
            if t % period:  # not this module's turn: keep its state
                parts.append(h[:, rows])
                continue
            slower = slice(starts[m], starts[-1])  # modules n >= m
            a = x[:, t - 1] @ w_ih[rows].T + h[:, slower] @ w_hh[rows, slower].T + b_ih[rows] + b_hh[rows]
            parts.append(torch.tanh(a))
        h = torch.cat(parts, dim=1)  # (N, H)
        out.append(h)
    return torch.stack(out, dim=1)  # (N, T, H)


class ClockworkRNN(nn.Module):
    r"""A clockwork RNN layer (Koutník et al., 2014), batch first, with ``torch.nn.RNN``'s parameter names.

    .. math::
        a_t = (\Omega \odot W^h)\, h_{t-1} + W^x x_t + b^h, \qquad
        h_t = \chi_t \odot \tanh(a_t) + (1 - \chi_t) \odot h_{t-1}

    where :math:`\Omega` is :func:`clockwork_mask` (block upper-triangular, modules fast first),
    :math:`\chi_t \in \{0, 1\}^H` is 1 on the units of the modules m with :math:`t \bmod T_m = 0`
    (:func:`clockwork_schedule`, t counted from 1), and :math:`b^h = b^{ih} + b^{hh}`.
    With one module of period 1 it is ``torch.nn.RNN`` (tanh).

    Args:
        input_size: D, features of x_t.
        module_sizes: H_1, ..., H_M, units per module (H_m in module m); H = sum(module_sizes).
        periods: T_1 <= ... <= T_M, the clock period of each module (fast first).

    Shapes: x (N, T, D), h0 (1, N, H) or None -> outputs (N, T, H), h_T (1, N, H).

    Parameters: ``weight_ih_l0`` (H, D), ``weight_hh_l0`` (H, H) (entries outside the mask are
    zero and never used), ``bias_ih_l0``, ``bias_hh_l0`` (H,). Initialisation as ``torch.nn.RNN``:
    uniform on :math:`(-1/\sqrt{H}, 1/\sqrt{H})`, then the masked entries of W^h set to zero.
    """

    def __init__(self, input_size: int, module_sizes, periods):
        super().__init__()
        if isinstance(input_size, bool) or not isinstance(input_size, int) or input_size < 1:
            raise ValueError(f"ClockworkRNN: argument 'input_size' must be a positive int, got {input_size!r}")
        self.module_sizes, self.periods = _check_modules("ClockworkRNN", module_sizes, periods)
        H = self.hidden_size = sum(self.module_sizes)
        self.input_size = input_size
        self.register_buffer("mask", clockwork_mask(self.module_sizes))  # (H, H)
        self.weight_ih_l0 = nn.Parameter(torch.empty(H, input_size))  # W^x
        self.weight_hh_l0 = nn.Parameter(torch.empty(H, H))  # W^h
        self.bias_ih_l0 = nn.Parameter(torch.empty(H))  # b^{ih}
        self.bias_hh_l0 = nn.Parameter(torch.empty(H))  # b^{hh}
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)
        with torch.no_grad():
            self.weight_hh_l0.mul_(self.mask)

    def forward(self, x: torch.Tensor, h0: torch.Tensor | None = None):
        """x (N, T, D), h0 (1, N, H) or ``None`` for zeros -> (outputs (N, T, H), h_T (1, N, H))."""
        if x.dim() != 3 or x.shape[2] != self.input_size:
            raise ValueError(
                f"ClockworkRNN: argument 'x' must have shape (N, T, {self.input_size}), got {tuple(x.shape)}"
            )
        N, T, _ = x.shape
        H = self.hidden_size
        if h0 is not None and tuple(h0.shape) != (1, N, H):
            raise ValueError(f"ClockworkRNN: argument 'h0' must have shape (1, {N}, {H}), got {tuple(h0.shape)}")
        h = x.new_zeros(N, H) if h0 is None else h0[0]  # (N, H)
        ax = x @ self.weight_ih_l0.T + self.bias_ih_l0 + self.bias_hh_l0  # (N, T, H) input part, all steps
        w_t = (self.weight_hh_l0 * self.mask).T  # (H, H) masked W^h, transposed for rows
        chi = clockwork_schedule(self.module_sizes, self.periods, T).to(x.device)  # (T, H)
        out = []
        for t in range(T):
            h = torch.where(chi[t], torch.tanh(ax[:, t] + h @ w_t), h)  # update the due modules, keep the rest
            out.append(h)
        return torch.stack(out, dim=1), h[None]


def multiscale_target(T: int = 320, seed: int = 0) -> torch.Tensor:
    """A seeded waveform with several time scales, T samples, zero mean, largest absolute value 1: shape (T,).

    One sinusoid per octave of period, from 5-10 up to 160-320 samples, amplitude growing with the
    period (square root), random phases, times a slow envelope; then centred and scaled to [-1, 1].
    """
    if isinstance(T, bool) or not isinstance(T, int) or T < 2:
        raise ValueError(f"multiscale_target: argument 'T' must be an int >= 2, got {T!r}")
    rng = np.random.default_rng(seed)
    t = np.arange(T)
    y = np.zeros(T)
    for shortest in (5, 10, 20, 40, 80, 160):  # one period per octave
        period = shortest * 2 ** rng.uniform(0, 1)
        amplitude = math.sqrt(period / 320) * rng.uniform(0.5, 1)
        y += amplitude * np.sin(2 * np.pi * t / period + rng.uniform(0, 2 * np.pi))
    y *= 1 + 0.5 * np.sin(2 * np.pi * t / T + rng.uniform(0, 2 * np.pi))  # slow envelope
    y -= y.mean()
    return torch.tensor(y / np.abs(y).max(), dtype=torch.float32)


# ---- Chapter 12's experiment: S generators (no input, linear output) trained at once ----


def generator_params(kind: str, module_sizes) -> int:
    """Parameters of a generator with no input, one hidden layer and a linear output (one bias per unit).

    kind "srn" or "cwrnn": masked W^h, b^h, U, b^u; "lstm": 4H x H, 4H biases, U, b^u.
    """
    sizes = list(module_sizes)
    H = sum(sizes)
    if kind == "lstm":
        return 4 * H * H + 4 * H + H + 1
    if kind in ("srn", "cwrnn"):
        return int(clockwork_mask(sizes).sum()) + 2 * H + 1
    raise ValueError(f"generator_params: argument 'kind' must be 'srn', 'cwrnn' or 'lstm', got {kind!r}")


def _tanh_run(specs, rows, T):
    # stack the SRN / CW-RNN rows, padded to the widest: W, mask (S, Hp, Hp), schedule (T, S, 1, Hp)
    Hp, S = max(sum(specs[n][1]) for n, _, _ in rows), len(rows)
    p = {k: torch.zeros(S, *shape) for k, shape in [("W", (Hp, Hp)), ("b", (1, Hp)), ("U", (Hp,)), ("c", (1,))]}
    mask, live, sched = torch.zeros(S, Hp, Hp), torch.zeros(S, 1, Hp), torch.zeros(T, S, 1, Hp, dtype=torch.bool)
    for r, (name, seed, _) in enumerate(rows):
        sizes, periods = specs[name][1], specs[name][2]
        H, g = sum(sizes), torch.Generator().manual_seed(seed)
        k = 1 / math.sqrt(H)
        mask[r, :H, :H], live[r, 0, :H] = clockwork_mask(sizes), 1.0
        p["W"][r, :H, :H] = (2 * torch.rand(H, H, generator=g) - 1) * k * mask[r, :H, :H]
        p["b"][r, 0, :H] = (2 * torch.rand(H, generator=g) - 1) * k
        p["U"][r, :H] = (2 * torch.rand(H, generator=g) - 1) * k
        sched[:, r, 0, :H] = clockwork_schedule(sizes, periods, T)

    def states(p):  # -> the states h_1..h_T of the S networks, (S, T, Hp); padded units stay 0
        w_t, b = (p["W"] * mask).transpose(1, 2), p["b"] * live  # (S, Hp, Hp), (S, 1, Hp)
        h, hs = b.new_zeros(S, 1, Hp), []
        for t in range(T):
            h = torch.where(sched[t], torch.tanh(torch.baddbmm(b, h, w_t)), h)  # (S, 1, Hp)
            hs.append(h)
        return torch.cat(hs, 1)

    return p, states


def _lstm_run(H, rows, T, forget_bias=1.0):
    # S LSTMs of H units as one torch.nn.LSTM of S*H units with block-diagonal weights (its fused kernel)
    S, k = len(rows), 1 / math.sqrt(H)
    p = {"W": torch.zeros(S, 4, H, H), "b": torch.zeros(S, 4, H), "U": torch.zeros(S, H), "c": torch.zeros(S, 1)}
    for r, (_, seed, _) in enumerate(rows):
        g = torch.Generator().manual_seed(seed)
        p["W"][r] = (2 * torch.rand(4, H, H, generator=g) - 1) * k  # gates i, f, g, o
        p["b"][r] = (2 * torch.rand(4, H, generator=g) - 1) * k
        p["b"][r, 1] = forget_bias  # forget-gate bias b_f
        p["U"][r] = (2 * torch.rand(H, generator=g) - 1) * k
    wide = nn.LSTM(1, S * H, batch_first=True)  # only its forward is used, with the weights below
    zeros, x = torch.zeros(4 * S * H), torch.zeros(1, T, 1)  # no input

    def states(p):  # -> (S, T, H)
        w_hh = torch.cat([torch.block_diag(*p["W"][:, q]) for q in range(4)])  # (4SH, SH), gate-major
        b = p["b"].transpose(0, 1).reshape(-1)  # (4SH,) like torch: gate, then network, then unit
        weights = {"weight_ih_l0": zeros[:, None], "weight_hh_l0": w_hh, "bias_ih_l0": b, "bias_hh_l0": zeros}
        out = torch.func.functional_call(wide, weights, (x,))[0]  # (1, T, SH)
        return out[0].view(T, S, H).transpose(0, 1)

    return p, states


def _readout(p, hs):  # the linear output y_t = U h_t + b^u of every row: (S, T, Hp) -> (S, T)
    return torch.einsum("sth,sh->st", hs, p["U"]) + p["c"]


def _lstsq_nmse(hs, target) -> np.ndarray:
    # NMSE of the best readout (U, b^u by least squares) of fixed states hs (S, T, Hp): (S,)
    y = target.double().numpy()
    out = []
    for h in hs.double().numpy():
        X = np.concatenate([h, np.ones((len(y), 1))], 1)  # (T, Hp + 1); padded columns are 0
        coef = np.linalg.lstsq(X, y, rcond=None)[0]
        out.append(((X @ coef - y) ** 2).mean() / y.var())
    return np.array(out)


def fit_generators(
    specs, target, seeds, rates, steps: int, lstm_chunk: int = 6, clip: float | None = 1.0, forget_bias: float = 1.0
):
    """Train many sequence generators at once with full-batch Adam on the NMSE, seeds and models batched.

    Each step computes, for every network (row), its NMSE over the whole target, its gradient, and,
    if ``clip`` is set, rescales that row's gradient to norm at most ``clip`` (each row its own norm,
    over all its parameters), then takes one Adam step with the row's learning rate.

    Args:
        specs: {name: (kind, module_sizes, periods)}, kind "srn", "cwrnn" (one Python loop for all of
            them, padded) or "lstm" (torch.nn.LSTM's fused kernel on block-diagonal weights,
            ``lstm_chunk`` rows at a time). An SRN is a CW-RNN with one module of period 1.
        target: (T,) waveform. seeds: initialisation seeds. rates: {name: learning rates}.
        steps: Adam steps, each on the whole sequence. clip: gradient-norm bound per network, or None.
        forget_bias: the LSTMs' initial forget-gate bias b_f.

    Returns: {name: {...}} with, for R rates and S seeds, "nmse" (R, S) final NMSE, "tail" (R, S)
    mean NMSE over the last 10% of the steps, "curve" (steps, R, S) NMSE before each step, "y"
    (R, S, T) outputs, "h" (R, S, T, H) final states, "U" (R, S, H) and "c" (R, S) the readout,
    "readout" (R, S) NMSE of the initial (untrained) network's states with a least-squares readout,
    and "rho" (R, S) spectral radius of the initial masked W^h (NaN for the LSTM).
    NMSE = mean squared error / variance of the target.
    """
    if clip is not None and not clip > 0:
        raise ValueError(f"fit_generators: argument 'clip' must be a positive number or None, got {clip!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"fit_generators: argument 'steps' must be a positive int, got {steps!r}")
    T, var = target.shape[0], target.var(unbiased=False)
    rows = {n: [(n, s, lr) for lr in rates[n] for s in seeds] for n in specs}
    groups = []
    tanh_rows = [r for n in specs if specs[n][0] != "lstm" for r in rows[n]]
    if tanh_rows:
        groups.append((tanh_rows, *_tanh_run(specs, tanh_rows, T)))
    for n in specs:
        if specs[n][0] == "lstm":
            for i in range(0, len(rows[n]), lstm_chunk):
                chunk = rows[n][i : i + lstm_chunk]
                groups.append((chunk, *_lstm_run(sum(specs[n][1]), chunk, T, forget_bias)))
    states, found = [], {}
    for chunk, p, run in groups:
        with torch.no_grad():  # the untrained networks: least-squares readout, spectral radius
            readout = _lstsq_nmse(run(p), target)
            rho = (
                torch.linalg.eigvals(p["W"]).abs().amax(-1)
                if p["W"].dim() == 3
                else torch.full((len(chunk),), math.nan)
            )
        for r, row in enumerate(chunk):
            found[row] = {"readout": float(readout[r]), "rho": float(rho[r])}
        lr = torch.tensor([r[2] for r in chunk])
        for v in p.values():
            v.requires_grad_()
        moments = [{k: torch.zeros_like(v) for k, v in p.items()} for _ in range(2)]
        states.append((lr, *moments))
    curves = [[] for _ in groups]
    for step in range(1, steps + 1):
        for gi, (_, p, run) in enumerate(groups):
            nmse = ((_readout(p, run(p)) - target) ** 2).mean(1) / var  # (S,)
            nmse.sum().backward()  # the rows are independent networks
            curves[gi].append(nmse.detach())
            lr, m, v = states[gi]
            with torch.no_grad():
                if clip is not None:  # each row's gradient norm at most clip
                    sq = sum(w.grad.flatten(1).pow(2).sum(1) for w in p.values())  # (S,)
                    scale = (clip / (sq.sqrt() + 1e-12)).clamp(max=1.0)
                for k, w in p.items():
                    if clip is not None:
                        w.grad.mul_(scale.view(-1, *[1] * (w.dim() - 1)))
                    m[k].mul_(0.9).add_(w.grad, alpha=0.1)  # Adam, one learning rate per row
                    v[k].mul_(0.999).addcmul_(w.grad, w.grad, value=0.001)
                    step_size = lr.view(-1, *[1] * (w.dim() - 1)) / (1 - 0.9**step)
                    w.sub_(step_size * m[k] / ((v[k] / (1 - 0.999**step)).sqrt() + 1e-8))
                    w.grad = None
    n_tail = max(1, round(0.1 * steps))
    for gi, (chunk, p, run) in enumerate(groups):
        with torch.no_grad():
            hs = run(p)  # (S, T, Hp)
            y = _readout(p, hs)  # (S, T)
        nmse, curve = ((y - target) ** 2).mean(1) / var, torch.stack(curves[gi])  # (S,), (steps, S)
        for r, row in enumerate(chunk):
            H = sum(specs[row[0]][1])
            found[row].update(nmse=nmse[r].item(), curve=curve[:, r], y=y[r], h=hs[r, :, :H], U=p["U"][r, :H].detach())
            found[row].update(c=p["c"][r, 0].item(), tail=curve[-n_tail:, r].mean().item())
    out = {}
    for n in specs:
        R, S, H = len(rates[n]), len(seeds), sum(specs[n][1])
        vals = [found[row] for row in rows[n]]
        out[n] = {k: np.array([v[k] for v in vals]).reshape(R, S) for k in ("nmse", "tail", "readout", "rho", "c")}
        out[n]["curve"] = torch.stack([v["curve"] for v in vals], 1).view(steps, R, S).numpy()
        for k, shape in (("y", (R, S, T)), ("h", (R, S, T, H)), ("U", (R, S, H))):
            out[n][k] = torch.stack([v[k] for v in vals]).view(*shape).numpy()
    return out


def sinusoid_baseline(target: torch.Tensor):
    """The best single sinusoid c + alpha sin(w t) + beta cos(w t) (4 numbers), by least squares over a grid of w.

    Periods 2 to 2T samples, 4,000 of them log-spaced. Returns (nmse, fitted (T,), period).
    """
    y = np.asarray(target, dtype=np.float64)
    t, periods = np.arange(len(y)), np.geomspace(2, 2 * len(y), 4000)
    phase = 2 * np.pi * t[None, :] / periods[:, None]  # (P, T)
    X = np.stack([np.ones_like(phase), np.sin(phase), np.cos(phase)], -1)  # (P, T, 3) design matrices
    coef = np.linalg.solve(X.transpose(0, 2, 1) @ X, (X.transpose(0, 2, 1) @ y)[..., None])  # (P, 3, 1)
    fits = (X @ coef)[..., 0]  # (P, T) least-squares fits
    best = int(np.argmin(((fits - y) ** 2).mean(1)))
    return float(((fits[best] - y) ** 2).mean() / y.var()), fits[best], float(periods[best])
