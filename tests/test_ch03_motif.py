"""rh.make_motif_data, the motif task shared by chapters 1 and 3, against brute-force counting."""

import numpy as np
import pytest

import rnn_helpers as rh


def count_by_hand(row, motif):
    """Occurrences of ``motif`` in ``row`` and their start steps, by a plain double loop."""
    starts = [s for s in range(len(row) - len(motif) + 1) if all(row[s + k] == motif[k] for k in range(len(motif)))]
    return len(starts), starts


CASES = [(12, (1, 0, 1, 1), [0, 1, 2]), (20, (1, 1, 0), [5, 17]), (6, (0, 1), [4])]


@pytest.mark.parametrize("T, motif, starts", CASES)
def test_classes_counts_and_positions(T, motif, starts):
    X, y = rh.make_motif_data(150, starts, T=T, motif=motif, seed=3)
    assert X.shape == (300, T) and y.shape == (300,) and X.dtype == np.float32 and y.dtype == np.float32
    assert set(np.unique(X)) <= {0.0, 1.0}
    assert (y[:150] == 0).all() and (y[150:] == 1).all()
    for row, label in zip(X.astype(int), y):
        count, where = count_by_hand(list(row), motif)
        if label == 0:
            assert count == 0
        else:
            assert count == 1 and where[0] in starts


def test_seed_and_generator():
    a = rh.make_motif_data(50, [0, 1, 2], seed=7)
    b = rh.make_motif_data(50, [0, 1, 2], seed=7)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    rng = np.random.default_rng(7)
    c = rh.make_motif_data(50, [0, 1, 2], seed=rng)  # a Generator is used as it is, and advanced
    assert all(np.array_equal(u, v) for u, v in zip(a, c))
    d = rh.make_motif_data(50, [0, 1, 2], seed=rng)
    assert not np.array_equal(c[0], d[0])


def test_every_allowed_start_is_used():
    X, _ = rh.make_motif_data(400, [0, 4, 8], seed=0)
    found = {count_by_hand(list(row), (1, 0, 1, 1))[1][0] for row in X[400:].astype(int)}
    assert found == {0, 4, 8}


def test_input_checks():
    with pytest.raises(ValueError, match="make_motif_data: argument 'starts' must hold integers in \\[0, 8\\]"):
        rh.make_motif_data(5, [9])
    with pytest.raises(ValueError, match="make_motif_data: argument 'T' must be >= len\\(motif\\) = 4, got 3"):
        rh.make_motif_data(5, [0], T=3)
    with pytest.raises(ValueError, match="make_motif_data: argument 'motif' must be a non-empty sequence of 0s and 1s"):
        rh.make_motif_data(5, [0], motif=(1, 2))
    with pytest.raises(ValueError, match="make_motif_data: argument 'n' must be > 0, got 0"):
        rh.make_motif_data(0, [0])
