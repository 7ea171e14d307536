"""An installed copy of rnn_helpers (e.g. on Colab) carries the shipped data."""

import subprocess
import sys
import zipfile
from pathlib import Path

from bookinfo import ROOT


def test_wheel_contains_package_and_data(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("rnn_helpers-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "rnn_helpers/__init__.py" in names and "rnn_helpers/layers.py" in names
    shipped = {
        f"rnn_helpers/data/{p.relative_to(ROOT / 'data').as_posix()}" for p in (ROOT / "data").rglob("*") if p.is_file()
    }
    assert shipped and shipped <= names, f"data files missing from the wheel: {sorted(shipped - names)}"


def test_lower_bounds_only_in_pyproject_and_pins_in_requirements():
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert all("==" not in d and "<" not in d for d in deps), (
        "pyproject.toml gives lower bounds only (Colab keeps its torch)"
    )
    reqs = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    reqs = [r for r in reqs if r]
    assert "torch==2.13.0" in reqs
    assert "jupyter-book>=1.0.4.post1,<2" in reqs
    assert "-e ." in reqs


def test_every_helper_module_is_in_the_table_and_on_the_api_page():
    """Each module of rnn_helpers has a line in __init__'s table of modules and
    an automodule section on the API page."""
    import rnn_helpers

    root = Path(rnn_helpers.__file__).parent
    modules = sorted(p.stem for p in root.glob("*.py") if not p.stem.startswith("_"))
    assert len(modules) > 20
    table = rnn_helpers.__doc__
    api = (Path(__file__).resolve().parents[1] / "book" / "appendix" / "api.md").read_text()
    missing_table = [m for m in modules if f"- ``{m}``" not in table]
    missing_api = [m for m in modules if f".. automodule:: rnn_helpers.{m}\n" not in api]
    assert not missing_table, f"rnn_helpers/__init__.py's table lacks {missing_table}"
    assert not missing_api, f"book/appendix/api.md lacks an automodule section for {missing_api}"
