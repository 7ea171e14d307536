"""Strip outputs, execution counts and saved widget state from the chapter notebooks.

    python scripts/strip_notebooks.py      # or: make strip

Run it before committing a notebook you executed in Jupyter: the book stores
notebooks clean (tests/test_book_structure.py checks), and the website and the
tests execute them.
"""

from __future__ import annotations

import nbformat
from bookinfo import ROOT, chapter_notebooks


def strip(nb: nbformat.NotebookNode) -> bool:
    """Clean ``nb`` in place; return whether anything changed."""
    changed = nb.metadata.pop("widgets", None) is not None
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.outputs or cell.execution_count is not None:
            cell.outputs, cell.execution_count = [], None
            changed = True
        for key in ("execution", "collapsed", "scrolled"):
            changed |= cell.metadata.pop(key, None) is not None
    return changed


def main() -> int:
    for path in chapter_notebooks():
        nb = nbformat.read(path, as_version=4)
        if strip(nb):
            nbformat.write(nb, path)
            print(f"stripped {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
