"""Progress bars that read well both live and on the book's static pages.

In a notebook you run, :func:`progress` is ``tqdm.auto.tqdm``: a live widget bar
in Jupyter and Colab, a text bar in a terminal. The book's pages are different:
they show outputs saved when the notebook was executed, and a saved widget bar
is an empty box without a kernel behind it. So when the environment variable
``RNN_BOOK_STATIC_PROGRESS`` is set (the test and build runs set it, see
``conftest.py``), :func:`progress` draws nothing while the loop runs and prints
one line of text when it ends, for example::

    char-RNN: 100%|██████████████████████████| 600/600 [00:21<00:00, 28.1it/s]

A bar made with ``leave=False`` prints nothing, as it vanishes when it ends live.
The choice is made at each call, so setting the variable after import works.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable

from tqdm import auto, std

STATIC_ENV = "RNN_BOOK_STATIC_PROGRESS"  # set (non-empty) for the book's static pages
STATIC_WIDTH = 78  # characters: a code line of the book's text column


class FinalLine(std.tqdm):
    """A text bar that prints only its final state, as one line, when it closes.

    No carriage returns and no redraws, so a saved output holds exactly that
    line. Everything else (``desc``, ``total``, ``disable``, ``leave``,
    ``postfix``) behaves as in ``tqdm``.
    """

    def __init__(self, *args, **kwargs):
        kwargs["file"] = io.StringIO()  # the live redraws go nowhere
        kwargs.setdefault("ncols", STATIC_WIDTH)
        kwargs.setdefault("ascii", False)  # block characters, as a live text bar draws (a StringIO would get "#")
        super().__init__(*args, **kwargs)

    def display(self, msg=None, pos=None):
        """Draw nothing while the loop runs."""
        return True

    def close(self):
        """Close the bar; if it is left (``leave=True``), print its final line."""
        line = None if self.disable or not self.leave else str(self)
        super().close()
        if line is not None:
            print(line, flush=True)


def static_pages() -> bool:
    """True when bars should print one final line (``RNN_BOOK_STATIC_PROGRESS`` is set)."""
    return bool(os.environ.get(STATIC_ENV))


def progress(iterable: Iterable | None = None, **kwargs):
    """A progress bar over ``iterable``: ``tqdm.auto.tqdm``, or :class:`FinalLine` for the static pages.

    Use it as ``tqdm``: ``for step in progress(range(steps), desc="training"): ...``.
    Keyword arguments are tqdm's (``desc``, ``total``, ``leave``, ``disable``, ...).

    Raises:
        TypeError: if ``iterable`` is given but cannot be iterated.
    """
    if iterable is not None and not isinstance(iterable, Iterable):
        raise TypeError(f"progress: expected an iterable (a range, a list, ...), got {type(iterable).__name__}")
    bar = FinalLine if static_pages() else auto.tqdm
    return bar(iterable, **kwargs)
