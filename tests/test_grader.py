"""scripts/grade.py grades with the instructor's checks and survives hostile submissions.

One run of the grader (a subprocess, as `make grade` runs it) over chapter 2, one of
the two cheapest chapters, with one submission of each kind: the reference (the book
itself), the stub (the student version), and one per hostile behaviour. Each costs one
execution of the chapter (about 15 s), the endless loop 5 s more. The grader's rarer
paths (a kernel that ignores the interrupt, a kernel that dies, the memory limit,
an error hidden from the display, a file that is no notebook) run on a tiny
synthetic notebook, in a few seconds.
"""

import csv
import hashlib
import os
import subprocess
import sys

import nbformat
import pytest
from bookinfo import ROOT, chapter_notebooks
from make_student_version import student_version
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

GRADE = ROOT / "scripts" / "grade.py"
SOURCE = next(p for p in chapter_notebooks() if p.name.startswith("02_"))

# Solutions that misbehave, each in place of a solution cell of chapter 2.
ENDLESS = "while True:\n    pass\n"
RAISES = 'raise ValueError("not done yet: see you after the deadline")\n'
MEGABYTES = 'print("spam " * 4_000_000)  # 20 MB\n'
SNOOPS = """import glob
from pathlib import Path

NAME = "02_deep_networks.ipynb"
near = [".", "..", "../..", "book/part1", "../book/part1", "../../book/part1"]
paths = [Path(d) / NAME for d in near]
paths += [Path(p) for p in glob.glob("**/*.ipynb", recursive=True)]
paths += [Path(p) for p in glob.glob("../../**/*.ipynb", recursive=True)]
found = sorted(
    str(p) for p in paths
    if p.is_file() and "BEGIN SOLUTION" in p.read_text(errors="ignore")
)
raise RuntimeError(f"solutions found: {found}")
"""
# Passes the visible checks of Exercise 2 (its gradient matches its loss) but
# penalises twice too much: only the hidden tests catch it.
DOUBLE_PENALTY = """def loss_with_weight_decay(net, X, y, lam):
    loss, grads = net.loss(X, y)
    for name, p in net.params.items():
        if name.endswith("weight"):
            loss += lam * np.sum(p**2)
            grads[name] = grads[name] + 2 * lam * p
    return loss, grads
"""


