"""The student version strips every solution, and its exercise checks then fail."""

import subprocess
import sys

import nbformat
import pytest
from bookinfo import ROOT, chapter_notebooks

NOTEBOOKS = chapter_notebooks()


def test_script_writes_one_student_notebook_per_chapter_without_solutions(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_student_version.py"), "--out", str(tmp_path)], check=True
    )
    written = sorted(tmp_path.rglob("*.ipynb"))
    assert len(written) == len(NOTEBOOKS)
    for path in written:
        nb = nbformat.read(path, as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "### BEGIN SOLUTION" not in code and "### END SOLUTION" not in code
        assert "raise NotImplementedError()" in code
        assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_stubbed_solution_cells_still_parse(path):
    """Each stubbed solution cell is still valid Python, so the student notebook opens and runs up to the stub."""
    from make_student_version import student_version

    nb = student_version(nbformat.read(path, as_version=4))
    stubbed = [c.source for c in nb.cells if c.cell_type == "code" and "raise NotImplementedError()" in c.source]
    assert stubbed
    for src in stubbed:
        # The stub replaced the body, so the cell still parses as Python (magics aside).
        compile("\n".join(line for line in src.splitlines() if not line.lstrip().startswith("%")), path.name, "exec")
