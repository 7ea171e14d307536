"""Words as data: tokens, a capped vocabulary with ``<unk>``, the Austen corpus, word n-grams.

Read top to bottom: the tokeniser, the vocabulary, the shipped corpus and its
split, then the count-based baselines (add-alpha unigram and bigram, interpolated
Kneser-Ney) and perplexity, and last the torch word model of chapter 16
(:class:`WordLM`), its held-out scoring and embedding neighbours.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import torch
from torch import nn

from ._checks import check_array, check_int, check_positive
from .data import data_dir

# a word (letters, with inner apostrophes as in "don't"), a number, or one other symbol
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|[0-9]+|[^\sa-z0-9_]")


def tokenize(text: str) -> list[str]:
    """Split ``text`` into lower-case word and punctuation tokens.

    The rule: lower-case everything; a token is a run of letters a-z that may
    contain inner apostrophes (``"don't"``, ``"bennet's"``), or a run of digits,
    or any single other non-space character (``, . ; " ! ? -`` each become a
    token of their own). Underscores (Project Gutenberg's italics) and
    whitespace are dropped. Letters outside a-z (accents) become single tokens.

    Example:
        >>> tokenize('"My dear Mr. Bennet," said his _lady_.')
        ['"', 'my', 'dear', 'mr', '.', 'bennet', ',', '"', 'said', 'his', 'lady', '.']
    """
    if not isinstance(text, str):
        raise ValueError(f"tokenize: argument 'text' must be a str, got {type(text).__name__}")
    return _TOKEN.findall(text.lower())


class WordVocab:
    """A word vocabulary: the specials first, then the most frequent tokens.

    Built from a list of tokens: words seen at least ``min_count`` times, most
    frequent first (ties broken alphabetically, so the order is deterministic),
    keeping at most ``max_size`` entries in all (specials included). Every other
    word maps to ``"<unk>"``, which must be among ``specials``.

    Example:
        >>> v = WordVocab("the cat saw the dog".split(), max_size=3)
        >>> v.itos, v.encode(["the", "dog", "cow"]).tolist()
        (['<unk>', 'the', 'cat'], [1, 0, 0])

    Attributes: ``itos`` (list of tokens), ``stoi`` (token -> index),
    ``unk_index`` (the index of ``"<unk>"``), ``counts`` (training counts of
    the kept words).
    """

    def __init__(self, tokens, *, min_count: int = 1, max_size: int | None = None, specials=("<unk>",)):
        specials = list(specials)
        if "<unk>" not in specials or len(set(specials)) != len(specials):
            raise ValueError(f"WordVocab: argument 'specials' must be distinct and include '<unk>', got {specials}")
        check_positive("WordVocab", "min_count", min_count)
        if max_size is not None and max_size <= len(specials):
            raise ValueError(
                f"WordVocab: argument 'max_size' must exceed len(specials) = {len(specials)}, got {max_size}"
            )
        counts = Counter(t for t in tokens if t not in specials)
        words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        if max_size is not None:
            words = words[: max_size - len(specials)]
        self.itos: list[str] = specials + words
        self.stoi: dict[str, int] = {w: i for i, w in enumerate(self.itos)}
        self.unk_index: int = self.stoi["<unk>"]
        self.counts: dict[str, int] = {w: counts[w] for w in words}

    def __len__(self) -> int:
        return len(self.itos)

    def __repr__(self) -> str:
        return f"WordVocab({len(self)} tokens: {' '.join(self.itos[:8])} ...)"

    def index(self, token: str) -> int:
        """The index of ``token``, or ``unk_index`` if it is not in the vocabulary."""
        return self.stoi.get(token, self.unk_index)

    def encode(self, tokens) -> np.ndarray:
        """Map a list of tokens to an int64 array of indices, shape (len(tokens),)."""
        if isinstance(tokens, str):
            raise ValueError("WordVocab.encode: argument 'tokens' must be a list of tokens, got a str")
        return np.array([self.stoi.get(t, self.unk_index) for t in tokens], dtype=np.int64)

    def decode(self, ids) -> list[str]:
        """Map a sequence of indices back to tokens."""
        ids = np.asarray(ids)
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"WordVocab.decode: indices must lie in [0, {len(self)}), got [{ids.min()}, {ids.max()}]")
        return [self.itos[int(i)] for i in ids.ravel()]


# ---------------------------------------------------------------------------
# the corpus

AUSTEN_FILES = ("austen_persuasion.txt", "austen_pride_and_prejudice.txt")
VAL_CHAPTER, TEST_CHAPTER = 50, 56  # Pride and Prejudice chapters that start validation and test


def load_austen():
    """Two Jane Austen novels as token lists: (train, validation, test).

    Contiguous split by chapter: train is all of *Persuasion* followed by
    chapters 1-49 of *Pride and Prejudice*; validation is chapters 50-55 and
    test chapters 56-61 of *Pride and Prejudice*. The texts are read from
    ``data/`` and tokenised with :func:`tokenize`; ``"Chapter N"`` heading lines
    are kept as ordinary text.
    """
    persuasion, pride = ((data_dir() / f).read_text(encoding="utf-8") for f in AUSTEN_FILES)
    val_at, test_at = (pride.index(f"\nChapter {k}\n") for k in (VAL_CHAPTER, TEST_CHAPTER))
    train = tokenize(persuasion) + tokenize(pride[:val_at])
    return train, tokenize(pride[val_at:test_at]), tokenize(pride[test_at:])


def perplexity(log_probs) -> float:
    r"""``exp(-mean(log p))``: the perplexity of natural-log probabilities of the targets."""
    lp = np.asarray(log_probs, dtype=np.float64)
    if lp.ndim != 1 or lp.size == 0:
        raise ValueError(f"perplexity: argument 'log_probs' must be a non-empty 1-d array, got shape {lp.shape}")
    return float(np.exp(-lp.mean()))


# ---------------------------------------------------------------------------
# count-based baselines


def _check_ids(fn: str, ids, V: int) -> np.ndarray:
    check_array(fn, "ids", ids, ndim=1, floating=False)
    if ids.size < 2 or ids.min() < 0 or ids.max() >= V:
        got = f"[{ids.min()}, {ids.max()}]" if ids.size else "none"
        raise ValueError(f"{fn}: argument 'ids' must hold at least 2 indices in [0, {V}), got {ids.size} in {got}")
    return ids


def unigram_probs(ids: np.ndarray, vocab_size: int, alpha: float = 0.0) -> np.ndarray:
    r"""Add-alpha unigram: ``p(w) = (#(w) + alpha) / (N_train + alpha V)``, shape (V,).

    ``#(w)`` counts word w in ``ids`` (N_train ids); the pseudo-count ``alpha``
    (default 0: relative frequencies) is added to every word.
    """
    _check_ids("unigram_probs", ids, vocab_size)
    counts = np.bincount(ids, minlength=vocab_size) + float(alpha)  # (V,)
    return counts / counts.sum()


def bigram_probs(ids: np.ndarray, vocab_size: int, alpha: float = 1.0) -> np.ndarray:
    r"""Add-alpha bigram table: ``P[v, w] = p(w | v) = (#(v w) + alpha) / (#(v .) + alpha V)``, (V, V).

    ``#(v w)`` counts the word pair (v, w) in ``ids`` and ``#(v .)`` the pairs
    that start with v; the pseudo-count ``alpha > 0`` keeps unseen pairs
    possible. Each row sums to 1.
    """
    _check_ids("bigram_probs", ids, vocab_size)
    check_positive("bigram_probs", "alpha", alpha)
    P = np.full((vocab_size, vocab_size), float(alpha))  # (V, V): row = previous word
    np.add.at(P, (ids[:-1], ids[1:]), 1.0)
    return P / P.sum(axis=1, keepdims=True)


class KneserNey:
    r"""Interpolated Kneser-Ney word n-gram model (Kneser & Ney 1995; Chen & Goodman 1999).

    .. math::

        p_m(\mathsf w \mid \mathsf v) = \frac{\max(\#_m(\mathsf v\,\mathsf w) - \Delta_m, 0)}{\#_m(\mathsf v\,\cdot)}
        + \frac{\Delta_m\, \#_{1+}(\mathsf v\,\cdot)}{\#_m(\mathsf v\,\cdot)}\; p_{m-1}(\mathsf w \mid \mathsf v'),
        \qquad p_0(\mathsf w) = 1/V

    where :math:`\mathsf v` is the history (the previous :math:`m-1` words), :math:`\mathsf v'`
    is :math:`\mathsf v` without its oldest word, :math:`\#_{1+}(\mathsf v\,\cdot)` is the number
    of distinct words seen after :math:`\mathsf v` (Chen and Goodman's :math:`N_{1+}`), and
    :math:`\#_m` is the raw count at the highest order and the *continuation count* (the number
    of distinct words seen just before the m-gram) at lower orders. A history never seen falls
    back to :math:`p_{m-1}`. The discount defaults to :math:`\Delta_m = \#_1 / (\#_1 + 2\#_2)`,
    where :math:`\#_1, \#_2` are the numbers of m-grams with count 1 and 2.

    Args:
        vocab_size: V.
        order: the largest m (2 = bigram, 3 = trigram, up to 4).
        discount: one :math:`\Delta` for every order, in (0, 1), or ``None`` for the estimate.
    """

    def __init__(self, vocab_size: int, order: int = 3, discount: float | None = None):
        check_positive("KneserNey", "vocab_size", vocab_size)
        if order not in (1, 2, 3, 4):
            raise ValueError(f"KneserNey: argument 'order' must be 1, 2, 3 or 4, got {order}")
        if discount is not None and not 0.0 < discount < 1.0:
            raise ValueError(f"KneserNey: argument 'discount' must be in (0, 1), got {discount}")
        if int(vocab_size) ** order >= 2**63:  # an m-gram is one int64 key, sum_j w_j V^(m-1-j)
            raise ValueError(
                f"KneserNey: vocab_size ** order must fit an int64 key (< 2**63), got {vocab_size} ** {order}"
            )
        self.V, self.order, self.discount = int(vocab_size), order, discount

    def _key(self, cols) -> np.ndarray:
        key = np.zeros(len(cols[0]) if cols else 1, dtype=np.int64)
        for c in cols:
            key = key * self.V + c
        return key

    def fit(self, ids: np.ndarray) -> KneserNey:
        """Count the n-grams of the training ids, shape (N,)."""
        _check_ids("KneserNey.fit", ids, self.V)
        self.levels = {}
        for m in range(self.order, 0, -1):
            if m == self.order:  # raw counts of the highest order
                grams = np.stack([ids[j : len(ids) - m + 1 + j] for j in range(m)])  # (m, N-m+1)
                keys, counts = np.unique(self._key(list(grams)), return_counts=True)
            else:  # continuation counts: distinct words seen before each m-gram
                up = np.stack([ids[j : len(ids) - m + j] for j in range(m + 1)])  # (m+1, .)
                types = np.unique(self._key(list(up)))  # distinct (m+1)-grams
                keys, counts = np.unique(types % self.V**m, return_counts=True)
            ctx, inv = np.unique(keys // self.V, return_inverse=True)  # histories g
            total = np.bincount(inv, weights=counts)  # #(g .)
            types_after = np.bincount(inv).astype(np.float64)  # T(g)
            c1, c2 = (counts == 1).sum(), (counts == 2).sum()  # #1 and #2
            d = self.discount if self.discount is not None else c1 / max(c1 + 2 * c2, 1)
            self.levels[m] = (keys, counts.astype(np.float64), ctx, total, types_after, float(d))
        return self

    @staticmethod
    def _lookup(table_keys, values, query):
        pos = np.clip(np.searchsorted(table_keys, query), 0, len(table_keys) - 1)
        found = table_keys[pos] == query
        return np.where(found, values[pos], 0.0), found

    def _prob(self, hist: np.ndarray, w: np.ndarray) -> np.ndarray:
        """p(w | hist) for rows of histories hist (B, m-1) and words w (B,)."""
        p = np.full(len(w), 1.0 / self.V)  # p_0: uniform
        for m in range(1, hist.shape[1] + 2):
            keys, counts, ctx, total, types_after, d = self.levels[m]
            g = [hist[:, j] for j in range(hist.shape[1] - m + 1, hist.shape[1])]  # last m-1 words
            c, _ = self._lookup(keys, counts, self._key(g + [w]))
            gk = self._key(g) if g else np.zeros(len(w), dtype=np.int64)
            tot, seen = self._lookup(ctx, total, gk)
            typ, _ = self._lookup(ctx, types_after, gk)
            safe = np.where(seen, tot, 1.0)
            p = np.where(seen, np.maximum(c - d, 0.0) / safe + d * typ / safe * p, p)
        return p

    def dist(self, context) -> np.ndarray:
        """The next-word distribution after ``context`` (a list of ids; the last order-1 are used), (V,)."""
        hist = np.asarray(list(context)[-(self.order - 1) :] if self.order > 1 else [], dtype=np.int64)
        w = np.arange(self.V)
        return self._prob(np.broadcast_to(hist, (self.V, len(hist))), w)

    def log_probs(self, ids: np.ndarray) -> np.ndarray:
        """``log p(ids[t] | ids[:t])`` for t = 1 .. N-1, shape (N-1,); early words use shorter histories."""
        _check_ids("KneserNey.log_probs", ids, self.V)
        h = self.order - 1
        out = [np.log(self._prob(ids[None, :t], ids[t : t + 1])) for t in range(1, min(h, len(ids)))]
        if len(ids) > h:
            hist = np.stack([ids[j : len(ids) - h + j] for j in range(h)], axis=1)  # (N-h, h)
            out.append(np.log(self._prob(hist, ids[h:])))
        return np.concatenate(out)


# ---------------------------------------------------------------------------
# the neural model


class WordLM(nn.Module):
    r"""Word-level language model: embedding, one recurrent layer, scores over the vocabulary.

    .. math::

        x_t = (W^{\mathrm{emb}})^\top \mathbf{1}_{j_t}, \qquad h_t = \mathrm{RNN}(x_t, h_{t-1}),
        \qquad s_t = U h_t + b^u, \qquad p(\cdot \mid \mathsf w_{\le t}) = y_t = \psi(s_t)

    where :math:`j_t` is the index of word :math:`\mathsf w_t`, :math:`\mathbf{1}_j` its one-hot
    vector, :math:`\psi` the softmax (entry j of :math:`y_t` is the probability that the next
    word is word j), and the RNN is ``torch.nn.GRU`` or ``torch.nn.LSTM``. With ``tie=True``
    the output matrix is the embedding matrix, :math:`U = W^{\mathrm{emb}}` (Press &
    Wolf 2017; Inan et al. 2017), which needs D = H.

    Args:
        vocab_size: V, the number of words (specials included).
        embed_size: D, the size of a word vector (the RNN's input size).
        hidden_size: H.
        cell: ``"gru"`` or ``"lstm"``.
        tie: share the embedding and output matrices.

    Shapes: ids (N, T) int64 -> logits (N, T, V) and the final state.

    Parameters: ``emb.weight`` (V, D), the recurrent layer's ``rnn.*``, ``out.weight``
    (V, H) (the same tensor as ``emb.weight`` when tied) and ``out.bias`` (V,).
    Initialisation: ``emb.weight`` and ``out.weight`` uniform in [-0.1, 0.1] (tied or not,
    so that tying changes nothing else; torch's N(0, 1) embedding would make the first
    scores of a tied model huge), the rest as torch initialises it.
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, cell: str = "gru", tie: bool = False):
        super().__init__()
        if cell not in ("gru", "lstm"):
            raise ValueError(f"WordLM: argument 'cell' must be 'gru' or 'lstm', got {cell!r}")
        if tie and embed_size != hidden_size:
            raise ValueError(f"WordLM: tie=True needs embed_size == hidden_size, got {embed_size} and {hidden_size}")
        self.emb = nn.Embedding(vocab_size, embed_size)
        self.rnn = (nn.GRU if cell == "gru" else nn.LSTM)(embed_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)
        nn.init.uniform_(self.emb.weight, -0.1, 0.1)  # small, so the first scores are small
        if tie:
            self.out.weight = self.emb.weight  # one (V, D) matrix, used twice
        else:
            nn.init.uniform_(self.out.weight, -0.1, 0.1)  # as the tied matrix

    def forward(self, ids: torch.Tensor, state=None):
        """Scores for the next word: ids (N, T) -> (logits (N, T, V), final state)."""
        if ids.dim() != 2 or ids.dtype != torch.long:
            raise ValueError(f"WordLM: 'ids' must be an int64 tensor (N, T), got {ids.dtype} {tuple(ids.shape)}")
        h, state = self.rnn(self.emb(ids), state)  # (N, T, H)
        return self.out(h), state  # (N, T, V)


@torch.no_grad()
def rnn_log_probs(model: nn.Module, ids: np.ndarray, streams: int = 32, warmup: int = 32) -> np.ndarray:
    """``log p(ids[t] | ids[:t])`` for t = 1 .. N-1 from a word model, shape (N-1,).

    The targets are cut into ``streams`` contiguous pieces read side by side; each
    piece first reads up to ``warmup`` earlier words of ``ids`` (not scored), so
    each prediction sees at least ``warmup`` words of context: a close stand-in
    for one long read (exact when ``warmup`` covers the whole text). The
    log-softmax runs in the model's dtype; the result is float64.
    """
    check_array("rnn_log_probs", "ids", ids, ndim=1, floating=False)
    if ids.size < 2 or ids.min() < 0:
        got = f"{ids.size}, min {ids.min()}" if ids.size else "0"
        raise ValueError(f"rnn_log_probs: argument 'ids' must hold at least 2 indices >= 0, got {got}")
    check_int("rnn_log_probs", "streams", streams, 1)
    check_int("rnn_log_probs", "warmup", warmup, 0)
    device = next(model.parameters()).device
    n = len(ids) - 1
    bounds = np.linspace(1, n + 1, streams + 1).astype(int)
    starts = np.maximum(bounds[:-1] - 1 - warmup, 0)
    length = int((bounds[1:] - starts).max())  # read ids[start : start + length], pad at the end
    pad = np.concatenate([ids, np.zeros(length + 1, dtype=np.int64)])
    x = np.stack([pad[s : s + length] for s in starts])  # (S, length)
    y = np.stack([pad[s + 1 : s + length + 1] for s in starts])
    logits, _ = model(torch.as_tensor(x, device=device))
    lp = torch.log_softmax(logits, -1).gather(-1, torch.as_tensor(y, device=device)[..., None])[..., 0]
    lp = lp.double().cpu().numpy()  # (S, length)
    return np.concatenate([lp[b, bounds[b] - 1 - s : bounds[b + 1] - 1 - s] for b, s in enumerate(starts)])


def nearest_words(weight: np.ndarray, vocab: WordVocab, word: str, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` words whose rows of ``weight`` (V, D) have the largest cosine similarity to ``word``'s."""
    check_array("nearest_words", "weight", weight, shape=(len(vocab), None))
    if word not in vocab.stoi:
        raise ValueError(f"nearest_words: argument 'word' must be in the vocabulary, got {word!r}")
    unit = weight / np.maximum(np.linalg.norm(weight, axis=1, keepdims=True), 1e-12)
    sims = unit @ unit[vocab.stoi[word]]  # (V,)
    order = [j for j in np.argsort(-sims, kind="stable") if j != vocab.stoi[word]][:k]
    return [(vocab.itos[j], float(sims[j])) for j in order]
