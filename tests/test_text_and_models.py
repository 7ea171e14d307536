"""Character vocabulary, corpus, sampling, n-gram baselines and the torch char-LM helpers."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import rnn_helpers as rh


@given(st.text(min_size=1, max_size=50))
def test_vocab_round_trips_any_text(text):
    vocab = rh.CharVocab(text)
    ids = vocab.encode(text)
    assert ids.dtype == np.int64 and ids.shape == (len(text),)
    assert vocab.decode(ids) == text
    assert vocab.itos == sorted(set(text))
    onehot = vocab.one_hot(ids)
    assert onehot.shape == (len(text), len(vocab))
    np.testing.assert_array_equal(onehot.argmax(axis=1), ids)
    np.testing.assert_array_equal(onehot.sum(axis=1), 1.0)


def test_hello_vocabulary_in_a_fixed_order():
    vocab = rh.CharVocab(chars="helo")
    assert vocab.encode("hello").tolist() == [0, 1, 2, 2, 3]
    assert vocab.decode([3, 2, 1, 0]) == "oleh"


def test_vocab_errors_name_the_problem():
    vocab = rh.CharVocab("abc")
    with pytest.raises(ValueError, match=r"characters not in the vocabulary: 'xz'"):
        vocab.encode("axbz")
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 3\), got \[0, 5\]"):
        vocab.decode([0, 5])
    with pytest.raises(ValueError, match="distinct single characters"):
        rh.CharVocab(chars="aab")
    with pytest.raises(ValueError, match="non-empty string"):
        rh.CharVocab("")


def test_corpus_is_real_text_of_the_documented_size():
    train, val = rh.load_python_corpus()
    assert len(train) + len(val) == 666_265 and len(val) == 66_627
    text = train + val
    assert len(set(text)) == 100
    assert text.startswith("# ===== Lib/textwrap.py =====\n")
    assert "def parse_args(self, args=None, namespace=None):" in val  # argparse.py is held out at the end
    assert text.count("# ===== Lib/") == 14


@given(st.lists(st.floats(-20, 20), min_size=2, max_size=8), st.floats(0.05, 20))
def test_temperature_softmax_is_a_distribution_that_keeps_the_order(logits, tau):
    z = np.array(logits)
    p = rh.softmax_with_temperature(z, tau)
    assert np.all(p >= 0) and math.isclose(p.sum(), 1.0, rel_tol=1e-12)
    assert p.argmax() == np.argmax(z) or math.isclose(p.max(), p[np.argmax(z)], rel_tol=1e-12)
    np.testing.assert_allclose(p, torch.softmax(torch.tensor(z) / tau, 0).numpy(), rtol=1e-10, atol=1e-300)


def test_temperature_limits_and_sampling_frequencies():
    z = np.array([2.0, 1.0, 0.0])
    np.testing.assert_allclose(rh.softmax_with_temperature(z, 1e-3), [1, 0, 0], atol=1e-12)
    np.testing.assert_allclose(rh.softmax_with_temperature(z, 1e4), [1 / 3] * 3, atol=1e-3)
    rng = np.random.default_rng(0)
    draws = np.bincount([rh.sample_from_logits(z, 1.0, rng) for _ in range(20_000)], minlength=3) / 20_000
    np.testing.assert_allclose(draws, rh.softmax_with_temperature(z, 1.0), atol=0.015)
    with pytest.raises(ValueError, match="'temperature' must be > 0, got 0"):
        rh.softmax_with_temperature(z, 0)


def test_ngram_baselines_match_hand_computed_values():
    train = np.array([0, 1, 0, 1, 0, 2])
    test = np.array([0, 1, 2])
    # unigram, add-1: counts 3, 2, 1 -> (4, 3, 2) / 9
    uni = -(np.log2(4 / 9) + np.log2(3 / 9) + np.log2(2 / 9)) / 3
    assert math.isclose(rh.ngram_bits_per_char(train, test, 3, order=1), uni, rel_tol=1e-12)
    # bigram, add-1: after 0 came 1, 1, 2 -> p(1|0) = 3/6; after 1 came 0, 0 -> p(2|1) = 1/5
    bi = -(np.log2(3 / 6) + np.log2(1 / 5)) / 2
    assert math.isclose(rh.ngram_bits_per_char(train, test, 3, order=2), bi, rel_tol=1e-12)
    with pytest.raises(ValueError, match="'order' must be 1 or 2, got 3"):
        rh.ngram_bits_per_char(train, test, 3, order=3)


def test_bigram_beats_unigram_on_the_corpus():
    train, val = rh.load_python_corpus()
    vocab = rh.CharVocab(train + val)
    a, b = vocab.encode(train), vocab.encode(val)
    uni = rh.ngram_bits_per_char(a, b, len(vocab), order=1)
    bi = rh.ngram_bits_per_char(a, b, len(vocab), order=2)
    assert bi < uni - 0.5 < math.log2(len(vocab))


def test_batches_are_shifted_windows_and_streams_continue():
    ids = np.arange(1000, dtype=np.int64)
    x, y = rh.random_windows(ids, 4, 10, np.random.default_rng(0))
    assert x.shape == y.shape == (4, 10)
    np.testing.assert_array_equal(y, x + 1)
    chunks = list(rh.stream_batches(ids, batch_size=4, seq_len=10))
    assert len(chunks) == (999 // 4) // 10
    for (x0, y0), (x1, _) in zip(chunks, chunks[1:]):
        np.testing.assert_array_equal(y0, x0 + 1)
        np.testing.assert_array_equal(x1[:, 0], x0[:, -1] + 1)  # each row picks up where it stopped


def test_char_rnn_shapes_state_and_stateful_equivalence():
    torch.manual_seed(0)
    model = rh.CharRNN(vocab_size=7, hidden_size=5)
    ids = torch.randint(0, 7, (3, 8))
    logits, state = model(ids)
    assert logits.shape == (3, 8, 7) and state.shape == (1, 3, 5)
    # reading in two chunks while carrying the state gives the same scores
    a, s = model(ids[:, :5])
    b, _ = model(ids[:, 5:], s)
    torch.testing.assert_close(torch.cat([a, b], 1), logits)
    with pytest.raises(ValueError, match=r"'ids' must be an int64 tensor of shape \(N, T\), got torch.float32"):
        model(ids.float())
    with pytest.raises(ValueError, match="'cell' must be one of"):
        rh.CharRNN(5, cell="elman")
    for cell in ("gru", "lstm"):
        assert rh.CharRNN(7, 5, cell=cell)(ids)[0].shape == (3, 8, 7)


def test_char_rnn_learns_a_repeating_text_and_samples_it():
    vocab = rh.CharVocab("abcd")
    ids = vocab.encode("abcd" * 200)
    torch.manual_seed(0)
    model = rh.CharRNN(len(vocab), 16)
    before = rh.bits_per_char(model, ids, batch_size=4, seq_len=20)
    losses = rh.train_char_lm(model, ids, steps=150, batch_size=8, seq_len=12, lr=1e-2, progress=False)
    after = rh.bits_per_char(model, ids, batch_size=4, seq_len=20)
    assert before > 1.5 and after < 0.05 and losses[-1] < losses[0] / 10
    assert model.sample(vocab, "ab", 10, temperature=0.5, seed=0) == "abcdabcdabcd"


def test_stateful_training_is_deterministic():
    vocab = rh.CharVocab("the cat sat on the mat ")
    ids = vocab.encode("the cat sat on the mat " * 20)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = rh.CharRNN(len(vocab), 8, cell="lstm")
        runs.append(rh.train_char_lm(model, ids, steps=30, batch_size=4, seq_len=10, stateful=True, progress=False))
    assert runs[0] == runs[1]


def test_many_to_one_shapes_and_errors():
    model = rh.ManyToOne(2, 4)
    assert model(torch.zeros(5, 7, 2)).shape == (5,)
    assert rh.ManyToOne(2, 4, output_size=3, cell="gru")(torch.zeros(5, 7, 2)).shape == (5, 3)
    with pytest.raises(ValueError, match=r"'x' must have shape \(N, T, 2\), got \(5, 7\)"):
        model(torch.zeros(5, 7))
