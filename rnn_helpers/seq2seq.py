r"""Sequence to sequence: number words to digits, a GRU encoder-decoder, additive attention.

The task (:func:`make_numbers`) turns English number words into digits,
``"three hundred and five thousand and twelve" -> "305012"``, with exact answers
and inputs whose length grows with the number of digits. The model
(:class:`Seq2Seq`) is the encoder-decoder of Cho et al. (2014) with, per member,
either their fixed context (the encoder's final states, a fixed-size bottleneck)
or the additive attention of Bahdanau et al. (2015) (:func:`additive_attention`).

Every parameter has a leading **member** dimension M, so several independent
models (seeds, learning rates, variants) train together in one batched run;
member m's slices load into ``torch.nn.GRU``/``GRUCell`` (see :meth:`Seq2Seq.gru_state_dict`).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from ._checks import check_positive

ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
SCALES = ((10**6, "million"), (10**3, "thousand"))
#: The source vocabulary. Padding first, then the words in alphabetical order.
SOURCE_WORDS = ("<pad>",) + tuple(sorted(set(ONES) | set(TENS[2:]) | {"hundred", "thousand", "million", "and"}))
#: The target vocabulary. The digits 0-9, then bos and eos.
TARGET_TOKENS = tuple("0123456789") + ("<bos>", "<eos>")
PAD, BOS, EOS = 0, 10, 11


def _below_thousand(n: int, and_first: bool) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = [ONES[hundreds], "hundred"] if hundreds else []
    if rest:
        if hundreds or and_first:
            words.append("and")  # British usage: "three hundred and five", "two thousand and five"
        tens, units = divmod(rest, 10)
        words += [ONES[rest]] if rest < 20 else [TENS[tens]] + ([ONES[units]] if units else [])
    return words


def number_words(n: int) -> list[str]:
    """English (British) words of 0 <= n < 10**9, hyphens split: 342 -> three hundred and forty two."""
    if not (isinstance(n, (int, np.integer)) and 0 <= n < 10**9):
        raise ValueError(f"number_words: argument 'n' must be an integer in [0, 10**9), got {n!r}")
    n = int(n)
    if n == 0:
        return ["zero"]
    words = []
    for size, name in SCALES:
        q, n = divmod(n, size)
        if q:
            words += _below_thousand(q, False) + [name]
    return words + _below_thousand(n, bool(words) and n < 100)


def make_numbers(count: int, seed: int, max_digits: int = 6):
    """A seeded batch of the task: the number of digits is uniform in 1..max_digits.

    Returns ``(src, src_len, tgt, values)``: ``src`` (N, T_x) int64 word ids padded
    with ``PAD``; ``src_len`` (N,) int64; ``tgt`` (N, T_y) int64 digit ids with one
    ``EOS`` after the last digit and ``EOS`` as padding (T_y = max_digits + 1 at most);
    ``values`` (N,) the numbers (int64).
    """
    check_positive("make_numbers", "count", count)
    if not (isinstance(max_digits, int) and 1 <= max_digits <= 9):
        raise ValueError(f"make_numbers: argument 'max_digits' must be an integer in 1..9, got {max_digits!r}")
    rng = np.random.default_rng(seed)
    digits = rng.integers(1, max_digits + 1, count)
    low = np.where(digits == 1, 0, 10 ** (digits - 1))
    values = rng.integers(low, 10**digits)  # (N,)
    index = {w: i for i, w in enumerate(SOURCE_WORDS)}
    sources = [[index[w] for w in number_words(int(v))] for v in values]
    lengths = np.array([len(s) for s in sources])
    t_x, t_y = int(lengths.max()), int(digits.max()) + 1
    src = np.full((count, t_x), PAD, dtype=np.int64)
    src[np.arange(t_x)[None] < lengths[:, None]] = np.concatenate(sources)  # row-major fill
    tgt = np.full((count, t_y), EOS, dtype=np.int64)
    chars = np.concatenate([np.frombuffer(str(v).encode(), np.uint8) - ord("0") for v in values])
    tgt[np.arange(t_y)[None] < digits[:, None]] = chars
    return torch.from_numpy(src), torch.from_numpy(lengths), torch.from_numpy(tgt), values


def additive_attention(h_dec, enc, enc_proj, mask, w_dec, w_att):
    r"""One step of additive attention for a batch, with a leading member dimension.

    .. math::

        s^{\mathrm{att}}_{tj} = w^{\mathrm{att}\top} \tanh\big(W^{\mathrm{att}} h^{\mathrm{dec}}_{t-1}
            + U^{\mathrm{att}} h^{\mathrm{enc}}_j\big), \qquad
        \alpha_{tj} = \frac{\exp s^{\mathrm{att}}_{tj}}{\sum_{k \le T_x} \exp s^{\mathrm{att}}_{tk}}, \qquad
        \zeta_t = \sum_j \alpha_{tj} h^{\mathrm{enc}}_j

    where the padded positions j > T_x get no weight.

    Shapes: ``h_dec`` (M, N, H_dec); ``enc`` (M, N, T, 2H); ``enc_proj`` = U^att h^enc
    (M, N, T, A), computed once per sequence; ``mask`` (N, T) bool, True on real tokens;
    ``w_dec`` = W^att (M, A, H_dec); ``w_att`` (M, A). Returns ``(zeta (M, N, 2H), alpha (M, N, T))``.
    """
    m, n, t, a = enc_proj.shape
    query = torch.bmm(h_dec, w_dec.transpose(1, 2))  # (M, N, A)  W^att h^dec
    hidden = torch.tanh(enc_proj + query[:, :, None])  # (M, N, T, A)
    scores = torch.bmm(hidden.reshape(m, n * t, a), w_att[:, :, None]).view(m, n, t)  # (M, N, T)
    alpha = torch.softmax(scores.masked_fill(~mask, -math.inf), dim=-1)  # (M, N, T) weights
    zeta = (alpha[..., None] * enc).sum(2)  # (M, N, 2H) the weighted mean of the encoder states
    return zeta, alpha


def _gru_gates(xi, hh, h):
    """GRU update from input part xi and recurrent part hh (both (..., 3H)), as torch.nn.GRU."""
    xr, xz, xn = xi.chunk(3, -1)
    hr, hz, hn = hh.chunk(3, -1)
    r = torch.sigmoid(xr + hr)  # reset gate
    z = torch.sigmoid(xz + hz)  # update gate
    n = torch.tanh(xn + r * hn)  # candidate
    return n + z * (h - n)  # blend the previous state and the candidate


class Seq2Seq(nn.Module):
    r"""M GRU encoder-decoders trained side by side, each with attention or a fixed context.

    .. math::

        \begin{aligned}
        h^{\mathrm{enc}}_j &= [\overrightarrow{h}_j; \overleftarrow{h}_j]
            \quad\text{(a bidirectional GRU over the embedded source)}, \\
        h^{\mathrm{dec}}_0 &= \tanh\big(W^{\mathrm{init}} [\overrightarrow{h}_{T_x}; \overleftarrow{h}_1]
            + b^{\mathrm{init}}\big), \\
        \zeta_t &= \text{additive attention}(h^{\mathrm{dec}}_{t-1}, h^{\mathrm{enc}}_{1:T_x})
            \ \text{or the fixed}\ [\overrightarrow{h}_{T_x}; \overleftarrow{h}_1], \\
        h^{\mathrm{dec}}_t &= \mathrm{GRU}\big([x^{\mathrm{dec}}_t; \zeta_t], h^{\mathrm{dec}}_{t-1}\big), \qquad
        s_t = U [h^{\mathrm{dec}}_t; \zeta_t] + b^u
        \end{aligned}

    where :math:`x^{\mathrm{dec}}_t` is the embedding of the previous digit y_{t-1} (y_0 = bos)
    and s_t the logits of the next digit.

    Args:
        attend: list of M bools, True for an attention member, False for a fixed-context one.
        embed, hidden, dec_hidden, att_size: E (embedding size), H (per direction), H_dec, A = H_att.

    Shapes: ``src`` (N, T_x), ``src_len`` (N,), ``tgt`` (N, T_y) (ids as :func:`make_numbers`).

    Parameters (each with leading dimension M): ``src_embedding`` (M, V_src, E),
    ``tgt_embedding`` (M, 12, E); encoder ``weight_ih_l0[_reverse]`` (M, 3H, E),
    ``weight_hh_l0[_reverse]`` (M, 3H, H), ``bias_ih_l0[_reverse]``, ``bias_hh_l0[_reverse]``
    (M, 3H), gate blocks r, z, n as in ``torch.nn.GRU``; ``init_weight`` (M, H_dec, 2H),
    ``init_bias`` (M, H_dec); decoder ``dec_weight_ih`` (M, 3H_dec, E + 2H), ``dec_weight_hh``
    (M, 3H_dec, H_dec), ``dec_bias_ih``, ``dec_bias_hh`` (M, 3H_dec); ``att_W`` (M, A, H_dec),
    ``att_U`` (M, A, 2H), ``att_w`` (M, A); ``out_weight`` (M, 12, H_dec + 2H), ``out_bias`` (M, 12).

    Initialisation: embeddings N(0, 1); every other tensor U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    as ``torch.nn`` does. A fixed-context member's attention parameters exist but are unused.
    """

    def __init__(self, attend, embed: int = 16, hidden: int = 32, dec_hidden: int = 64, att_size: int = 32):
        super().__init__()
        for name, v in (("embed", embed), ("hidden", hidden), ("dec_hidden", dec_hidden), ("att_size", att_size)):
            check_positive("Seq2Seq", name, v)
        attend = torch.as_tensor(list(attend), dtype=torch.bool)
        if attend.ndim != 1 or len(attend) == 0:
            raise ValueError(f"Seq2Seq: argument 'attend' must be a non-empty list of bools, got {attend.tolist()}")
        self.register_buffer("attend", attend)
        m, e, h, d, a = len(attend), embed, hidden, dec_hidden, att_size
        shapes = {"src_embedding": (len(SOURCE_WORDS), e), "tgt_embedding": (len(TARGET_TOKENS), e)}
        for sfx in ("", "_reverse"):
            shapes |= {f"weight_ih_l0{sfx}": (3 * h, e), f"weight_hh_l0{sfx}": (3 * h, h)}
            shapes |= {f"bias_ih_l0{sfx}": (3 * h,), f"bias_hh_l0{sfx}": (3 * h,)}
        shapes |= {"init_weight": (d, 2 * h), "init_bias": (d,)}
        shapes |= {"dec_weight_ih": (3 * d, e + 2 * h), "dec_weight_hh": (3 * d, d)}
        shapes |= {"dec_bias_ih": (3 * d,), "dec_bias_hh": (3 * d,)}
        shapes |= {"att_W": (a, d), "att_U": (a, 2 * h), "att_w": (a,)}
        shapes |= {"out_weight": (len(TARGET_TOKENS), d + 2 * h), "out_bias": (len(TARGET_TOKENS),)}
        fan_in = {"bias_ih_l0": h, "bias_hh_l0": h, "init_bias": 2 * h, "dec_bias_ih": d, "dec_bias_hh": d}
        fan_in |= {"att_w": a, "out_bias": d + 2 * h, "weight_ih_l0": h, "weight_hh_l0": h}
        fan_in |= {"dec_weight_ih": d, "dec_weight_hh": d}
        for name, shape in shapes.items():
            p = torch.empty(m, *shape)
            if name.endswith("embedding"):
                nn.init.normal_(p)
            else:
                k = fan_in.get(name.removesuffix("_reverse"), shape[-1])
                nn.init.uniform_(p, -1 / math.sqrt(k), 1 / math.sqrt(k))
            setattr(self, name, nn.Parameter(p))
        self.members, self.hidden, self.dec_hidden, self.sizes = m, h, d, (e, a)

    def gru_state_dict(self, m: int, part: str = "encoder") -> dict:
        """Member m's encoder as a ``torch.nn.GRU(bidirectional=True)`` state_dict, or its decoder cell
        (``part="decoder"``) as a ``torch.nn.GRUCell`` state_dict."""
        if part == "encoder":
            names = [f"{w}_l0{s}" for s in ("", "_reverse") for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            return {n: getattr(self, n)[m].detach().clone() for n in names}
        return {
            n: getattr(self, "dec_" + n)[m].detach().clone() for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        }

    def _check_source(self, fn, src, src_len):
        v = self.src_embedding.shape[1]
        if not (torch.is_tensor(src) and src.dim() == 2 and not src.is_floating_point() and src.numel()):
            got = f"{src.dtype} {tuple(src.shape)}" if torch.is_tensor(src) else type(src).__name__
            raise ValueError(f"Seq2Seq.{fn}: argument 'src' must be a non-empty integer tensor (N, T_x), got {got}")
        if src.min() < 0 or src.max() >= v:
            raise ValueError(
                f"Seq2Seq.{fn}: argument 'src' must hold word ids in [0, {v}), got [{src.min()}, {src.max()}]"
            )
        n, t_x = src.shape
        if not (torch.is_tensor(src_len) and src_len.shape == (n,) and not src_len.is_floating_point()):
            got = f"{src_len.dtype} {tuple(src_len.shape)}" if torch.is_tensor(src_len) else type(src_len).__name__
            raise ValueError(f"Seq2Seq.{fn}: argument 'src_len' must be an integer tensor ({n},), got {got}")
        if src_len.min() < 1 or src_len.max() > t_x:
            raise ValueError(
                f"Seq2Seq.{fn}: argument 'src_len' must lie in [1, T_x] = [1, {t_x}], "
                f"got [{src_len.min()}, {src_len.max()}]"
            )

    def encode(self, src, src_len):
        """Run the bidirectional encoder. Returns ``(enc (M, N, T, 2H), fixed (M, N, 2H), mask (N, T))``.

        Raises ``ValueError`` unless ``src`` is an integer tensor (N, T) of source ids and
        ``src_len`` an integer tensor (N,) of lengths in [1, T]."""
        self._check_source("encode", src, src_len)
        n, t_x = src.shape
        mask = torch.arange(t_x, device=src.device)[None] < src_len[:, None]  # (N, T)
        x = self.src_embedding[:, src]  # (M, N, T, E)
        x2 = torch.cat([x, x.flip(2)])  # (2M, N, T, E): forward reads x, backward reads it reversed
        mask2 = torch.cat([mask.expand(self.members, n, t_x), mask.flip(1).expand(self.members, n, t_x)])
        cat = [
            torch.cat([getattr(self, w + "_l0"), getattr(self, w + "_l0_reverse")])
            for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        ]
        m2 = 2 * self.members
        xi = torch.baddbmm(cat[2][:, None], x2.reshape(m2, n * t_x, -1), cat[0].transpose(1, 2))
        xi = xi.view(m2, n, t_x, -1).unbind(2)  # T tensors (2M, N, 3H): input parts, all steps
        keep = mask2.unbind(2)  # T tensors (2M, N): True on real tokens
        h = x2.new_zeros(m2, n, self.hidden)  # (2M, N, H)
        outs = []
        for t in range(t_x):
            hh = torch.baddbmm(cat[3][:, None], h, cat[1].transpose(1, 2))  # (2M, N, 3H)
            h = torch.where(keep[t][..., None], _gru_gates(xi[t], hh, h), h)  # padding keeps h
            outs.append(h)
        out = torch.stack(outs, 2)  # (2M, N, T, H)
        fwd, bwd = out[: self.members], out[self.members :].flip(2)  # bwd[:, :, j]: has read x_T..x_j
        enc = torch.cat([fwd, bwd], -1) * mask[None, :, :, None]  # (M, N, T, 2H), zero on padding
        fixed = torch.cat([h[: self.members], h[self.members :]], -1)  # (M, N, 2H): [fwd_T; bwd_1]
        return enc, fixed, mask

    def start(self, src, src_len):
        """The decoder's initial state tuple ``(h_dec, enc, enc_proj, fixed, mask)`` (see :meth:`step`)."""
        enc, fixed, mask = self.encode(src, src_len)
        h = torch.tanh(torch.einsum("mdk,mnk->mnd", self.init_weight, fixed) + self.init_bias[:, None])
        m, n, t, k = enc.shape
        enc_proj = torch.bmm(enc.reshape(m, n * t, k), self.att_U.transpose(1, 2)).view(m, n, t, -1)  # U^att h^enc
        return h, enc, enc_proj, fixed, mask

    def step(self, y_prev, state):
        """One decoder step for all members: ``y_prev`` (M, N) -> ``(logits (M, N, 12), alpha (M, N, T), state)``."""
        h, enc, enc_proj, fixed, mask = state
        zeta, alpha = additive_attention(h, enc, enc_proj, mask, self.att_W, self.att_w)
        zeta = torch.where(self.attend[:, None, None], zeta, fixed)  # (M, N, 2H)
        emb = torch.gather(self.tgt_embedding, 1, y_prev[..., None].expand(-1, -1, self.tgt_embedding.shape[-1]))
        inp = torch.cat([emb, zeta], -1)  # (M, N, E + 2H)
        xi = torch.baddbmm(self.dec_bias_ih[:, None], inp, self.dec_weight_ih.transpose(1, 2))
        hh = torch.baddbmm(self.dec_bias_hh[:, None], h, self.dec_weight_hh.transpose(1, 2))
        h = _gru_gates(xi, hh, h)  # (M, N, H_dec)
        logits = torch.baddbmm(self.out_bias[:, None], torch.cat([h, zeta], -1), self.out_weight.transpose(1, 2))
        return logits, alpha, (h, enc, enc_proj, fixed, mask)

    def forward(self, src, src_len, tgt, free=None):
        """Logits (M, N, T_y, 12) and attention weights (M, N, T_y, T_x).

        Member m is fed the true previous digit (teacher forcing) unless ``free[m]`` is True,
        when it is fed its own previous argmax (free running)."""
        if not (torch.is_tensor(tgt) and tgt.dim() == 2 and not tgt.is_floating_point() and len(tgt) == len(src)):
            got = f"{tgt.dtype} {tuple(tgt.shape)}" if torch.is_tensor(tgt) else type(tgt).__name__
            raise ValueError(f"Seq2Seq.forward: argument 'tgt' must be an integer tensor ({len(src)}, T_y), got {got}")
        m, (n, t_y) = self.members, tgt.shape
        free = torch.zeros(m, dtype=torch.bool) if free is None else torch.as_tensor(free, dtype=torch.bool)
        free = free.to(tgt.device)
        state = self.start(src, src_len)
        y_prev = torch.full((m, n), BOS, dtype=torch.long, device=tgt.device)
        logits, alphas = [], []
        for t in range(t_y):
            out, alpha, state = self.step(y_prev, state)
            logits.append(out)
            alphas.append(alpha)
            y_prev = torch.where(free[:, None], out.argmax(-1), tgt[None, :, t].expand(m, n))
        return torch.stack(logits, 2), torch.stack(alphas, 2)

    def member(self, m: int) -> "Seq2Seq":
        """A one-member copy (M = 1) of member m."""
        one = Seq2Seq([bool(self.attend[m])], self.sizes[0], self.hidden, self.dec_hidden, self.sizes[1])
        one.load_state_dict({k: v[m : m + 1] for k, v in self.state_dict().items()})
        return one.to(self.attend.device)

    def decoder(self):
        """For a one-member model: ``(start, step)`` in the API of :mod:`rnn_helpers.decoding`.

        ``start(src, src_len)`` gives the batch-first state ``(h_dec (B, H_dec), enc (B, T, 2H),
        enc_proj (B, T, A), fixed (B, 2H), mask (B, T))``; ``step(tokens (B,), state)`` returns
        ``(log_probs (B, 12), state)``."""
        if self.members != 1:
            raise ValueError(f"Seq2Seq.decoder: needs a one-member model (use .member(m)), got M = {self.members}")

        def start(src, src_len):
            h, enc, enc_proj, fixed, mask = self.start(src, src_len)
            return h[0], enc[0], enc_proj[0], fixed[0], mask

        def step(tokens, state):
            h, enc, enc_proj, fixed, mask = state
            logits, _, new = self.step(tokens[None], (h[None], enc[None], enc_proj[None], fixed[None], mask))
            return torch.log_softmax(logits[0], -1), (new[0][0], enc, enc_proj, fixed, mask)

        return start, step
