"""The student versions: nbgrader markers in every chapter, no leaks, and they run.

- The markers: every chapter marks its exercises with nbgrader's own cell metadata
  (schema 3) in a form `nbgrader generate_assignment` accepts.
- No leaks: no solution's text, and no distinctive line of it, survives in the
  student version (code solutions, conceptual answers, solution-only hints, hidden
  tests); nor do outputs or widget state.
- They run: each chapter's student version executes top to bottom (nbclient,
  errors allowed, in a copy of the chapter's directory), and the only cells that
  fail are the unsolved exercises' solution and check cells, each with an error
  that names its exercise. That the book's own version passes every check is
  nbval's job (every chapter runs in `make test`).
"""

import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from bookinfo import ROOT, chapter_notebooks

NOTEBOOKS = chapter_notebooks()
IDS = [p.stem for p in NOTEBOOKS]
MIN_LINE = 25  # a line this long is distinctive enough to count as a leak
GRADE_ID = re.compile(r"^ex(\d+)-(solution(-\d+)?|check(-\d+)?|answer)$")
MARKERS = [
    ("### BEGIN SOLUTION", "### END SOLUTION"),
    ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"),
]


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def secret_and_public(nb) -> tuple[list[str], set[str]]:
    """The book version's secret texts, and the stripped lines it shows anyway.

    Secret: each region between solution or hidden-test markers, each markdown
    solution cell (a conceptual answer) and each cell tagged solution-only.
    Public: every other line of the notebook.
    """
    secrets, public = [], set()
    for cell in nb.cells:
        if "solution-only" in cell.metadata.get("tags", []) or (
            cell.cell_type == "markdown" and nbgrader(cell).get("solution")
        ):
            secrets.append(cell.source)
            continue
        region = None
        for line in cell.source.splitlines():
            begin = [end for start, end in MARKERS if start in line]
            if region is None and begin:
                region = ([], begin[0])
            elif region is not None and region[1] in line:
                secrets.append("\n".join(region[0]))
                region = None
            elif region is not None:
                region[0].append(line)
            else:
                public.add(line.strip())
        assert region is None, "an unterminated marker region"
    return secrets, public


def leaks(book, student) -> list[str]:
    """Secret texts of ``book``, or distinctive lines of them, found in ``student``.

    A line counts if it is at least MIN_LINE characters long (stripped) and does not
    also appear in the book's public part (a line the chapter shows anyway, such as a
    loop header repeated in the exercise, is not a leak).
    """
    secrets, public = secret_and_public(book)
    text = "\n".join(c.source for c in student.cells) + json.dumps(student.metadata)
    lines = {line.strip() for line in text.splitlines()}
    found = []
    for secret in secrets:
        if secret.strip() and secret.strip() in text:
            found.append(secret.strip()[:200])
            continue
        for line in secret.splitlines():
            line = line.strip()
            if len(line) >= MIN_LINE and line not in public and (line in lines or line in text):
                found.append(line)
    return found


@pytest.fixture(scope="module")
def student_version():
    from make_student_version import student_version

    return student_version


def test_script_writes_one_student_notebook_per_chapter(tmp_path):
    script = ROOT / "scripts" / "make_student_version.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.ipynb"))
    assert written == sorted(p.relative_to(ROOT / "book") for p in NOTEBOOKS)


