"""BLEU, the n-gram overlap score of Papineni et al. (2002), at the corpus and sentence level.

For a corpus of hypotheses (generated captions or translations), each with
one or more references, BLEU-:math:`N` is

.. math::
    \\mathrm{BLEU}\\text{-}N = \\mathrm{BP} \\cdot
        \\exp\\Big(\\frac{1}{N} \\sum_{n=1}^{N} \\log \\mathrm{prec}_n\\Big),
    \\qquad
    \\mathrm{BP} = \\begin{cases} 1 & c > r \\\\ e^{1 - r/c} & c \\le r \\end{cases}

where :math:`\\mathrm{prec}_n` is the *modified n-gram precision*: over the
whole corpus, the number of the hypotheses' n-grams that also occur in a
reference, each n-gram's count clipped at the largest number of times it occurs
in any one reference of its sentence, divided by the number of n-grams in the
hypotheses; :math:`c` is the total length of the hypotheses and :math:`r` the
sum, over sentences, of the reference length closest to the hypothesis length
(the shorter one on a tie). The counts are summed over the corpus before
dividing, as the paper defines the corpus score; this is not the mean of
sentence scores. The numbers match ``nltk.translate.bleu_score.corpus_bleu``
with its default (no) smoothing whenever every hypothesis has at least
:math:`N` tokens. (nltk counts a hypothesis with no n-grams of some order as
having one, to avoid dividing by zero per sentence; we count zero, as the
paper's corpus-level sums do.)

**Zero counts.** If some :math:`\\mathrm{prec}_n` is zero, the geometric mean is
zero, and so is BLEU-:math:`N` (nltk returns a tiny positive number of order
1e-77 instead, with a warning). A single short sentence often has no matching
4-gram, so sentence-level BLEU-4 is often exactly 0: use the corpus score to
compare systems.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from ._checks import check_int


def ngrams(tokens, n: int) -> Counter:
    """The n-grams of a token list with their counts, as a ``Counter`` of tuples."""
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def modified_precision(references, hypothesis, n: int) -> tuple[int, int]:
    """Clipped n-gram matches and the number of n-grams of one hypothesis.

    Each n-gram of the hypothesis counts at most as often as it occurs in the
    reference where it occurs most often.

    Args:
        references: a list of token lists (one or more references).
        hypothesis: a token list.
        n: the n-gram order, >= 1.

    Returns:
        (clipped matches, hypothesis n-grams): integers; their ratio is the
        sentence's modified precision.
    """
    counts = ngrams(hypothesis, n)
    most = Counter()
    for ref in references:
        most |= ngrams(ref, n)  # element-wise max of the counts
    clipped = sum(min(c, most[g]) for g, c in counts.items())
    return clipped, sum(counts.values())


def closest_ref_length(references, hyp_len: int) -> int:
    """The length of the reference closest to ``hyp_len`` (the shorter one on a tie)."""
    return min((len(r) for r in references), key=lambda r: (abs(r - hyp_len), r))


def brevity_penalty(ref_len: int, hyp_len: int) -> float:
    """BP = 1 if hyp_len > ref_len, else exp(1 - ref_len / hyp_len); 0 for an empty hypothesis."""
    if hyp_len > ref_len:
        return 1.0
    if hyp_len == 0:
        return 0.0
    return math.exp(1.0 - ref_len / hyp_len)


def _check(fn, list_of_references, hypotheses, max_n, name="max_n"):
    check_int(fn, name, max_n, 1)
    if len(list_of_references) != len(hypotheses):
        raise ValueError(
            f"{fn}: arguments 'list_of_references' and 'hypotheses' must have the same length "
            f"(one list of references per hypothesis), got {len(list_of_references)} and {len(hypotheses)}"
        )
    for k, (refs, hyp) in enumerate(zip(list_of_references, hypotheses)):
        if isinstance(hyp, str) or any(not isinstance(w, str) for w in hyp):
            raise ValueError(f"{fn}: argument 'hypotheses' must hold lists of string tokens, got {hyp!r} at index {k}")
        if isinstance(refs, str) or not refs or any(isinstance(r, str) for r in refs):
            raise ValueError(
                f"{fn}: argument 'list_of_references' must hold non-empty lists of token lists, "
                f"got {refs!r} at index {k}"
            )


def bleu_scores(list_of_references, hypotheses, max_n: int = 4) -> np.ndarray:
    """Corpus BLEU-1, ..., BLEU-``max_n`` in one pass over the corpus.

    Args:
        list_of_references: one list of reference token lists per hypothesis.
        hypotheses: the hypotheses, token lists (e.g. ``"a small 3".split()``).
        max_n: the largest n-gram order.

    Returns:
        (max_n,) float64 array: entry ``n - 1`` is BLEU-n, the geometric mean
        of prec_1, ..., prec_n with equal weights, times BP.
    """
    _check("bleu_scores", list_of_references, hypotheses, max_n)
    matches = np.zeros(max_n, dtype=np.int64)  # clipped matches per order
    totals = np.zeros(max_n, dtype=np.int64)  # hypothesis n-grams per order
    c = r = 0
    for refs, hyp in zip(list_of_references, hypotheses):
        for n in range(1, max_n + 1):
            m, t = modified_precision(refs, hyp, n)
            matches[n - 1] += m
            totals[n - 1] += t
        c += len(hyp)
        r += closest_ref_length(refs, len(hyp))
    bp = brevity_penalty(r, c)
    out = np.zeros(max_n)
    log_sum = 0.0
    for n in range(1, max_n + 1):
        if matches[n - 1] == 0:  # a zero precision: this and higher orders are 0
            break
        log_sum += math.log(matches[n - 1] / totals[n - 1])
        out[n - 1] = bp * math.exp(log_sum / n)
    return out


def corpus_bleu(list_of_references, hypotheses, n: int = 4) -> float:
    """Corpus BLEU-n (see the module docstring); ``n = 4`` is the usual "BLEU"."""
    _check("corpus_bleu", list_of_references, hypotheses, n, "n")
    return float(bleu_scores(list_of_references, hypotheses, max_n=n)[-1])


def sentence_bleu(references, hypothesis, n: int = 4) -> float:
    """BLEU-n of one hypothesis against its references (0 if any order has no match)."""
    _check("sentence_bleu", [references], [hypothesis], n, "n")
    return float(bleu_scores([references], [hypothesis], max_n=n)[-1])
