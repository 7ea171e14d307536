"""Write student versions of the chapter notebooks, for instructors who assign them.

nbgrader's own preprocessors do the work: ClearSolutions replaces every region
between `### BEGIN SOLUTION` and `### END SOLUTION` with `raise NotImplementedError()`
(and hidden-answer text between the markdown markers with a prompt), and
ClearOutput strips outputs. The check cell after each exercise then fails until
the student writes a working solution.

    python scripts/make_student_version.py [--out _build/student]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
from bookinfo import ROOT, chapter_notebooks
from nbgrader.preprocessors import ClearOutput, ClearSolutions


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` with solutions replaced by stubs and outputs cleared."""
    nb = nbformat.from_dict(nb)
    resources = {"language": "python"}
    # The book marks solutions with the markers only, not with nbgrader cell metadata.
    nb, resources = ClearSolutions(enforce_metadata=False).preprocess(nb, resources)
    nb, resources = ClearOutput().preprocess(nb, resources)
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student")
    args = parser.parse_args(argv)
    for path in chapter_notebooks():
        target = args.out / path.relative_to(ROOT / "book")
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_version(nbformat.read(path, as_version=4)), target)
        print(f"wrote {target.relative_to(args.out.parent) if args.out.is_relative_to(ROOT) else target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
