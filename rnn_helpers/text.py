"""Characters as data: a vocabulary, the shipped text corpus, sampling, and n-gram baselines.

Everything here is numpy; the torch language model lives in :mod:`rnn_helpers.models`.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_array, check_positive
from .data import data_dir

CORPUS_FILE = "python_stdlib.txt"


class CharVocab:
    """A character vocabulary: a sorted list of the distinct characters of a text.

    ``stoi`` maps a character to its index and ``itos`` maps back, so
    ``vocab.decode(vocab.encode(s)) == s`` for any string made of known characters.

    Example:
        >>> v = CharVocab("hello")
        >>> v.itos, v.encode("hell").tolist()
        (['e', 'h', 'l', 'o'], [1, 0, 2, 2])

    Pass ``chars`` to fix the order yourself, e.g. ``CharVocab(chars="helo")``.
    """

    def __init__(self, text: str = "", *, chars=None):
        if chars is None:
            if not isinstance(text, str) or not text:
                raise ValueError(f"CharVocab: argument 'text' must be a non-empty string, got {text!r:.40}")
            chars = sorted(set(text))
        chars = list(chars)
        if len(set(chars)) != len(chars) or not all(isinstance(c, str) and len(c) == 1 for c in chars):
            raise ValueError(f"CharVocab: argument 'chars' must be distinct single characters, got {chars!r:.80}")
        self.itos: list[str] = chars
        self.stoi: dict[str, int] = {c: i for i, c in enumerate(chars)}

    def __len__(self) -> int:
        return len(self.itos)

    def __repr__(self) -> str:
        return f"CharVocab({len(self)} characters: {''.join(self.itos)[:40]!r}{'...' if len(self) > 40 else ''})"

    def encode(self, text: str) -> np.ndarray:
        """Map a string to an int64 array of indices, shape (len(text),)."""
        unknown = sorted(set(text) - self.stoi.keys())
        if unknown:
            raise ValueError(f"CharVocab.encode: characters not in the vocabulary: {''.join(unknown)!r}")
        return np.array([self.stoi[c] for c in text], dtype=np.int64)

    def decode(self, ids) -> str:
        """Map a sequence of indices back to a string."""
        ids = np.asarray(ids)
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"CharVocab.decode: indices must lie in [0, {len(self)}), got [{ids.min()}, {ids.max()}]")
        return "".join(self.itos[int(i)] for i in ids.ravel())

    def one_hot(self, ids, dtype=np.float64) -> np.ndarray:
        """One-hot vectors: indices of any shape S -> array of shape S + (V,)."""
        ids = np.asarray(ids)
        if not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"CharVocab.one_hot: argument 'ids' must hold integers, got dtype {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"CharVocab.one_hot: indices must lie in [0, {len(self)}), got [{ids.min()}, {ids.max()}]")
        return np.eye(len(self), dtype=dtype)[ids]


def load_python_corpus(val_fraction: float = 0.1):
    """The book's real-text corpus: 666,265 characters of Python standard-library source.

    Fourteen modules of CPython 3.11.7 (listed, with license, in ``data/README.md``),
    concatenated into ``data/python_stdlib.txt``. The corpus ships with the book, so
    it is the same offline, in CI and on Colab.

    Returns:
        (train_text, val_text): the first ``1 - val_fraction`` of the characters and the
        rest. The split is contiguous, so held-out text is never seen in training.
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"load_python_corpus: argument 'val_fraction' must be in (0, 1), got {val_fraction}")
    text = (data_dir() / CORPUS_FILE).read_text(encoding="utf-8")
    cut = int(round(len(text) * (1.0 - val_fraction)))
    return text[:cut], text[cut:]


def softmax_with_temperature(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """``p_i = exp(z_i / tau) / sum_j exp(z_j / tau)`` over the last axis.

    ``tau < 1`` sharpens the distribution towards the arg-max, ``tau > 1`` flattens it
    towards uniform; ``tau = 1`` is the model's own distribution.
    """
    check_array("softmax_with_temperature", "logits", logits)
    check_positive("softmax_with_temperature", "temperature", temperature)
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)  # subtract the max so exp never overflows
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def sample_from_logits(logits: np.ndarray, temperature: float = 1.0, rng: np.random.Generator | None = None) -> int:
    """Draw one index from ``softmax(logits / temperature)``; logits has shape (V,)."""
    check_array("sample_from_logits", "logits", np.asarray(logits, dtype=np.float64), ndim=1)
    p = softmax_with_temperature(np.asarray(logits, dtype=np.float64), temperature)
    rng = np.random.default_rng(0) if rng is None else rng
    return int(rng.choice(len(p), p=p))


def ngram_bits_per_char(
    train_ids: np.ndarray, test_ids: np.ndarray, vocab_size: int, order: int = 2, alpha: float = 1.0
) -> float:
    """Held-out bits per character of a count-based unigram (order 1) or bigram (order 2) model.

    Probabilities are add-``alpha`` smoothed counts from ``train_ids``:
    unigram ``p(c) = (n(c) + alpha) / (n + alpha V)``, bigram
    ``p(c | a) = (n(a, c) + alpha) / (n(a) + alpha V)``. The result is the average of
    ``-log2 p`` over ``test_ids`` (for a bigram, over every character after the first).
    """
    for name, ids in (("train_ids", train_ids), ("test_ids", test_ids)):
        check_array("ngram_bits_per_char", name, ids, ndim=1, floating=False)
        if ids.size < 2 or ids.min() < 0 or ids.max() >= vocab_size:
            raise ValueError(f"ngram_bits_per_char: '{name}' must hold at least 2 indices in [0, {vocab_size})")
    check_positive("ngram_bits_per_char", "alpha", alpha)
    V = vocab_size
    if order == 1:
        counts = np.bincount(train_ids, minlength=V) + alpha  # (V,)
        p = counts / counts.sum()
        return float(-np.log2(p[test_ids]).mean())
    if order == 2:
        counts = np.full((V, V), alpha)  # counts[a, c]: how often c follows a
        np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1.0)
        p = counts / counts.sum(axis=1, keepdims=True)
        return float(-np.log2(p[test_ids[:-1], test_ids[1:]]).mean())
    raise ValueError(f"ngram_bits_per_char: argument 'order' must be 1 or 2, got {order}")
