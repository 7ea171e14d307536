"""Chapter 17: decoding (greedy, beam search) and the seq2seq helpers."""

import itertools

import pytest
import torch
from checks import seeds
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_helpers.decoding import beam_search, greedy_decode


def random_step(V, H, seed):
    """A tiny random recurrent 'language model': a step function and an initial state maker."""
    g = torch.Generator().manual_seed(seed % 2**31)
    emb = torch.randn(V, H, generator=g, dtype=torch.float64)
    w = torch.randn(H, H, generator=g, dtype=torch.float64)
    u = 2.0 * torch.randn(V, H, generator=g, dtype=torch.float64)

    def step(tokens, state):
        h, extra = state  # (B, H), (B, 2): a nested state, batch first
        h = torch.tanh(emb[tokens] + h @ w.T + extra.sum(1, keepdim=True))
        return torch.log_softmax(h @ u.T, dim=-1), (h, extra)

    def init(n):
        return (torch.randn(n, H, generator=g, dtype=torch.float64), 0.1 * torch.randn(n, 2, generator=g))

    return step, init


def exhaustive(step, state, bos, eos, max_len, V):
    """The most probable complete output: ends in eos, or has max_len tokens."""
    best = (None, -float("inf"))
    for length in range(1, max_len + 1):
        for seq in itertools.product(range(V), repeat=length):
            if eos in seq[:-1] or (length < max_len and seq[-1] != eos):
                continue
            s, tok, total = state, torch.tensor([bos]), 0.0
            for y in seq:
                lp, s = step(tok, s)
                total += float(lp[0, y])
                tok = torch.tensor([y])
            if total > best[1]:
                best = (list(seq), total)
    return best


@given(seed=seeds, eos=st.integers(0, 2), bos=st.integers(0, 2))
@settings(max_examples=10, deadline=None)
def test_wide_beam_finds_the_exhaustive_optimum(seed, eos, bos):
    V, max_len = 3, 4
    step, init = random_step(V, 4, seed)
    state = init(1)
    best_seq, best_lp = exhaustive(step, state, bos, eos, max_len, V)
    hyps = beam_search(step, state, bos, eos, max_len, beam_width=V**max_len)
    assert hyps[0][0] == best_seq
    assert hyps[0][1] == pytest.approx(best_lp, rel=1e-9, abs=1e-12)
    assert all(a[1] >= b[1] for a, b in zip(hyps[:-1], hyps[1:], strict=True))  # best first


@given(seed=seeds, n=st.integers(1, 4), V=st.integers(2, 6), max_len=st.integers(1, 7))
@settings(max_examples=12, deadline=None)
def test_beam_width_one_is_greedy(seed, n, V, max_len):
    step, init = random_step(V, 5, seed)
    state = init(n)
    tokens, lp = greedy_decode(step, state, 0, V - 1, max_len, return_log_prob=True)
    assert tokens.shape == (n, max_len) and tokens.dtype == torch.long
    for i in range(n):
        one = tuple(s[i : i + 1] for s in state)
        (seq, total), *rest = beam_search(step, one, 0, V - 1, max_len, beam_width=1)
        assert not rest
        row = tokens[i].tolist()
        cut = row.index(V - 1) + 1 if V - 1 in row else max_len
        assert seq == row[:cut] and all(t == V - 1 for t in row[cut:])  # padded with eos
        assert total == pytest.approx(float(lp[i]), rel=1e-9, abs=1e-12)


