"""Chapter 18: the captioned digit scenes (seeded, test scenes from held-out digits, captions that
describe what was drawn) and BLEU against nltk's corpus_bleu and sentence_bleu."""

import warnings

import numpy as np
import pytest
from checks import seeds
from hypothesis import given
from hypothesis import strategies as st
from nltk.translate import bleu_score as nltk_bleu

import rnn_helpers as rh
from rnn_helpers.bleu import bleu_scores, brevity_penalty, corpus_bleu, modified_precision, sentence_bleu
from rnn_helpers.scenes import LAYOUTS, SIZES, make_scenes, scene_captions, shrink

# ---------------------------------------------------------------- scenes


@given(n=st.integers(1, 12), canvas=st.sampled_from([16, 18, 20]), seed=seeds, split=st.sampled_from(["train", "test"]))
def test_scene_shapes_and_ranges(n, canvas, seed, split):
    d = make_scenes(n, canvas=canvas, split=split, seed=seed)
    assert d.images.shape == (n, canvas, canvas) and d.images.dtype == np.float32
    assert d.digits.shape == d.sizes.shape == d.image_ids.shape == (n, 2) and d.layout.shape == (n,)
    assert d.offsets.shape == (n, 2, 2) and len(d.captions) == n
    assert 0 <= d.images.min() and d.images.max() <= 1
    assert all(a.dtype == np.int64 for a in (d.digits, d.sizes, d.layout, d.image_ids, d.offsets))


@given(seed=seeds)
def test_same_seed_same_scenes_other_seed_other_scenes(seed):
    a, b, c = make_scenes(8, seed=seed), make_scenes(8, seed=seed), make_scenes(8, seed=seed + 1)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(np.asarray(x, dtype=object), np.asarray(y, dtype=object))
    assert not np.array_equal(a.images, c.images)


def _naive_scene(X, d, k, canvas):
    """Redraw scene k from its record, digit by digit, with scipy's zoom for the small ones."""
    from scipy.ndimage import map_coordinates

    img = np.zeros((canvas, canvas))
    for j in range(2):
        digit = X[d.image_ids[k, j]]
        if d.sizes[k, j] == 0:  # linear interpolation onto a 5 x 5 grid spanning the 8 x 8 one
            u = np.linspace(0, 7, 5)
            digit = map_coordinates(digit, np.meshgrid(u, u, indexing="ij"), order=1)
        r, c = d.offsets[k, j]
        s = digit.shape[0]
        img[r : r + s, c : c + s] = digit
    return img


@given(seed=seeds, split=st.sampled_from(["train", "test"]), canvas=st.sampled_from([16, 20]))
def test_scenes_show_the_split_s_digits_where_the_captions_say(seed, split, canvas):
    X_train, y_train, X_test, y_test = rh.load_digits()
    X, y = (X_train, y_train) if split == "train" else (X_test, y_test)
    X = X.reshape(-1, 8, 8)
    d = make_scenes(10, canvas=canvas, split=split, seed=seed)
    np.testing.assert_array_equal(d.digits, y[d.image_ids])  # the digit named is the image's class
    for k in range(10):
        np.testing.assert_allclose(d.images[k], _naive_scene(X, d, k, canvas), atol=1e-6)
        side = np.where(d.sizes[k] == 1, 8, 5)  # (2,)
        axis = 1 if d.layout[k] == 0 else 0  # horizontal: columns decide
        half = canvas // 2
        # the first digit lies in the left/top half, the second in the right/bottom half
        assert d.offsets[k, 0, axis] + side[0] <= half <= d.offsets[k, 1, axis]
        assert (d.offsets[k] >= 0).all() and (d.offsets[k] + side[:, None] <= canvas).all()
        a, b = (f"a {SIZES[s]} {g}" for g, s in zip(d.digits[k], d.sizes[k]))
        rel = ("to the left of", "to the right of") if LAYOUTS[d.layout[k]] == "horizontal" else ("above", "below")
        assert d.captions[k] == [f"{a} {rel[0]} {b}", f"{b} {rel[1]} {a}"]


def test_test_scenes_use_only_held_out_images():
    X_train, _, X_test, _ = rh.load_digits()
    train_rows = {row.tobytes() for row in X_train}
    d = make_scenes(200, split="test", seed=3)
    used = X_test[np.unique(d.image_ids)]
    assert not any(row.tobytes() in train_rows for row in used)
    # and the large test digits on the canvas are exactly held-out images
    k = int(np.flatnonzero((d.sizes == 1).all(1))[0])
    r, c = d.offsets[k, 0]
    patch = d.images[k, r : r + 8, c : c + 8].astype(np.float64).ravel()
    np.testing.assert_allclose(patch, X_test[d.image_ids[k, 0]], atol=1e-6)


