"""rh.progress: tqdm.auto live; one final line of text for the book's static pages."""

import pytest
from tqdm import auto

import rnn_helpers as rh
from rnn_helpers.progress_bars import STATIC_ENV, STATIC_WIDTH, FinalLine


@pytest.fixture
def static(monkeypatch):
    monkeypatch.setenv(STATIC_ENV, "1")


@pytest.fixture
def live(monkeypatch):
    monkeypatch.delenv(STATIC_ENV, raising=False)


def test_the_test_run_sets_static_pages():
    """conftest.py sets the variable, so the kernels that nbval starts print text bars."""
    import os

    assert os.environ.get(STATIC_ENV)


def test_live_bar_is_tqdm_auto(live):
    bar = rh.progress(range(3), desc="live", disable=True)
    assert isinstance(bar, auto.tqdm) and not isinstance(bar, FinalLine)
    assert list(bar) == [0, 1, 2]


def test_static_bar_prints_one_final_line(static, capsys):
    items = [x for x in rh.progress(range(1000), desc="char-RNN")]
    out = capsys.readouterr()
    assert items == list(range(1000))
    assert out.err == ""
    lines = out.out.splitlines()
    assert len(lines) == 1, out.out
    line = lines[0]
    assert "\r" not in out.out and "\x1b" not in out.out  # nothing a saved output would show as debris
    assert line.startswith("char-RNN: 100%|") and "1000/1000" in line, line
    assert len(line) <= STATIC_WIDTH
    assert "█" in line  # drawn with blocks, as a live text bar is


def test_static_bar_fits_with_a_long_description(static, capsys):
    for _ in rh.progress(range(123456), desc="a rather long description of what this loop trains"):
        pass
    (line,) = capsys.readouterr().out.splitlines()
    assert len(line) <= STATIC_WIDTH, line


def test_static_bar_left_false_or_disabled_prints_nothing(static, capsys):
    for _ in rh.progress(range(5), desc="inner", leave=False):
        pass
    for _ in rh.progress(range(5), desc="off", disable=True):
        pass
    assert capsys.readouterr().out == ""


def test_static_bar_broken_off_prints_where_it_stopped(static, capsys):
    for i in rh.progress(range(10), desc="early stop"):
        if i == 3:
            break
    (line,) = capsys.readouterr().out.splitlines()
    assert "early stop:  30%|" in line and "3/10" in line, line


def test_static_bar_manual_updates(static, capsys):
    bar = rh.progress(total=4, desc="manual")
    for _ in range(4):
        bar.update(1)
    bar.set_postfix(loss=0.5)
    bar.close()
    bar.close()  # a second close prints nothing more
    (line,) = capsys.readouterr().out.splitlines()
    assert "4/4" in line and "loss=0.5" in line, line


def test_progress_rejects_a_non_iterable(static):
    with pytest.raises(TypeError, match="expected an iterable.*got int"):
        rh.progress(5)
