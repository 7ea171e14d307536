"""Chapter 16: tokeniser, word vocabulary, Austen corpus, word n-grams and the word RNN model."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import rnn_helpers as rh


def test_tokenize_splits_words_and_punctuation():
    got = rh.tokenize('"My dear Mr. Bennet," said _his_ lady; "don\'t!"')
    assert got == ['"', "my", "dear", "mr", ".", "bennet", ",", '"', "said", "his", "lady", ";", '"', "don't", "!", '"']
    assert rh.tokenize("  \n ") == []
    with pytest.raises(ValueError, match="argument 'text' must be a str, got list"):
        rh.tokenize(["a"])


@given(st.lists(st.sampled_from("a b c d e f g h".split()), min_size=1, max_size=60), st.integers(3, 9))
def test_vocab_orders_by_count_then_alphabet_and_maps_the_rest_to_unk(tokens, max_size):
    vocab = rh.WordVocab(tokens, max_size=max_size, specials=("<pad>", "<unk>"))
    assert vocab.itos[:2] == ["<pad>", "<unk>"] and vocab.unk_index == 1
    counts = {w: tokens.count(w) for w in set(tokens)}
    expected = sorted(counts, key=lambda w: (-counts[w], w))[: max_size - 2]  # naive reference
    assert vocab.itos[2:] == expected and len(vocab) == 2 + len(expected)
    ids = vocab.encode(tokens)
    assert ids.dtype == np.int64 and ids.shape == (len(tokens),)
    for t, i in zip(tokens, ids, strict=True):
        assert i == (vocab.stoi[t] if t in expected else 1)
        assert vocab.index(t) == i
    assert vocab.decode(ids) == [t if t in expected else "<unk>" for t in tokens]


def test_vocab_min_count_and_errors():
    vocab = rh.WordVocab("a a b c c c".split(), min_count=2)
    assert vocab.itos == ["<unk>", "c", "a"]
    with pytest.raises(ValueError, match="must be distinct and include '<unk>'"):
        rh.WordVocab(["a"], specials=("<pad>",))
    with pytest.raises(ValueError, match="'max_size' must exceed len\\(specials\\) = 1, got 1"):
        rh.WordVocab(["a"], max_size=1)
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 3\), got \[0, 7\]"):
        vocab.decode([0, 7])
    with pytest.raises(ValueError, match="list of tokens, got a str"):
        vocab.encode("abc")


def test_austen_split_is_contiguous_and_of_the_documented_size():
    train, val, test = rh.load_austen()
    assert (len(train), len(val), len(test)) == (211_595, 16_956, 14_562)
    assert train[:3] == ["persuasion", "by", "jane"]
    assert val[:2] == ["chapter", "50"] and test[:2] == ["chapter", "56"]
    assert test[-5:] == ["means", "of", "uniting", "them", "."]


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 4), st.integers(3, 9), st.integers(0, 2**31 - 1), st.sampled_from([None, 0.3, 0.8]))
def test_kneser_ney_is_a_distribution_for_random_contexts(order, V, seed, discount):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, V, size=60)
    lm = rh.KneserNey(V, order, discount).fit(ids)
    for _ in range(4):
        context = rng.integers(0, V, size=order - 1)
        p = lm.dist(context)
        assert p.shape == (V,) and np.all(p > 0)
        np.testing.assert_allclose(p.sum(), 1.0, rtol=1e-12)


def _kn_naive(ids, V, order, d, hist, w):
    """Interpolated Kneser-Ney written with dictionaries and a recursion (independent reference)."""
    grams = {m: {} for m in range(1, order + 1)}
    for m in range(1, order + 1):
        for j in range(len(ids) - m + 1):
            g = tuple(ids[j : j + m])
            grams[m][g] = grams[m].get(g, 0) + 1

    def count(m, g):
        if m == order:
            return grams[m].get(g, 0)
        return len({u[0] for u in grams[m + 1] if u[1:] == g})  # distinct words seen before g

    def p(m, h):
        if m == 0:
            return 1.0 / V
        h = h[len(h) - (m - 1) :] if m > 1 else ()
        cs = [count(m, h + (x,)) for x in range(V)]
        tot = sum(cs)
        if tot == 0:
            return p(m - 1, h[1:] if h else ())
        seen = sum(c > 0 for c in cs)
        return max(cs[w] - d, 0) / tot + d * seen / tot * p(m - 1, h[1:] if h else ())

    return p(len(hist) + 1, tuple(hist))


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 3), st.integers(2, 5), st.integers(0, 2**31 - 1))
def test_kneser_ney_matches_a_naive_recursion(order, V, seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, V, size=30)
    lm = rh.KneserNey(V, order, 0.6).fit(ids)
    test = rng.integers(0, V, size=8)
    lp = lm.log_probs(test)
    for t in range(1, len(test)):
        hist = test[max(0, t - order + 1) : t]
        np.testing.assert_allclose(lp[t - 1], np.log(_kn_naive(ids, V, order, 0.6, list(hist), test[t])), rtol=1e-10)


def test_add_alpha_bigram_and_unigram_against_counts():
    ids = np.array([0, 1, 1, 2, 0, 1])
    P = rh.bigram_probs(ids, 3, alpha=0.5)
    np.testing.assert_allclose(P.sum(1), 1.0)
    # pairs: 01 11 12 20 01 -> after 1: {1: 1, 2: 1}
    np.testing.assert_allclose(P[1], [0.5 / 3.5, 1.5 / 3.5, 1.5 / 3.5])
    np.testing.assert_allclose(rh.unigram_probs(ids, 3), [2 / 6, 3 / 6, 1 / 6])
    assert rh.perplexity(np.log([0.5, 0.5])) == pytest.approx(2.0)
    with pytest.raises(ValueError, match=r"at least 2 indices in \[0, 3\), got 3 in \[0, 5\]"):
        rh.bigram_probs(np.array([0, 5, 1]), 3)
    with pytest.raises(ValueError, match="argument 'alpha' must be > 0, got 0"):
        rh.bigram_probs(ids, 3, alpha=0)
    with pytest.raises(ValueError, match="'order' must be 1, 2, 3 or 4, got 6"):
        rh.KneserNey(3, 6)
    with pytest.raises(ValueError, match=r"order must fit an int64 key \(< 2\*\*63\), got 60000 \*\* 4"):
        rh.KneserNey(60000, 4)


@settings(max_examples=5, deadline=None)
@given(st.integers(3, 12), st.integers(1, 6), st.integers(1, 5), st.booleans(), st.sampled_from(["gru", "lstm"]))
def test_word_lm_equals_one_hot_times_matrix_then_torch_rnn(V, H, T, tie, cell):
    torch.manual_seed(V * 7 + H)
    model = rh.WordLM(V, H, H, cell=cell, tie=tie).double()
    ids = torch.randint(0, V, (2, T))
    logits, _ = model(ids)
    assert logits.shape == (2, T, V)
    x = torch.nn.functional.one_hot(ids, V).double() @ model.emb.weight  # (2, T, H)
    ref_rnn = (torch.nn.GRU if cell == "gru" else torch.nn.LSTM)(H, H, batch_first=True).double()
    ref_rnn.load_state_dict(model.rnn.state_dict())
    ref = ref_rnn(x)[0] @ model.out.weight.T + model.out.bias
    torch.testing.assert_close(logits, ref)
    n = sum(p.numel() for p in model.parameters())
    assert n == (V * H if tie else 2 * V * H) + V + sum(p.numel() for p in model.rnn.parameters())
    with pytest.raises(ValueError, match="needs embed_size == hidden_size, got 3 and 4"):
        rh.WordLM(V, 3, 4, tie=True)


def test_rnn_log_probs_equal_one_long_read():
    torch.manual_seed(0)
    model = rh.WordLM(7, 4, 4).double().eval()
    ids = np.random.default_rng(0).integers(0, 7, size=50)
    with torch.no_grad():
        logits, _ = model(torch.as_tensor(ids)[None])
        full = torch.log_softmax(logits[0, :-1], -1).gather(-1, torch.as_tensor(ids[1:])[:, None])[:, 0]
    got = rh.rnn_log_probs(model, ids, streams=3, warmup=60)  # warm-up longer than the text: exact
    np.testing.assert_allclose(got, full.numpy(), rtol=1e-6)
    got32 = rh.rnn_log_probs(model.float(), ids, streams=3, warmup=60)  # float32 log-softmax
    assert got32.dtype == np.float64
    np.testing.assert_allclose(got32, full.numpy(), rtol=1e-5)


def test_rnn_log_probs_errors():
    model = rh.WordLM(7, 4, 4)
    ids = np.arange(7)
    with pytest.raises(ValueError, match="'ids' must have 1 dimensions, got shape"):
        rh.rnn_log_probs(model, ids[None])
    with pytest.raises(ValueError, match="'ids' must hold at least 2 indices >= 0, got 1, min 0"):
        rh.rnn_log_probs(model, ids[:1])
    with pytest.raises(ValueError, match="argument 'streams' must be an int >= 1, got 0"):
        rh.rnn_log_probs(model, ids, streams=0)
    with pytest.raises(ValueError, match="argument 'warmup' must be an int >= 0, got -5"):
        rh.rnn_log_probs(model, ids, warmup=-5)


def test_nearest_words_by_cosine():
    vocab = rh.WordVocab("a b c d".split())
    w = np.array([[1.0, 0], [1, 0.1], [0, 1], [-1, 0], [2, 0.2]])
    assert [x for x, _ in rh.nearest_words(w, vocab, "a", 2)] == ["d", "<unk>"]
    with pytest.raises(ValueError, match="must be in the vocabulary, got 'z'"):
        rh.nearest_words(w, vocab, "z")