def test_shrink_keeps_corners_and_constants():
    rng = np.random.default_rng(0)
    img = rng.random((8, 8))
    small = shrink(img)
    assert small.shape == (5, 5)
    for i, j in [(0, 0), (0, -1), (-1, 0), (-1, -1)]:
        assert small[i, j] == pytest.approx(img[i, j])
    np.testing.assert_allclose(shrink(np.full((8, 8), 0.3)), 0.3)


def test_scene_captions_both_phrasings():
    assert scene_captions([3, 7], [0, 1], 0) == [
        "a small 3 to the left of a large 7",
        "a large 7 to the right of a small 3",
    ]
    assert scene_captions([3, 7], [1, 1], 1) == ["a large 3 above a large 7", "a large 7 below a large 3"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n=0), "'n' must be an int >= 1"),
        (dict(n=2, canvas=15), "'canvas' must be an int >= 16"),
        (dict(n=2, canvas=17), "'canvas' must be even"),
        (dict(n=2, split="val"), "'split' must be 'train' or 'test'"),
        (dict(n=2, p_large=1.5), "'p_large' must lie in"),
        (dict(n=2, seed=-1), "'seed' must be an int >= 0"),
    ],
)
def test_scene_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_scenes(**kwargs)


# ---------------------------------------------------------------- BLEU

words = st.sampled_from(list("abcde"))
sentences = st.lists(words, min_size=0, max_size=9)
nonempty = st.lists(words, min_size=1, max_size=9)
long = st.lists(words, min_size=4, max_size=9)  # nltk counts an empty n-gram list as one n-gram
corpora = st.lists(st.tuples(st.lists(nonempty, min_size=1, max_size=3), long), min_size=1, max_size=6)


def _nltk(refs, hyps, n):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return nltk_bleu.corpus_bleu(refs, hyps, weights=tuple([1.0 / n] * n))


@given(corpus=corpora)
def test_corpus_bleu_matches_nltk(corpus):
    refs, hyps = [c[0] for c in corpus], [c[1] for c in corpus]
    ours = bleu_scores(refs, hyps)
    for n in range(1, 5):
        # nltk gives ~1e-77 where a precision is zero and we give 0
        assert ours[n - 1] == pytest.approx(_nltk(refs, hyps, n), rel=1e-12, abs=1e-12)
        assert corpus_bleu(refs, hyps, n=n) == ours[n - 1]


@given(refs=st.lists(nonempty, min_size=1, max_size=3), hyp=long)
def test_sentence_bleu_matches_nltk(refs, hyp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = nltk_bleu.sentence_bleu(refs, hyp)
    assert sentence_bleu(refs, hyp) == pytest.approx(theirs, rel=1e-12, abs=1e-12)


@given(refs=st.lists(nonempty, min_size=1, max_size=3), hyp=sentences, n=st.integers(1, 4))
def test_modified_precision_and_brevity_penalty_match_nltk(refs, hyp, n):
    m, t = modified_precision(refs, hyp, n)
    p = nltk_bleu.modified_precision(refs, hyp, n)
    assert (m, max(t, 1)) == (p.numerator, p.denominator) or (m == 0 and p.numerator == 0)
    r = nltk_bleu.closest_ref_length(refs, len(hyp))
    assert brevity_penalty(r, len(hyp)) == pytest.approx(nltk_bleu.brevity_penalty(r, len(hyp)))


def test_short_hypotheses_count_no_n_grams_where_nltk_counts_one():
    refs, hyps = [[["a"]], [["a"]]], [[], ["a"]]
    assert bleu_scores(refs, hyps, max_n=1)[0] == pytest.approx(np.exp(1 - 2 / 1) * 1 / 1)  # prec_1 = 1/1
    assert _nltk(refs, hyps, 1) == pytest.approx(np.exp(1 - 2 / 1) * 1 / 2)  # nltk: prec_1 = 1/2


def test_bleu_on_the_paper_s_clipping_example_and_on_captions():
    # Papineni et al.'s example: "the the the the the the the" against two references
    refs = ["the cat is on the mat".split(), "there is a cat on the mat".split()]
    assert modified_precision(refs, ["the"] * 7, 1) == (2, 7)
    caps = scene_captions([3, 7], [0, 1], 0)
    refs = [[c.split() for c in caps]]
    assert corpus_bleu(refs, [caps[1].split()]) == 1.0  # the second phrasing is as good as the first
    assert corpus_bleu(refs, ["a small 3".split()]) == 0.0  # no 4-gram at all


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: bleu_scores([[["a"]]], [["a"], ["b"]]), "same length"),
        (lambda: bleu_scores([[["a"]]], ["a b"]), "lists of string tokens"),
        (lambda: bleu_scores([["a b"]], [["a"]]), "non-empty lists of token lists"),
        (lambda: bleu_scores([[]], [["a"]]), "non-empty lists of token lists"),
        (lambda: bleu_scores([[["a"]]], [["a"]], max_n=0), "'max_n' must be an int >= 1"),
        (lambda: corpus_bleu([[["a"]]], [["a"]], n=0), "'n' must be an int >= 1"),
    ],
)
def test_bleu_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