@given(seed=seeds, max_len=st.integers(1, 6))
@settings(max_examples=10, deadline=None)
def test_greedy_takes_the_argmax_and_scores_it(seed, max_len):
    """Against a naive loop that never pads: the argmax token and its log-probability each step."""
    V = 4
    step, init = random_step(V, 3, seed)
    state = init(3)
    tokens, lp = greedy_decode(step, state, 1, 0, max_len, return_log_prob=True)
    for i in range(3):
        s, tok, total = tuple(x[i : i + 1] for x in state), torch.tensor([1]), 0.0
        for t in range(max_len):
            out, s = step(tok, s)
            y = int(out.argmax())
            assert int(tokens[i, t]) == y
            total += float(out[0, y])
            tok = torch.tensor([y])
            if y == 0:
                break
        assert float(lp[i]) == pytest.approx(total, rel=1e-9, abs=1e-12)


def test_length_penalty_changes_ranking_but_not_log_probs():
    step, init = random_step(5, 4, 3)
    state = init(1)
    for alpha in (0.0, 0.5, 1.0):
        hyps = beam_search(step, state, 0, 4, 6, beam_width=4, length_penalty=alpha)
        scores = [lp / len(seq) ** alpha for seq, lp in hyps]
        assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(beam_width=0), "'beam_width' must be an int >= 1, got 0"),
        (dict(max_len=0), "'max_len' must be an int >= 1, got 0"),
        (dict(eos=-1), "'eos' must be an int >= 0, got -1"),
        (dict(eos=9), "'eos' must be < V = 3, got 9"),
        (dict(length_penalty=-1.0), "'length_penalty' must be >= 0, got -1.0"),
        (dict(state=torch.zeros(2, 4)), "'state' must have batch dimension 1"),
        (dict(state="h"), "'state' must be a tensor or a non-empty tuple/list"),
    ],
)
def test_beam_search_errors(kwargs, message):
    step, init = random_step(3, 4, 0)
    args = dict(state=init(1), bos=0, eos=2, max_len=3, beam_width=2)
    args.update(kwargs)
    if isinstance(args["state"], torch.Tensor):
        args["state"] = (args["state"], torch.zeros(args["state"].shape[0], 2))
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        beam_search(step, **args)


def test_greedy_errors():
    step, init = random_step(3, 4, 0)
    with pytest.raises(ValueError, match="greedy_decode: argument 'max_len' must be an int >= 1, got 0"):
        greedy_decode(step, init(2), 0, 2, 0)
    with pytest.raises(ValueError, match=r"'step' must return log_probs of shape \(B, V\) = \(2, V\)"):
        greedy_decode(lambda t, s: (torch.zeros(3), s), init(2), 0, 2, 3)


# ---- rnn_helpers.seq2seq --------------------------------------------------------------------

from rnn_helpers import seq2seq as s2s  # noqa: E402

SMALL = dict(embed=5, hidden=4, dec_hidden=6, att_size=3)


def words_to_int(words):
    """An independent parser: the value of British number words."""
    units = {w: i for i, w in enumerate(s2s.ONES)} | {w: 10 * i for i, w in enumerate(s2s.TENS) if w}
    total, group = 0, 0
    for w in words:
        if w in units:
            group += units[w]
        elif w == "hundred":
            group *= 100
        elif w in ("thousand", "million"):
            total += group * (1000 if w == "thousand" else 10**6)
            group = 0
    return total + group


@given(n=st.integers(0, 10**9 - 1))
def test_number_words_parse_back(n):
    words = s2s.number_words(n)
    assert words_to_int(words) == n
    assert all(w in s2s.SOURCE_WORDS[1:] for w in words)


def test_number_words_examples():
    assert " ".join(s2s.number_words(305012)) == "three hundred and five thousand and twelve"
    assert " ".join(s2s.number_words(40)) == "forty"
    assert " ".join(s2s.number_words(100000)) == "one hundred thousand"
    with pytest.raises(ValueError, match=r"number_words: argument 'n' must be an integer in \[0, 10\*\*9\), got -1"):
        s2s.number_words(-1)