def test_only_writes_the_chosen_chapter(tmp_path):
    script = ROOT / "scripts" / "make_student_version.py"
    subprocess.run([sys.executable, str(script), "--only", "01", "--out", str(tmp_path)], check=True)
    assert [p.name for p in tmp_path.rglob("*.ipynb")] == [NOTEBOOKS[0].name]
    bad = subprocess.run([sys.executable, str(script), "--only", "99", "--out", str(tmp_path)], capture_output=True)
    assert bad.returncode != 0 and b"99" in bad.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_nbgrader_markers(path):
    """Every exercise cell carries schema-3 metadata that nbgrader accepts."""
    nb = nbformat.read(path, as_version=4)
    ids, kinds = [], {}
    for cell in nb.cells:
        meta = nbgrader(cell)
        has_solution = "### BEGIN SOLUTION" in cell.source
        has_hidden = "### BEGIN HIDDEN TESTS" in cell.source
        if has_solution:
            assert meta.get("solution") and not meta.get("grade"), f"solution region outside a solution cell: {cell.id}"
        if has_hidden:
            assert meta.get("grade"), f"hidden tests outside a grade cell: {cell.id}"
        if not meta:
            continue
        assert meta["schema_version"] == 3 and meta["task"] is False, cell.id
        match = GRADE_ID.match(meta["grade_id"])
        assert match, f"grade id {meta['grade_id']!r}"
        ids.append(meta["grade_id"])
        kind = match.group(2).split("-")[0]
        kinds.setdefault(kind, []).append(cell)
        if kind == "solution":
            assert cell.cell_type == "code" and has_solution and not meta["locked"]
        elif kind == "check":
            assert cell.cell_type == "code" and meta["grade"] and meta["locked"] and not meta["solution"]
            assert meta["points"] > 0
            assert f"Exercise {match.group(1)}:" in cell.source, "the check's assertions name the exercise"
        else:  # answer: a markdown solution cell holding only the answer dropdown
            assert cell.cell_type == "markdown" and meta["solution"] and meta["grade"] and not meta["locked"]
            assert meta["points"] > 0
            assert cell.source.lstrip().startswith(("```{admonition}", ":::{admonition}", "```{dropdown}"))
            assert "Mark scheme" in cell.source
    assert len(ids) == len(set(ids)), "grade ids are unique within a notebook"
    assert kinds.get("solution") and kinds.get("check") and kinds.get("answer"), sorted(kinds)
    solved = {GRADE_ID.match(nbgrader(c)["grade_id"]).group(1) for c in kinds["solution"]}
    checked = {GRADE_ID.match(nbgrader(c)["grade_id"]).group(1) for c in kinds["check"]}
    assert solved == checked, "every coding exercise has a check cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_student_version_leaks_nothing(path, student_version):
    book = nbformat.read(path, as_version=4)
    student = student_version(book)
    assert not leaks(book, student)
    assert "widgets" not in student.metadata
    for cell in student.cells:
        assert "solution-only" not in cell.metadata.get("tags", [])
        for start, end in MARKERS:
            assert start not in cell.source and end not in cell.source
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    # the stubs name their exercise, so an unsolved exercise fails with a clear message
    for cell in student.cells:
        meta = nbgrader(cell)
        if meta.get("solution") and cell.cell_type == "code":
            number = GRADE_ID.match(meta["grade_id"]).group(1)
            assert f'NotImplementedError("Exercise {number}: implement ' in re.sub(r"\(\s+", "(", cell.source)
        elif meta.get("solution"):
            assert cell.source == "YOUR ANSWER HERE"


def test_the_leak_check_can_fail(student_version):
    """Without the preprocessors the leak check finds the solutions."""
    book = nbformat.read(NOTEBOOKS[0], as_version=4)
    assert leaks(book, book)
    student = student_version(book)
    answer = next(c for c in book.cells if nbgrader(c).get("grade_id", "").endswith("-answer"))
    student.cells.append(nbformat.v4.new_markdown_cell(answer.source.splitlines()[-2]))
    assert leaks(book, student)


def polling_client(nb, **kwargs):
    """nbclient without its stall after widget cells (scripts/nbrun.py, jupyter/nbclient#312)."""
    from nbrun import PollingClient

    return PollingClient(nb, **kwargs)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_student_version_runs_except_unsolved_exercises(path, tmp_path, student_version):
    """Only unsolved exercises' cells fail, each naming its exercise; every other cell runs
    (cells tagged raises-exception fail on purpose, in the book too)."""
    workdir = tmp_path / path.parent.name  # the chapter's directory, without the notebooks
    shutil.copytree(path.parent, workdir, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
    nb = student_version(nbformat.read(path, as_version=4))
    client = polling_client(
        nb, timeout=600, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(workdir)}}
    )
    client.execute()
    failed = {}
    for cell in nb.cells:
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        if not errors or "raises-exception" in cell.metadata.get("tags", []):
            continue
        grade_id = nbgrader(cell).get("grade_id", "")
        where = f"cell {cell.id} ({grade_id or 'not an exercise'})"
        message = f"{errors[0].ename}: {errors[0].evalue}"
        match = GRADE_ID.match(grade_id)
        assert match, f"{where} failed: {message}"
        assert f"Exercise {match.group(1)}:" in message, f"{where} failed without naming its exercise: {message}"
        failed[grade_id] = message
    checks = {nbgrader(c)["grade_id"] for c in nb.cells if nbgrader(c).get("grade") and c.cell_type == "code"}
    assert checks <= set(failed), f"checks that passed without a solution: {sorted(checks - set(failed))}"
