"""LSTM sequence autoencoders (Srivastava et al., 2015), many copies trained as one stacked model.

An encoder LSTM reads a sequence :math:`x_1, \\dots, x_T` and its final state
:math:`(h^{\\mathrm{enc}}_T, c^{\\mathrm{enc}}_T)` is the **code**. Decoder LSTMs start from
the code and, with no input, unroll: one reconstructs the input (in reverse order by
default, :math:`\\hat x_T, \\dots, \\hat x_1`), one predicts the next ``future`` steps.
Training only the first gives the reconstruction model, only the second the future
predictor, both the composite model.

Every module here holds ``S`` independent copies ("members") of its parameters along a
leading dimension, so a grid of seeds and learning rates trains as one model with
batched matrix products (``torch.bmm``). Member ``s`` of a :class:`StackedLSTM` has
exactly the parameters of a ``torch.nn.LSTM(batch_first=True)`` under the same names:
``{k: v[s] for k, v in stacked.state_dict().items()}`` loads into one.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from ._checks import check_int, check_positive


def _uniform(shape, bound: float, seeds, salt: int) -> torch.Tensor:
    """(S, *shape) draws from U(-bound, bound), member s from its own generator seeded (seeds[s], salt)."""
    out = []
    for s in seeds:
        g = torch.Generator().manual_seed(int(s) * 1000 + salt)
        out.append((torch.rand(shape, generator=g) * 2 - 1) * bound)
    return torch.stack(out)


def stacked_lstm(x, state, w_ih, w_hh, b_ih, b_hh, steps: int | None = None):
    """S independent LSTMs over time, one batched matrix product per step.

    .. math::
        a_t = W^x x_t + b^{ih} + W^h h_{t-1} + b^{hh}, \\qquad
        c_t = \\sigma(f) \\odot c_{t-1} + \\sigma(i) \\odot \\tanh(g),

        h_t = \\sigma(o) \\odot \\tanh(c_t)

    where :math:`a_t = [i; f; g; o]` stacks the four gates' pre-activations, per member.

    Args:
        x: inputs (S, N, T, D), or ``None`` for a decoder with no input (then give ``steps``).
        state: (h_0, c_0), each (S, N, H).
        w_ih, w_hh: (S, 4H, D) and (S, 4H, H), gates stacked i, f, g, o.
        b_ih, b_hh: (S, 4H) each.
        steps: the number of steps T when ``x`` is ``None``.

    Returns:
        all hidden states (S, N, T, H), and (h_T, c_T), each (S, N, H).
    """
    h, c = state
    if x is None:
        a_in = (b_ih + b_hh)[:, None, None, :].expand(-1, h.shape[1], steps, -1)  # (S, N, T, 4H)
    else:
        S, N, T, D = x.shape
        a_in = torch.bmm(x.reshape(S, N * T, D), w_ih.transpose(1, 2)).view(S, N, T, -1)
        a_in = a_in + (b_ih + b_hh)[:, None, None, :]  # (S, N, T, 4H): input part, all steps at once
    w_hh_t = w_hh.transpose(1, 2)  # (S, H, 4H)
    outputs = []
    for t in range(a_in.shape[2]):  # the sequential part
        a = a_in[:, :, t] + torch.bmm(h, w_hh_t)  # (S, N, 4H)
        i, f, g, o = a.chunk(4, dim=2)  # (S, N, H) each
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)  # keep some, write some
        h = torch.sigmoid(o) * torch.tanh(c)  # show some of the cell
        outputs.append(h)
    return torch.stack(outputs, dim=2), (h, c)


class StackedLSTM(nn.Module):
    r"""S independent one-layer LSTMs; member s is a ``torch.nn.LSTM(D, H, batch_first=True)``.

    Computes :func:`stacked_lstm`'s equations for every member. With ``input_size = 0`` the
    LSTM has no input (a decoder that unrolls from its initial state):
    :math:`a_t = W^h h_{t-1} + b^{ih} + b^{hh}`, which is ``torch.nn.LSTM`` fed zeros.

    Args:
        members: S, the number of copies.
        input_size: D (0 for no input).
        hidden_size: H.
        seeds: S ints; member s is initialised from its own generator, so a member's
            initial weights do not depend on the others. Default ``range(S)``.
        forget_bias: the forget gate's initial bias :math:`b_f` (in ``bias_ih``;
            ``bias_hh``'s forget block starts at 0). 1 by default, as in chapter 7.

    Shapes:
        input ``x`` (S, N, T, D), or ``None`` with ``steps``; ``state`` (h_0, c_0), each
        (S, N, H), or ``None`` for zeros. Output (S, N, T, H) and (h_T, c_T).

    Learnable parameters:
        ``weight_ih_l0`` (S, 4H, D), ``weight_hh_l0`` (S, 4H, H), ``bias_ih_l0``,
        ``bias_hh_l0`` (S, 4H), gates stacked i, f, g, o, each member's slice initialised
        from U(-1/sqrt(H), 1/sqrt(H)) as ``torch.nn.LSTM`` does, then the forget bias set.
    """

    def __init__(self, members, input_size, hidden_size, seeds=None, forget_bias=1.0, salt=0):
        super().__init__()
        fn = "StackedLSTM"
        check_int(fn, "members", members, 1)
        check_int(fn, "input_size", input_size, 0)
        check_int(fn, "hidden_size", hidden_size, 1)
        seeds = list(range(members)) if seeds is None else list(seeds)
        if len(seeds) != members:
            raise ValueError(f"{fn}: argument 'seeds' must hold members = {members} ints, got {len(seeds)}")
        S, D, H = members, input_size, hidden_size
        self.members, self.input_size, self.hidden_size = S, D, H
        bound = 1.0 / math.sqrt(H)
        shapes = {
            "weight_ih_l0": (4 * H, D),
            "weight_hh_l0": (4 * H, H),
            "bias_ih_l0": (4 * H,),
            "bias_hh_l0": (4 * H,),
        }
        for k, (name, shape) in enumerate(shapes.items()):
            setattr(self, name, nn.Parameter(_uniform(shape, bound, seeds, salt + k)))
        with torch.no_grad():  # b_f: rows H..2H are the forget gate's
            self.bias_ih_l0[:, H : 2 * H] = forget_bias
            self.bias_hh_l0[:, H : 2 * H] = 0.0

    def forward(self, x, state=None, steps: int | None = None):
        """x (S, N, T, D) or None -> (outputs (S, N, T, H), (h_T, c_T))."""
        S, H = self.members, self.hidden_size
        if x is None:
            if self.input_size or steps is None or steps < 1 or state is None:
                raise ValueError(
                    f"StackedLSTM: x = None needs input_size = 0, a state and steps >= 1, "
                    f"got input_size = {self.input_size}, steps = {steps}, state {'given' if state else 'None'}"
                )
        elif x.dim() != 4 or x.shape[0] != S or x.shape[3] != self.input_size:
            raise ValueError(
                f"StackedLSTM: input must have shape (S, N, T, D) = ({S}, N, T, {self.input_size}), "
                f"got {tuple(x.shape)}"
            )
        if state is None:
            zeros = x.new_zeros(S, x.shape[1], H)
            state = (zeros, zeros)
        w = (self.weight_ih_l0, self.weight_hh_l0, self.bias_ih_l0, self.bias_hh_l0)
        return stacked_lstm(x, state, *w, steps=steps)


class StackedLinear(nn.Module):
    """S independent affine maps, :math:`y = U h + b^u` per member; member s is an ``nn.Linear``.

    Parameters ``weight`` (S, out, in) and ``bias`` (S, out), each member's slice from
    U(-1/sqrt(in), 1/sqrt(in)) as ``torch.nn.Linear``. Input (S, ..., in) -> (S, ..., out).
    """

    def __init__(self, members, in_features, out_features, seeds=None, salt=0):
        super().__init__()
        seeds = list(range(members)) if seeds is None else list(seeds)
        bound = 1.0 / math.sqrt(in_features)
        self.weight = nn.Parameter(_uniform((out_features, in_features), bound, seeds, salt))
        self.bias = nn.Parameter(_uniform((out_features,), bound, seeds, salt + 1))

    def forward(self, h):
        """h (S, ..., in) -> h @ weight[s].T + bias[s] for each member s, (S, ..., out)."""
        S = h.shape[0]
        flat = h.reshape(S, -1, h.shape[-1])  # (S, M, in)
        y = torch.baddbmm(self.bias[:, None, :], flat, self.weight.transpose(1, 2))
        return y.view(*h.shape[:-1], -1)  # (S, ..., out)


class Reconstruction(NamedTuple):
    """What :class:`SeqAutoencoder` returns: scores (logits) of the frames, and the code."""

    recon: torch.Tensor  #: (S, N, T, D) scores of x_1..x_T, in the input's order
    future: torch.Tensor  #: (S, N, K, D) scores of x_{T+1}..x_{T+K}
    code: torch.Tensor  #: (S, N, 2H) the code [h_T; c_T] of the encoder


class SeqAutoencoder(nn.Module):
    r"""S composite LSTM autoencoders: an encoder, a reconstruction decoder and a future decoder.

    .. math::
        (h^{\mathrm{enc}}_T, c^{\mathrm{enc}}_T) = \mathrm{LSTM}^{\mathrm{enc}}(x_1, \dots, x_T),
        \qquad \text{code} = [h^{\mathrm{enc}}_T; c^{\mathrm{enc}}_T],

    and each decoder starts from the code, reads no input, and emits scores
    :math:`s_j = U h^{\mathrm{dec}}_j + b^u` at its steps j = 1, 2, ...; the frame estimate is
    :math:`\hat x = \sigma(s)`. The reconstruction decoder's step j estimates
    :math:`x_{T+1-j}` when ``reverse`` (the input backwards), else :math:`x_j`; the
    future decoder's step k estimates :math:`x_{T+k}`, k = 1..K.

    Args:
        members: S copies.
        frame_size: D, the size of a flattened frame.
        hidden_size: H; the code has 2H numbers.
        future: K, the number of future steps (0: no future decoder).
        seeds: S ints for the members' initialisation (default ``range(S)``).
        reverse: a bool, or S bools (one per member), for the reconstruction order.

    Shapes:
        input (S, N, T, D), or (N, T, D) shared by all members; output a
        ``Reconstruction`` with ``recon`` (S, N, T, D) in the input's order,
        ``future`` (S, N, K, D) and ``code`` (S, N, 2H).

    Learnable parameters:
        ``encoder`` (:class:`StackedLSTM`, D -> H), ``decoder`` and ``predictor``
        (:class:`StackedLSTM`, no input), ``decoder_out`` and ``predictor_out``
        (:class:`StackedLinear`, H -> D), initialised as their ``torch.nn``
        counterparts, with forget-gate bias 1.
    """

    def __init__(self, members, frame_size, hidden_size, future=0, seeds=None, reverse=True):
        super().__init__()
        fn = "SeqAutoencoder"
        check_int(fn, "frame_size", frame_size, 1)
        check_int(fn, "future", future, 0)
        seeds = list(range(members)) if seeds is None else list(seeds)
        rev = [bool(reverse)] * members if isinstance(reverse, bool) else [bool(r) for r in reverse]
        if len(rev) != members:
            raise ValueError(f"{fn}: argument 'reverse' must be a bool or {members} bools, got {len(rev)}")
        self.register_buffer("reverse", torch.tensor(rev))
        D, H = frame_size, hidden_size
        self.frame_size, self.hidden_size, self.future = D, H, future
        self.encoder = StackedLSTM(members, D, H, seeds, salt=0)
        self.decoder = StackedLSTM(members, 0, H, seeds, salt=10)
        self.decoder_out = StackedLinear(members, H, D, seeds, salt=20)
        if future:
            self.predictor = StackedLSTM(members, 0, H, seeds, salt=30)
            self.predictor_out = StackedLinear(members, H, D, seeds, salt=40)

    def forward(self, x: torch.Tensor) -> Reconstruction:
        """Encode ``x`` and decode: the reconstruction, the future and the code (see Shapes)."""
        S, D = self.encoder.members, self.frame_size
        if x.dim() == 3:
            x = x.expand(S, *x.shape)  # one batch for every member
        if x.dim() != 4 or x.shape[0] != S or x.shape[3] != D:
            raise ValueError(
                f"SeqAutoencoder: input must have shape (S, N, T, D) = ({S}, N, T, {D}) "
                f"or (N, T, {D}), got {tuple(x.shape)}"
            )
        T = x.shape[2]
        _, state = self.encoder(x)  # (h_T, c_T), each (S, N, H)
        hs, _ = self.decoder(None, state, steps=T)  # (S, N, T, H)
        out = self.decoder_out(hs)  # (S, N, T, D) in decoding order
        rev = self.reverse[:, None, None, None]
        recon = torch.where(rev, out.flip(2), out)  # back to the input's order
        if self.future:
            hf, _ = self.predictor(None, state, steps=self.future)
            future = self.predictor_out(hf)  # (S, N, K, D)
        else:
            future = x.new_zeros(S, x.shape[1], 0, D)
        return Reconstruction(recon, future, torch.cat(state, dim=2))


class StackedAdam:
    """Adam (Kingma & Ba) for stacked parameters (S, ...), with one learning rate per member.

    Args:
        params: the parameters, each with the member dimension S first.
        rates: S learning rates.
        betas, eps: as ``torch.optim.Adam``.

    ``step()`` uses the parameters' ``.grad`` and then zeroes it, so member s moves exactly as
    ``torch.optim.Adam`` with ``lr=rates[s]`` would move a model holding only its slices.
    """

    def __init__(self, params, rates, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        check_positive("StackedAdam", "min(rates)", min(rates))
        for p in self.params:
            if p.shape[0] != len(rates):
                raise ValueError(
                    f"StackedAdam: argument 'rates' must hold one rate per member, {p.shape[0]}, got {len(rates)}"
                )
        self.rates = torch.tensor(rates, dtype=self.params[0].dtype, device=self.params[0].device)
        self.betas, self.eps, self.t = betas, eps, 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        (b1, b2), self.t = self.betas, self.t + 1
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            g = p.grad
            if g is None:  # unused (a decoder's empty input weights)
                continue
            m.lerp_(g, 1 - b1)  # running mean of the gradient
            v.mul_(b2).addcmul_(g, g, value=1 - b2)  # and of its square
            denom = (v / (1 - b2**self.t)).sqrt_().add_(self.eps)
            rate = self.rates.view(-1, *([1] * (p.dim() - 1))) / (1 - b1**self.t)
            p.sub_(rate * m / denom)
            p.grad = None