@given(count=st.integers(1, 30), seed=seeds, max_digits=st.integers(1, 9))
@settings(max_examples=20, deadline=None)
def test_make_numbers_is_consistent_and_deterministic(count, seed, max_digits):
    src, src_len, tgt, values = s2s.make_numbers(count, seed, max_digits)
    again = s2s.make_numbers(count, seed, max_digits)
    assert all(torch.equal(a, b) for a, b in zip((src, src_len, tgt), again[:3], strict=True))
    assert (values == again[3]).all()
    assert tgt.shape[1] <= max_digits + 1 and src.shape[1] == int(src_len.max())
    for i, v in enumerate(values):
        words = [s2s.SOURCE_WORDS[j] for j in src[i, : src_len[i]]]
        assert words_to_int(words) == v and (src[i, src_len[i] :] == s2s.PAD).all()
        digits = "".join(s2s.TARGET_TOKENS[j] for j in tgt[i] if j != s2s.EOS)
        assert digits == str(v) and tgt[i, len(str(v))] == s2s.EOS


def test_make_numbers_errors():
    with pytest.raises(ValueError, match="make_numbers: argument 'count' must be > 0, got 0"):
        s2s.make_numbers(0, 1)
    with pytest.raises(ValueError, match="make_numbers: argument 'max_digits' must be an integer in 1..9, got 10"):
        s2s.make_numbers(3, 1, 10)


def _model(m, seed):
    torch.manual_seed(seed % 2**31)
    return s2s.Seq2Seq([i % 2 == 0 for i in range(m)], **SMALL).double()


@given(m=st.integers(1, 3), count=st.integers(1, 5), seed=seeds)
@settings(max_examples=4, deadline=None)
def test_encoder_matches_torch_nn_gru_per_member(m, count, seed):
    model = _model(m, seed)
    src, src_len, _, _ = s2s.make_numbers(count, seed, 4)
    enc, fixed, mask = model.encode(src, src_len)
    for k in range(m):
        ref = torch.nn.GRU(5, 4, batch_first=True, bidirectional=True).double()
        ref.load_state_dict(model.gru_state_dict(k))
        for i in range(count):
            x = model.src_embedding[k, src[i, : src_len[i]]][None]
            out, h_n = ref(x)
            torch.testing.assert_close(out[0], enc[k, i, : src_len[i]])
            torch.testing.assert_close(torch.cat([h_n[0, 0], h_n[1, 0]]), fixed[k, i])
            assert (enc[k, i, src_len[i] :] == 0).all()


def attention_loop(h, enc, w_dec, u, w):
    """Naive single-example additive attention, one position at a time."""
    scores = torch.stack([w @ torch.tanh(w_dec @ h + u @ e) for e in enc])
    alpha = torch.exp(scores) / torch.exp(scores).sum()
    return (alpha[:, None] * enc).sum(0), alpha


@given(m=st.integers(1, 3), count=st.integers(1, 4), seed=seeds)
@settings(max_examples=8, deadline=None)
def test_additive_attention_against_a_loop_and_autograd(m, count, seed):
    model = _model(m, seed)
    src, src_len, _, _ = s2s.make_numbers(count, seed, 5)
    h, enc, enc_proj, _, mask = model.start(src, src_len)
    zeta, alpha = s2s.additive_attention(h, enc, enc_proj, mask, model.att_W, model.att_w)
    torch.testing.assert_close(alpha.sum(-1), torch.ones(m, count, dtype=torch.float64))
    for k in range(m):
        for i in range(count):
            t = int(src_len[i])
            z, a = attention_loop(h[k, i], enc[k, i, :t], model.att_W[k], model.att_U[k], model.att_w[k])
            torch.testing.assert_close(zeta[k, i], z)
            torch.testing.assert_close(alpha[k, i, :t], a)
            assert (alpha[k, i, t:] == 0).all()


