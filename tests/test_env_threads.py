"""rh.setup's thread setting: default, environment override, argument, and bad values."""

import pytest
import torch

import rnn_helpers as rh


@pytest.fixture(autouse=True)
def restore_threads(monkeypatch):
    before = torch.get_num_threads()
    monkeypatch.delenv("RNN_BOOK_THREADS", raising=False)
    yield
    torch.set_num_threads(before)


def test_default_is_one_thread():
    rh.setup(seed=0)
    assert torch.get_num_threads() == rh.env.DEFAULT_THREADS == 1


def test_environment_overrides_default(monkeypatch):
    monkeypatch.setenv("RNN_BOOK_THREADS", "2")
    assert rh.set_threads() == 2 and torch.get_num_threads() == 2


def test_argument_overrides_environment(monkeypatch):
    monkeypatch.setenv("RNN_BOOK_THREADS", "2")
    rh.setup(seed=0, threads=1)
    assert torch.get_num_threads() == 1


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_bad_thread_counts_are_rejected(bad):
    with pytest.raises(ValueError, match="positive int"):
        rh.set_threads(bad)


@pytest.mark.parametrize("bad", ["0", "two", "-3", ""])
def test_bad_environment_value_is_rejected(monkeypatch, bad):
    monkeypatch.setenv("RNN_BOOK_THREADS", bad)
    with pytest.raises(ValueError, match="RNN_BOOK_THREADS"):
        rh.set_threads()
