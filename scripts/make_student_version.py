"""Write student versions of the chapter notebooks, for instructors who assign them.

    python scripts/make_student_version.py               # every chapter (make student)
    python scripts/make_student_version.py --only 08     # one chapter (repeatable)
    python scripts/make_student_version.py --out DIR     # default: _build/student

Each chapter is written to ``<out>/<part>/<name>.ipynb``. The book's notebooks are the
one source: they carry the solutions, marked with nbgrader's own cell metadata
(schema 3), and nbconvert's and nbgrader's preprocessors take them out:

1. ``TagRemovePreprocessor`` removes every cell tagged ``solution-only`` (hints that
   give a solution away);
2. ``ClearSolutions(enforce_metadata=True)`` replaces each region between
   ``### BEGIN SOLUTION`` and ``### END SOLUTION`` with a stub that names its
   exercise, ``raise NotImplementedError("Exercise N: implement `name` above")``
   (``name`` is the function the region sits in, or "the code"), and the whole
   source of each markdown solution cell (a conceptual answer) with a prompt;
3. ``ClearHiddenTests(enforce_metadata=True)`` removes the checks between
   ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``;
4. ``ClearOutput`` clears outputs; then widget state and execution counts go.

The nbgrader metadata stays, so the cells keep their grade ids for grading
(``scripts/grade.py``) and ``nbgrader`` itself.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import nbformat
from bookinfo import ROOT, chapter_notebooks
from nbconvert.preprocessors import TagRemovePreprocessor
from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions

SOLUTION_ONLY = "solution-only"
DEF = re.compile(r"^(\s*)(?:async\s+)?(?:def|class)\s+(\w+)")
GRADE_ID = re.compile(r"^ex(\d+)-")


def exercise_number(cell) -> str:
    """The exercise number in a cell's grade id (``ex3-solution`` -> ``3``)."""
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
    match = GRADE_ID.match(grade_id)
    if not match:
        raise ValueError(f"solution cell with grade id {grade_id!r}; expected 'exN-...'")
    return match.group(1)


def stub(exercise: str, name: str | None, indent: str = "") -> list[str]:
    """The lines that replace one solution region, indented, wrapped at 78 characters."""
    what = f"`{name}`" if name else "the code"
    message = f'"Exercise {exercise}: implement {what} above"'
    lines = ["# YOUR CODE HERE", f"raise NotImplementedError({message})"]
    if len(indent + lines[1]) > 78:
        lines[1:] = ["raise NotImplementedError(", f"    {message}", ")"]
    return [indent + line for line in lines]


class ClearSolutionsNamed(ClearSolutions):
    """ClearSolutions whose stub names the exercise and the function to write."""

    def _replace_solution_region(self, cell, language):
        if cell.cell_type != "code":
            return super()._replace_solution_region(cell, language)
        lines = cell.source.split("\n")
        if not any(self.begin_solution_delimeter in line for line in lines):
            return False
        exercise = exercise_number(cell)
        new_lines, enclosing, in_solution = [], [], False
        for line in lines:
            if self.begin_solution_delimeter in line:
                if in_solution:
                    raise RuntimeError("encountered nested begin solution statements")
                in_solution = True
                indent = re.match(r"\s*", line).group(0)
                # the innermost def/class that encloses this indentation
                while enclosing and len(enclosing[-1][0]) >= len(indent):
                    enclosing.pop()
                name = enclosing[-1][1] if enclosing else None
                new_lines.extend(stub(exercise, name, indent))
            elif self.end_solution_delimeter in line:
                in_solution = False
            elif not in_solution:
                new_lines.append(line)
                match = DEF.match(line)
                if match:
                    indent = match.group(1)
                    while enclosing and len(enclosing[-1][0]) >= len(indent):
                        enclosing.pop()
                    enclosing.append((indent, match.group(2)))
        if in_solution:
            raise RuntimeError("no end solution statement found")
        cell.source = "\n".join(new_lines)
        return True


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` without solutions, solution-only cells, hidden tests,
    outputs, widget state or execution counts."""
    nb = nbformat.from_dict(nb)
    resources = {}
    nb, resources = TagRemovePreprocessor(remove_cell_tags={SOLUTION_ONLY}).preprocess(nb, resources)
    nb, resources = ClearSolutionsNamed(enforce_metadata=True).preprocess(nb, resources)
    nb, resources = ClearHiddenTests(enforce_metadata=True).preprocess(nb, resources)
    nb, resources = ClearOutput().preprocess(nb, resources)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    return nb


def selected(only: list[str] | None) -> list[Path]:
    """The chapter notebooks, or those whose number is in ``only`` ("8" or "08")."""
    paths = chapter_notebooks()
    if not only:
        return paths
    wanted = {f"{int(n):02d}" for n in only}
    chosen = [p for p in paths if p.name[:2] in wanted]
    missing = wanted - {p.name[:2] for p in chosen}
    if missing:
        raise SystemExit(f"no chapter numbered {', '.join(sorted(missing))}")
    return chosen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student")
    parser.add_argument("--only", action="append", metavar="NN", help="only chapter NN (e.g. 08); repeatable")
    args = parser.parse_args(argv)
    for path in selected(args.only):
        target = args.out / path.relative_to(ROOT / "book")
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_version(nbformat.read(path, as_version=4)), target)
        print(f"wrote {target.relative_to(args.out.parent) if args.out.is_relative_to(ROOT) else target}")
        for data in sorted(path.parent.glob("*.csv")):  # files a chapter reads (ch12's table) travel with it
            shutil.copy2(data, target.parent / data.name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
