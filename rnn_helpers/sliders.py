"""Sliders that work without a kernel: one precomputed figure per value.

The website is static: an ``ipywidgets`` slider needs a running Python kernel,
so on the page it would be inert. :func:`slider_html` draws the figure once
for each value of a parameter, embeds the PNGs in one HTML block, and lets a
few lines of JavaScript in the reader's browser switch between them as the
slider moves. Nothing is loaded from another site, and it works the same in
Jupyter, on Colab and on the book's pages.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt


def _png(fig, dpi: int) -> str:
    """The figure as a base64 PNG (cropped to its content), and closed."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def slider_html(
    draw: Callable[[float], "plt.Figure"],
    values: Sequence,
    *,
    label: str = "value",
    fmt: str = "{:g}",
    start: int | None = None,
    dpi: int = 80,
) -> str:
    """A slider over precomputed figures, as one self-contained HTML block.

    Calls ``draw(v)`` for every ``v`` in ``values``; each call must return a new
    matplotlib figure, which is saved as a PNG at ``dpi`` and closed. The
    result is ``<input type="range">`` plus an image and a caption
    "``label`` = ``fmt.format(v)``", switched by inline JavaScript in the
    browser. Display it with ``IPython.display.HTML``.

    Args:
        draw: a function of one value that returns a figure.
        values: the values the slider offers, in order (at least 2).
        label: the parameter's name, shown beside the value.
        fmt: a ``str.format`` pattern for the value.
        start: index of the value shown first (default: the middle one).
        dpi: resolution of the frames. At the default 80 dpi a 6.4-inch
            figure is 512 pixels wide and 10-point text is 11 pixels tall.

    Returns:
        The HTML, with ids derived from the frames' content, so the same
        figures give the same HTML.
    """
    values = list(values)
    if len(values) < 2:
        raise ValueError(f"slider_html: values must hold at least 2 values, got {len(values)}")
    if start is None:
        start = len(values) // 2
    if not 0 <= start < len(values):
        raise ValueError(f"slider_html: start must be an index into values (0 to {len(values) - 1}), got {start}")
    if not isinstance(dpi, int) or not 30 <= dpi <= 300:
        raise ValueError(f"slider_html: dpi must be an integer from 30 to 300, got {dpi!r}")
    frames = []
    for v in values:
        fig = draw(v)
        if not isinstance(fig, plt.Figure):
            raise ValueError(f"slider_html: draw({v!r}) must return a matplotlib Figure, got {type(fig).__name__}")
        frames.append(_png(fig, dpi))
    captions = [f"{label} = {fmt.format(v)}" for v in values]
    uid = "rh-slider-" + hashlib.sha256("".join(frames).encode()).hexdigest()[:12]
    return f"""<div class="rh-slider" id="{uid}">
<div><input type="range" min="0" max="{len(values) - 1}" step="1" value="{start}"
 aria-label="{html.escape(label)}" style="width: 60%; vertical-align: middle;">
<span style="margin-left: 1em; font-family: monospace;">{html.escape(captions[start])}</span></div>
<img alt="{html.escape(captions[start])}" src="data:image/png;base64,{frames[start]}" style="max-width: 100%;">
<script>
(function () {{
  const root = document.getElementById("{uid}");
  const frames = {json.dumps(frames)};
  const captions = {json.dumps(captions)};
  const input = root.querySelector("input"), img = root.querySelector("img");
  const caption = root.querySelector("span");
  input.addEventListener("input", function () {{
    const k = Number(input.value);
    img.src = "data:image/png;base64," + frames[k];
    img.alt = captions[k];
    caption.textContent = captions[k];
  }});
}})();
</script>
</div>"""