def gid(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def submission(book, solutions, drop=(), replace=None):
    """The student version with the given solution cells (grade_id -> source; "book" for
    the book's own), cells dropped by grade_id, and cells' sources replaced by grade_id."""
    nb = student_version(book)
    mine = {gid(c): c.source for c in book.cells}
    nb.cells = [c for c in nb.cells if gid(c) not in drop]
    for cell in nb.cells:
        if gid(cell) in solutions:
            cell.source = mine[gid(cell)] if solutions[gid(cell)] == "book" else solutions[gid(cell)]
        if replace and gid(cell) in replace:
            cell.source = replace[gid(cell)]
    return nb


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def grade(tmp, source_args, notebooks, *options):
    """Write the submissions, grade them in one run, return what the tests look at.

    The grader makes its working directories under an empty TMPDIR of their own (as
    grade.py's docstring advises), so that nothing else lies near the kernel."""
    paths = []
    for name, nb in notebooks.items():
        path = tmp / "submissions" / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(nb, str):
            path.write_text(nb)
        else:
            nbformat.write(nb, path)
        paths.append(path)
    before = {p.stem: sha(p) for p in paths}
    out = tmp / "grades"
    (tmp / "private").mkdir()
    proc = subprocess.run(
        [sys.executable, str(GRADE), *source_args, *map(str, paths), "--out", str(out), *options],
        env={**os.environ, "TMPDIR": str(tmp / "private")},
        capture_output=True,
        text=True,
        timeout=1200,
    )
    rows = {}
    if (out / "report.csv").is_file():
        with open(out / "report.csv", newline="") as f:
            for row in csv.DictReader(f):
                rows[row["student"], row["exercise"]] = row
    return {"proc": proc, "rows": rows, "out": out, "paths": paths, "before": before}


@pytest.fixture(scope="module")
def book():
    return nbformat.read(SOURCE, as_version=4)


@pytest.fixture(scope="module")
def chapter(tmp_path_factory, book):
    both = {"ex1-solution": "book", "ex2-solution": "book"}
    notebooks = {
        "reference": book,
        "stub": student_version(book),
        "raises": submission(book, {"ex1-solution": "book", "ex2-solution": RAISES}),
        "endless": submission(book, {"ex1-solution": ENDLESS, "ex2-solution": "book"}),
        "tampers": submission(
            book,
            {"ex2-solution": DOUBLE_PENALTY},
            drop=("ex1-solution", "ex3-answer"),
            replace={"ex1-check": "pass", "ex2-check": "print('Exercise 2 passed.')"},
        ),
        "megabytes": submission(book, {**both, "ex1-solution": MEGABYTES + book_source(book, "ex1-solution")}),
        "snoops": submission(book, {"ex1-solution": SNOOPS, "ex2-solution": "book"}),
    }
    # the tampering student also deletes the chapter's first code cells
    notebooks["tampers"].cells = [c for c in notebooks["tampers"].cells if gid(c)]
    return grade(tmp_path_factory.mktemp("grader"), ["--chapter", "02"], notebooks, "--timeout", "5")


def book_source(book, grade_id):
    return next(c.source for c in book.cells if gid(c) == grade_id)


def auto_rows(result, student):
    return {k[1]: r for k, r in result["rows"].items() if k[0] == student and r["points"] != ""}


def test_grader_runs_to_the_end_and_writes_every_report(chapter):
    proc, out = chapter["proc"], chapter["out"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    students = [p.stem for p in chapter["paths"]]
    exercises = {k[1] for k in chapter["rows"]}
    # Exercises 1 and 2 are graded automatically, 3 and 4 are answers to mark by hand
    assert {"Exercise 1", "Exercise 2", "Exercise 3 (answer)", "Exercise 4 (answer)"} <= exercises
    assert len(chapter["rows"]) == len(students) * len(exercises)
    for student in students:
        assert (out / f"{student}.md").is_file() and (out / f"{student}.html").is_file()
        assert (out / "graded" / f"{student}.ipynb").is_file()
        assert "Mark scheme" in (out / f"{student}.md").read_text()
    assert "| reference |" in (out / "summary.md").read_text()
    assert "| reference |" in proc.stdout


def test_submissions_are_never_modified(chapter):
    assert {p.stem: sha(p) for p in chapter["paths"]} == chapter["before"]


def test_reference_scores_full_marks(chapter):
    rows = auto_rows(chapter, "reference")
    assert rows and all(r["points"] == r["max"] and r["message"] == "passed" for r in rows.values()), rows
    assert chapter["rows"]["reference", "Exercise 3 (answer)"]["message"].startswith("to be marked")


def test_stub_scores_zero_on_coding_exercises_naming_each_one(chapter):
    rows = auto_rows(chapter, "stub")
    assert set(rows) == {"Exercise 1", "Exercise 2"}
    for exercise, r in rows.items():
        assert r["points"] == "0", r
        assert "NotImplementedError" in r["message"] and exercise in r["message"], r
    assert chapter["rows"]["stub", "Exercise 3 (answer)"]["message"] == "no answer given"


def test_a_raising_solution_costs_only_its_exercise(chapter):
    rows = auto_rows(chapter, "raises")
    assert rows["Exercise 1"]["points"] == rows["Exercise 1"]["max"]
    assert rows["Exercise 2"]["points"] == "0"
    assert rows["Exercise 2"]["message"] == "ex2-solution: ValueError: not done yet: see you after the deadline"


def test_an_endless_loop_times_out_and_the_rest_is_graded(chapter):
    rows = auto_rows(chapter, "endless")
    assert rows["Exercise 1"]["points"] == "0"
    assert rows["Exercise 1"]["message"].startswith("ex1-solution: TimeoutError: the cell ran longer than 5 s")
    assert rows["Exercise 2"]["points"] == rows["Exercise 2"]["max"]


def test_deleted_cells_and_edited_checks_are_graded_with_the_instructors_checks(chapter, book):
    rows = chapter["rows"]
    assert rows["tampers", "Exercise 1"]["points"] == "0"
    assert rows["tampers", "Exercise 1"]["message"] == "cell ex1-solution missing"
    assert rows["tampers", "Exercise 3 (answer)"]["message"].startswith("cell ex3-answer missing")
    # Exercise 2's solution passes the visible checks; the instructor's hidden tests fail it
    ex2 = rows["tampers", "Exercise 2"]
    assert ex2["points"] == "0" and ex2["message"].startswith("ex2-check: AssertionError: Exercise 2"), ex2
    failed = ex2["message"].split("AssertionError: ", 1)[1]
    visible = next(c.source for c in student_version(book).cells if gid(c) == "ex2-check")
    hidden = book_source(book, "ex2-check").split("### BEGIN HIDDEN TESTS")[1]
    assert failed[:40] not in visible.replace('"\n    "', "") and failed[:30] in hidden.replace('"\n    "', "")


def test_megabytes_of_output_are_cut_and_grading_goes_on(chapter):
    rows = auto_rows(chapter, "megabytes")
    assert all(r["points"] == r["max"] for r in rows.values()), rows
    graded = chapter["out"] / "graded" / "megabytes.ipynb"
    assert graded.stat().st_size < 2_000_000  # the 20 MB were cut to 100 kB
    assert "characters of output dropped" in (chapter["out"] / "megabytes.md").read_text()


def test_reading_the_solutions_finds_nothing(chapter):
    rows = auto_rows(chapter, "snoops")
    assert rows["Exercise 1"]["message"] == "ex1-solution: RuntimeError: solutions found: []"
    assert rows["Exercise 2"]["points"] == rows["Exercise 2"]["max"]


# ---------------------------------------------------------------- rarer paths, tiny notebook


def meta(**kw):
    return {"nbgrader": {"solution": False, "grade": False, "locked": False, "task": False, "schema_version": 3, **kw}}


TINY = new_notebook(
    cells=[
        new_code_cell("BASE = 40"),
        new_markdown_cell("### Exercise 1 (coding)\n\nWrite `f()`, which returns 42."),
        new_code_cell(
            "def f():\n    ### BEGIN SOLUTION\n    return BASE + 2\n    ### END SOLUTION",
            metadata=meta(solution=True, grade_id="ex1-solution"),
        ),
        new_code_cell(
            'assert f() == 42, "Exercise 1: f() must return 42"',
            metadata=meta(grade=True, locked=True, points=1, grade_id="ex1-check"),
        ),
        new_markdown_cell("### Exercise 2 (coding)\n\nWrite `g(x)`, which returns 2x."),
        new_code_cell(
            "def g(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
            metadata=meta(solution=True, grade_id="ex2-solution"),
        ),
        new_code_cell(
            'assert g(3) == 6, "Exercise 2: g(3) must be 6"',
            metadata=meta(grade=True, locked=True, points=2, grade_id="ex2-check"),
        ),
    ],
    metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
)
DEAF = "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass\n"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tiny")
    nbformat.write(TINY, tmp / "tiny_source.ipynb")

    def sub(ex1):
        nb = student_version(TINY)
        nb.cells[2].source = ex1
        nb.cells[5].source = TINY.cells[5].source
        return nb

    notebooks = {
        "deaf": sub(DEAF),  # ignores the interrupt: the kernel is killed, the notebook rerun
        "dies": sub("import os\nos._exit(3)"),
        "greedy": sub("hoard = bytearray(3 * 2**30)\ndef f():\n    return 42"),  # above --memory-gb 1
        "hides": sub(  # makes the kernel display no exception at all
            "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\ndef f():\n    return 41"
        ),
        "garbage": "{ this is not a notebook",
    }
    return grade(tmp, ["--source", str(tmp / "tiny_source.ipynb")], notebooks, "--timeout", "2", "--memory-gb", "1")


@pytest.mark.parametrize(
    "student, message",
    [
        ("deaf", "ex1-solution: TimeoutError: the cell ran longer than 2 s and ignored the interrupt"),
        ("dies", "ex1-solution: RuntimeError: the kernel died while running this cell"),
        ("greedy", "ex1-solution: MemoryError"),
        ("hides", "ex1-check: AssertionError: Exercise 1: f() must return 42"),
        ("garbage", "not a readable notebook"),
    ],
)
def test_rare_failures_cost_one_exercise_with_a_clear_message(tiny, student, message):
    proc = tiny["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = auto_rows(tiny, student)
    assert rows["Exercise 1"]["points"] == "0" and rows["Exercise 1"]["message"].startswith(message), rows
    if student != "garbage":  # the next exercise is still graded
        assert rows["Exercise 2"]["points"] == "2", rows
    assert {p.stem: sha(p) for p in tiny["paths"]} == tiny["before"]
