"""The Colab branch of a chapter's setup cell, run here, without Colab.

On Colab a chapter's first code cell sees ``google.colab`` imported, so its
``%pip install -q "rnn-helpers @ git+<repository URL>"`` installs the helper
package from the repository, and the chapter then reads the shipped data from
that installed copy. This test does the same on this machine:

* a fresh virtual environment under ``tmp_path`` that, like Colab, already has
  torch and the other packages (everything in ``.venv``, through a folder of
  symlinks named in a ``.pth`` file) but not ``rnn_helpers``;
* a fake ``google.colab`` on PYTHONPATH, imported before the cell runs, so the
  cell's guard is true;
* Chapter 4's setup cell with only the URL of its install line changed, to
  ``git+file://<this repository>``: pip takes the same path as for the real
  URL (a git clone, a wheel built by the build backend, an install), run by
  IPython's ``%pip`` in that environment's interpreter;
* then the chapter's cell that loads the shipped corpus.

pip's ``git+file://`` clones the repository's HEAD, so the test installs the
*committed* HEAD: uncommitted changes to ``rnn_helpers/``, ``data/`` or
``pyproject.toml`` are not in the installed copy (the test warns when the
working tree has any). It also takes the chapter's cells from HEAD, so cells
and package agree. CI runs in a clean clone, where HEAD is the tree under test.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import warnings
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from bookinfo import ROOT

CHAPTER = "book/part2/04_char_language_model.ipynb"  # a chapter that reads shipped data
INSTALL_LINE = re.compile(r'^( *%pip install -q "rnn-helpers @ git\+)(\S+)(")$', flags=re.M)

# Runs inside the fresh environment: the cells, one after the other, in an IPython shell.
DRIVER = r"""
import json
import sys
from importlib import metadata
from pathlib import Path

import google.colab  # the fake one on PYTHONPATH: the setup cell's guard is true
from IPython.core.interactiveshell import InteractiveShell

cells, out = json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2])
shell = InteractiveShell.instance(colors="nocolor")  # plain tracebacks in the test's report
exit_codes = []
for source in cells:
    shell.user_ns.pop("_exit_code", None)
    shell.run_cell(source, store_history=False).raise_error()
    exit_codes.append(shell.user_ns.get("_exit_code"))  # what %pip's `python -m pip` returned
rh = shell.user_ns["rh"]
data = rh.data_dir()
dist = metadata.distribution("rnn-helpers")
out.write_text(json.dumps({
    "colab": "google.colab" in sys.modules,
    "pip_exit_codes": exit_codes,
    "rh_file": rh.__file__,
    "data_dir": str(data),
    "data_files": sorted(p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file()),
    "direct_url": json.loads(dist.read_text("direct_url.json")),
    "n_chars": shell.user_ns["n_chars"],
}))
"""


def colab_cell(source: str, url: str) -> str:
    """The setup cell with its install line's URL replaced by ``url``, nothing else changed."""
    found = INSTALL_LINE.findall(source)
    if len(found) != 1:
        raise ValueError(f"expected one install line in the setup cell, found {len(found)}")
    return INSTALL_LINE.sub(lambda m: m.group(1) + url + m.group(3), source)


def test_colab_cell_changes_only_the_url():
    src = 'import sys\n\nif "google.colab" in sys.modules:\n    %pip install -q "rnn-helpers @ git+https://x/y"\n'
    new = colab_cell(src, "file:///repo")
    assert new == src.replace("git+https://x/y", "git+file:///repo")
    with pytest.raises(ValueError, match="found 0"):
        colab_cell("import sys\n", "file:///repo")


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, encoding="utf-8").stdout


def _git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _fresh_venv(tmp_path: Path) -> tuple[Path, Path]:
    """A new virtual environment with .venv's packages but not rnn_helpers: (python, its site-packages)."""
    venv = tmp_path / "venv"
    # --without-pip: the environment's pip is .venv's, reached through the symlinks like
    # every other preinstalled package (and ensurepip would take seconds).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    assert site.is_dir(), f"no site-packages at {site}"
    # rnn_helpers' own entries in .venv: every top-level name its RECORD lists (the
    # dist-info, the editable install's .pth, the package or data folder).
    try:
        own = {Path(str(f)).parts[0] for f in metadata.distribution("rnn-helpers").files or []}
        assert any(name.endswith(".dist-info") for name in own), f"rnn_helpers' RECORD lists no dist-info: {own}"
    except metadata.PackageNotFoundError:  # not installed here at all: nothing to leave out
        own = set()
    preinstalled = tmp_path / "preinstalled"
    preinstalled.mkdir()
    source = Path(sysconfig.get_paths()["purelib"])
    for entry in source.iterdir():
        if entry.name not in own and entry.suffix != ".pth":
            (preinstalled / entry.name).symlink_to(entry)
    (site / "colab_preinstalled.pth").write_text(f"{preinstalled}\n")
    return venv / "bin" / "python", site


