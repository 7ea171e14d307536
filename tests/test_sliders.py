"""rh.slider_html: a slider over precomputed figures that works without a kernel."""

import base64
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import rnn_helpers as rh  # noqa: E402


def line(v):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, v])
    ax.set_title(f"slope {v}")
    return fig


def frames_of(html):
    return re.search(r"const frames = (\[.*?\]);", html).group(1)


def test_one_png_frame_per_value_and_the_start_frame_shown():
    html = rh.slider_html(line, [0.5, 1.0, 2.0], label="w", fmt="{:.1f}")
    frames = re.findall(r'"([A-Za-z0-9+/=]{100,})"', frames_of(html))
    assert len(frames) == 3
    for f in frames:
        assert base64.b64decode(f)[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(set(frames)) == 3, "different values must give different figures"
    # the middle value is shown first, image and caption alike
    assert 'value="1"' in html and ">w = 1.0</span>" in html
    assert f"base64,{frames[1]}" in html
    assert '"w = 0.5", "w = 1.0", "w = 2.0"' in html
    assert 'type="range" min="0" max="2"' in html
    assert not plt.get_fignums(), "slider_html must close the figures it draws"


def test_same_figures_give_the_same_html_and_nothing_is_fetched():
    a = rh.slider_html(line, [1, 2], start=0)
    assert a == rh.slider_html(line, [1, 2], start=0)
    assert "http://" not in a and "https://" not in a and "<link" not in a
    assert a != rh.slider_html(line, [1, 3], start=0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(values=[1.0]), "at least 2 values, got 1"),
        (dict(values=[1, 2], start=2), "start must be an index into values (0 to 1), got 2"),
        (dict(values=[1, 2], dpi=10), "dpi must be an integer from 30 to 300, got 10"),
    ],
)
def test_bad_arguments_say_what_was_expected(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        rh.slider_html(line, **kwargs)


def test_draw_must_return_a_figure():
    with pytest.raises(ValueError, match="must return a matplotlib Figure, got NoneType"):
        rh.slider_html(lambda v: None, [1, 2])
