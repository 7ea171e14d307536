"""Execute each notebook once in `make test`.

`make test` runs pytest twice: first everything but the book build, with the
notebooks two at a time (pytest-xdist, `--dist loadfile`, so all cells of a
notebook run in order in one worker); then the book build (marker `build`).

nbval executes every chapter and validates it cell by cell. Each notebook that
passes is then stored, with the outputs nbval collected, in the book build's
execution cache (`_build/.jupyter_cache`, jupyter-cache keyed by the hash of
the code cells). The book-build test runs last and finds every notebook there,
so it renders the outputs instead of executing the notebook a second time. A
notebook that failed under nbval is not cached, and the build executes it (and
fails on it).

`make book` uses the same path: nbval first (`--only-uncached` skips the
notebooks whose code is already cached), then jupyter-book, which finds every
notebook in the cache. So nbval is the book's one executor. (jupyter-book's own
executor, nbclient, can stall for its whole cell timeout after a cell that
shows ipywidgets: jupyter/nbclient#312.)
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

# The executed notebooks become the website's pages, which have no kernel: a saved
# ipywidgets progress bar would be an empty box there. With this set, `rh.progress`
# prints one line of text when a loop ends instead (rnn_helpers/progress_bars.py).
# The kernels nbval starts inherit this process's environment.
os.environ.setdefault("RNN_BOOK_STATIC_PROGRESS", "1")
CACHE = ROOT / "_build" / ".jupyter_cache"

_outputs: dict[str, dict[int, list]] = {}  # notebook path -> {code-cell index: outputs}
_failed: set[str] = set()


def pytest_addoption(parser):
    parser.addoption(
        "--only-uncached",
        action="store_true",
        help="skip notebooks whose current code is already in the build's execution cache (used by `make book`)",
    )


def pytest_collection_modifyitems(session, config, items):
    """The book build runs after nbval, so it can reuse nbval's executions; the browser tests run after it."""
    if config.getoption("--only-uncached"):
        cached = {}
        keep, drop = [], []
        for item in items:
            if _is_nbval_cell(item):
                path = str(item.parent.fspath)
                if path not in cached:
                    cached[path] = _is_cached(path)
                (drop if cached[path] else keep).append(item)
            else:
                keep.append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    # Then the browser tests, which read the site the build wrote (tests/test_browser.py).
    items.sort(key=lambda item: ("test_book_build.py::test_book_builds" in item.nodeid) + 2 * _reads_site(item))


def _reads_site(item) -> bool:
    return "test_browser.py::" in item.nodeid


def _is_cached(path: str) -> bool:
    import nbformat
    from jupyter_cache import get_cache

    if not CACHE.exists():
        return False
    try:
        get_cache(str(CACHE)).match_cache_notebook(nbformat.read(path, as_version=4))
        return True
    except KeyError:
        return False


def _is_nbval_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell" and hasattr(item, "cell")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not _is_nbval_cell(item):
        return
    report = outcome.get_result()
    path = str(item.parent.fspath)
    if report.failed or report.skipped:
        _failed.add(path)
    elif call.when == "call":
        index = [c for c in item.parent.nb.cells if c.cell_type == "code"].index(item.cell)
        _outputs.setdefault(path, {})[index] = copy.deepcopy(item.test_outputs or [])


def pytest_runtest_teardown(item, nextitem):
    if not _is_nbval_cell(item) or (nextitem is not None and nextitem.parent is item.parent):
        return
    path = str(item.parent.fspath)
    if path not in _failed:
        _cache_executed(path, _outputs.pop(path, {}))


def _cache_executed(path: str, outputs: dict[int, list]) -> None:
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if set(outputs) != set(range(len(code))):
        return  # not every cell ran (e.g. a -k selection): leave it to the build
    for count, cell in enumerate(code, start=1):
        cell.execution_count = count
        cell.outputs = [nbformat.from_dict(dict(o)) for o in outputs[count - 1]]
        for out in cell.outputs:
            if out.output_type == "execute_result":
                out.execution_count = count
    try:
        cache = get_cache(str(CACHE))
        cache.cache_notebook_bundle(CacheBundleIn(nb, path, data={"executed_by": "nbval"}), overwrite=True)
    except Exception as err:  # e.g. the cache database is locked by the other worker: the build executes it
        import warnings

        warnings.warn(f"could not cache the executed {Path(path).name} for the book build: {err!r}", stacklevel=1)