def _environment(tmp_path: Path) -> dict:
    fake = tmp_path / "fake_colab"
    (fake / "google" / "colab").mkdir(parents=True)  # `google` stays a namespace package
    (fake / "google" / "colab" / "__init__.py").write_text('"""A stand-in for Colab\'s google.colab."""\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(
        PYTHONPATH=str(fake),
        PYTHONNOUSERSITE="1",
        IPYTHONDIR=str(tmp_path / "ipython"),
        MPLBACKEND="Agg",
        NO_COLOR="1",  # pip's messages without colour codes
        # Nothing is downloaded: no pip.conf of this machine or user, no package index.
        # A dependency that is not preinstalled then fails the install instead of being fetched.
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        # Build isolation would install the build backend (hatchling, which .venv has) into a
        # temporary environment from the index, i.e. download it. pip reads PIP_<OPTION> as the
        # value of the option's destination, and --no-build-isolation stores False into
        # `build_isolation`; so "0" (false) turns isolation OFF and "1" would leave it on
        # (pip's cli/parser.py; pypa/pip#5735). Set here, so the install line stays as is.
        PIP_NO_BUILD_ISOLATION="0",
        PIP_CACHE_DIR=str(tmp_path / "pip-cache"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def _run(cmd, env, cwd) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


def test_colab_setup_cell_installs_the_package_with_its_data(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("this test installs from git+file:// and needs git and a git clone of the book")
    dirty = _git("status", "--porcelain", "--", "rnn_helpers", "data", "pyproject.toml", CHAPTER).rstrip()
    if dirty:
        warnings.warn(
            "test_colab_path installs the committed HEAD; these uncommitted changes are not tested:\n" + dirty,
            stacklevel=1,
        )
    head = _git("rev-parse", "HEAD").strip()

    python, site = _fresh_venv(tmp_path)
    env = _environment(tmp_path)

    # Before relying on it: the fresh environment's pip sees torch but no rnn_helpers,
    # and rnn_helpers cannot be imported there.
    listed = {
        d["name"].lower()
        for d in json.loads(_run([python, "-m", "pip", "list", "--format=json"], env, tmp_path).stdout)
    }
    assert "torch" in listed and "ipython" in listed, "the fresh environment lacks the preinstalled packages"
    assert "rnn-helpers" not in listed, "pip in the fresh environment already sees rnn_helpers installed"
    probe = "import importlib.util; print(importlib.util.find_spec('rnn_helpers'))"
    spec = _run([python, "-c", probe], env, tmp_path).stdout.strip()
    assert spec == "None", f"rnn_helpers is importable in the fresh environment before the install: {spec}"

    # Chapter 4 as committed: the setup cell pointed at this clone, then the corpus cell.
    nb = nbformat.reads(_git("show", f"HEAD:{CHAPTER}"), as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    corpus = [s for s in code if "rh.load_python_corpus(" in s]
    assert corpus, f"{CHAPTER} no longer calls rh.load_python_corpus(); pick a cell that reads shipped data"
    cells = [colab_cell(code[0], ROOT.as_uri()), corpus[0]]
    (tmp_path / "cells.json").write_text(json.dumps(cells))
    (tmp_path / "driver.py").write_text(DRIVER)
    _run([python, "driver.py", "cells.json", "result.json"], env, tmp_path)
    result = json.loads((tmp_path / "result.json").read_text())

    assert result["colab"], "the fake google.colab was not imported"
    assert result["pip_exit_codes"][0] == 0, f"%pip install exited with {result['pip_exit_codes'][0]}"
    # rnn_helpers came from the fresh environment, installed from this clone's HEAD by git.
    rh_file = Path(result["rh_file"])
    assert rh_file.is_relative_to(site), f"rnn_helpers was imported from {rh_file}, not from {site}"
    assert not rh_file.resolve().is_relative_to(ROOT), f"rnn_helpers was imported from the checkout: {rh_file}"
    direct = result["direct_url"]
    assert direct["url"] == ROOT.as_uri() and direct["vcs_info"]["vcs"] == "git", direct
    assert direct["vcs_info"]["commit_id"] == head, f"installed {direct['vcs_info']['commit_id']}, HEAD is {head}"
    # Its data folder is inside the installed package and holds exactly the committed data/.
    data = Path(result["data_dir"])
    assert data == rh_file.parent / "data", f"rh.data_dir() is {data}, not inside the installed package"
    committed = {}
    for line in _git("ls-tree", "-r", "HEAD", "--", "data").splitlines():
        meta, path = line.split("\t", 1)
        committed[Path(path).relative_to("data").as_posix()] = meta.split()[2]
    assert "austen_pride_and_prejudice.txt" in committed
    installed = result["data_files"]
    assert sorted(committed) == installed, (
        f"the installed data differs from data/: missing {sorted(set(committed) - set(installed))}, "
        f"extra {sorted(set(installed) - set(committed))}"
    )
    changed = [name for name, sha in committed.items() if _git_blob_sha1((data / name).read_bytes()) != sha]
    assert not changed, f"installed data files differ from the committed ones: {changed}"
    # The chapter's corpus cell loaded the whole shipped corpus.
    n_chars = len(_git("show", "HEAD:data/python_stdlib.txt"))
    assert result["n_chars"] == n_chars > 0, f"the chapter loaded {result['n_chars']} characters, not {n_chars}"