def test_additive_attention_gradcheck():
    g = torch.Generator().manual_seed(0)
    mask = torch.tensor([[True, True, True], [True, True, False]])  # (N, T)
    inputs = [
        torch.randn(*s, generator=g, dtype=torch.float64, requires_grad=True)
        for s in [(1, 2, 3), (1, 2, 3, 4), (1, 2, 3, 2), (1, 2, 3), (1, 2)]
    ]
    assert torch.autograd.gradcheck(lambda h, e, p, wd, w: s2s.additive_attention(h, e, p, mask, wd, w)[0], inputs)


@given(seed=seeds)
@settings(max_examples=4, deadline=None)
def test_decoder_step_matches_grucell_and_members_are_independent(seed):
    model = _model(2, seed)
    src, src_len, tgt, _ = s2s.make_numbers(3, seed, 4)
    state = model.start(src, src_len)
    y = torch.full((2, 3), s2s.BOS)
    logits, alpha, new = model.step(y, state)
    for k in range(2):
        cell = torch.nn.GRUCell(5 + 8, 6).double()
        cell.load_state_dict(model.gru_state_dict(k, "decoder"))
        zeta = (alpha[k][..., None] * state[1][k]).sum(1) if k == 0 else state[3][k]  # member 0 attends
        x = torch.cat([model.tgt_embedding[k, y[k]], zeta], -1)
        torch.testing.assert_close(new[0][k], cell(x, state[0][k]))
        ref = torch.cat([new[0][k], zeta], -1) @ model.out_weight[k].T + model.out_bias[k]
        torch.testing.assert_close(logits[k], ref)
    # member 1's logits do not depend on member 0's parameters
    logits, _ = model(src, src_len, tgt)
    logits[1].sum().backward()
    assert all(p.grad[0].abs().max() == 0 for p in model.parameters() if p.grad is not None)


@given(seed=seeds)
@settings(max_examples=3, deadline=None)
def test_member_decoder_greedy_equals_free_running_forward(seed):
    model = _model(3, seed)
    src, src_len, tgt, _ = s2s.make_numbers(4, seed, 5)
    logits, _ = model(src, src_len, tgt, free=[True, True, True])
    for k in range(3):
        start, step = model.member(k).decoder()
        tokens = greedy_decode(step, start(src, src_len), s2s.BOS, s2s.EOS, tgt.shape[1])
        free_run = logits[k].argmax(-1)
        for i in range(4):
            row = tokens[i].tolist()
            cut = row.index(s2s.EOS) + 1 if s2s.EOS in row else len(row)
            assert row[:cut] == free_run[i, :cut].tolist()


def test_seq2seq_errors():
    with pytest.raises(ValueError, match="Seq2Seq: argument 'hidden' must be > 0, got 0"):
        s2s.Seq2Seq([True], hidden=0)
    with pytest.raises(ValueError, match="Seq2Seq: argument 'attend' must be a non-empty list of bools"):
        s2s.Seq2Seq([])
    with pytest.raises(ValueError, match="Seq2Seq.decoder: needs a one-member model"):
        s2s.Seq2Seq([True, False]).decoder()


def test_seq2seq_input_errors():
    model = s2s.Seq2Seq([True, False])
    src, src_len, tgt, _ = s2s.make_numbers(3, 0, 4)
    with pytest.raises(ValueError, match=r"'src' must be a non-empty integer tensor \(N, T_x\), got torch.float32"):
        model(src.float(), src_len, tgt)
    with pytest.raises(ValueError, match=r"'src' must hold word ids in \[0, "):
        model(src + 1000, src_len, tgt)
    with pytest.raises(ValueError, match=r"'src_len' must be an integer tensor \(3,\), got torch.int64 \(2,\)"):
        model(src, src_len[:2], tgt)
    with pytest.raises(ValueError, match=r"'src_len' must lie in \[1, T_x\]"):
        model(src, src_len * 0, tgt)  # an empty source gives NaN scores without this check
    with pytest.raises(ValueError, match=r"'tgt' must be an integer tensor \(3, T_y\), got torch.int64 \(2,"):
        model(src, src_len, tgt[:2])
