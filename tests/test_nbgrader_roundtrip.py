"""A real nbgrader round trip on chapter 2: generate_assignment, three submissions, autograde.

Chapter 2 is one of the two cheapest chapters and has two coding exercises, so a
half-solved submission (one solved, one not) is possible. Everything lives in a
temporary course directory, the gradebook database included; the notebook is
executed three times by `nbgrader autograde` (about 15 s each).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bookinfo import ROOT, chapter_notebooks

SOURCE = next(p for p in chapter_notebooks() if p.name.startswith("02_"))
ASSIGNMENT = "ch02"
SCRIPTS = ROOT / "scripts"
# nbgrader's gradebook runs `alembic` by name: the one installed next to this Python
PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def nbgrader(course, *args):
    """Run nbgrader in the course directory; fail with its output if it fails."""
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env={**os.environ, "PATH": PATH},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def grade_ids(nb, **flags):
    return [
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if "nbgrader" in c.metadata and all(c.metadata["nbgrader"].get(k) == v for k, v in flags.items())
    ]


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course}/gradebook.db'\n"
        "c.CourseDirectory.course_id = 'rnn-book'\n"
        "c.Execute.timeout = 300\n"  # per cell; generous for a busy CI machine
        # nbgrader executes with nbclient, which can wait out a whole cell timeout after a widget
        # cell (jupyter/nbclient#312; ch02 has a slider and progress bars): make it poll.
        f"import sys; sys.path.insert(0, {str(SCRIPTS)!r})\n"
        "import nbrun; nbrun.install_polling()\n"
    )
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(SOURCE, course / "source" / ASSIGNMENT / SOURCE.name)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    released = nbformat.read(course / "release" / ASSIGNMENT / SOURCE.name, as_version=4)
    source = nbformat.read(SOURCE, as_version=4)

    coding = sorted({gid.split("-")[0] for gid in grade_ids(source, solution=True, grade=False)})
    assert len(coding) >= 2, coding
    solved = coding[0]  # the half-solved student solves the first coding exercise only
    half = nbformat.from_dict(released)
    reference_cells = {c.metadata["nbgrader"]["grade_id"]: c for c in source.cells if "nbgrader" in c.metadata}
    for cell in half.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if gid.startswith(f"{solved}-solution"):
            cell.source = reference_cells[gid].source
    submissions = {"reference": source, "stub": released, "half": half}
    for student, nb in submissions.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / SOURCE.name)
    nbgrader(course, "autograde", ASSIGNMENT, "--force")

    from nbgrader.api import Gradebook

    scores = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", PATH)
        with Gradebook(f"sqlite:///{course}/gradebook.db") as gb:
            for student in submissions:
                for gid in grade_ids(source, grade=True):
                    grade = gb.find_grade(gid, SOURCE.stem, ASSIGNMENT, student)
                    scores[student, gid] = (grade.auto_score, grade.max_score)
    checks = grade_ids(source, grade=True, solution=False)
    return {"scores": scores, "checks": checks, "solved": solved, "course": course}


def test_database_stays_in_the_temporary_course(gradebook):
    assert (gradebook["course"] / "gradebook.db").is_file()


def test_reference_scores_full_marks_on_every_autograded_part(gradebook):
    for gid in gradebook["checks"]:
        auto, top = gradebook["scores"]["reference", gid]
        assert top > 0 and auto == top, (gid, auto, top)


def test_stub_scores_zero_on_every_coding_exercise(gradebook):
    for gid in gradebook["checks"]:
        auto, top = gradebook["scores"]["stub", gid]
        assert auto == 0 and top > 0, (gid, auto, top)


def test_half_solved_scores_partial_marks(gradebook):
    solved = gradebook["solved"]
    got = {gid: gradebook["scores"]["half", gid] for gid in gradebook["checks"]}
    for gid, (auto, top) in got.items():
        assert auto == (top if gid.startswith(f"{solved}-") else 0), (gid, auto, top)
    total, top = sum(a for a, _ in got.values()), sum(t for _, t in got.values())
    assert 0 < total < top, got
