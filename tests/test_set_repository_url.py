"""scripts/set_repository_url.py, run on a copy of the book (never on this repository)."""

import shutil
import subprocess
import sys

import nbformat
import pytest
import yaml
from bookinfo import ROOT
from set_repository_url import check_url, new_config_text, new_notebook_text

# The new URL is made at run time: a copy of this file must not itself repeat it, or the
# copy's test_repository_url_is_defined_only_in_config would (rightly) fail.
NEW = "https://github.com/alice/" + "-".join(["rnn", "course", "book"])
COPY_IGNORE = shutil.ignore_patterns(
    ".venv", "_build", ".git", "__pycache__", ".hypothesis", ".ipynb_checkpoints", ".pytest_cache", ".jupyter_cache"
)
STRUCTURE_CHECKS = ["-k", "url or setup_cell"]  # the checks the URL must satisfy


@pytest.fixture
def book(tmp_path):
    """A copy of the repository's files (no .venv, build, caches or git)."""
    copy = tmp_path / "book"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE, symlinks=True)
    return copy


def snapshot(root):
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def run(book, *args):
    return subprocess.run([sys.executable, *map(str, args)], cwd=book, capture_output=True, text=True)


def structure_checks(book):
    """tests/test_book_structure.py's URL checks, run in the copy (its conftest makes bookinfo.ROOT the copy)."""
    return run(
        book, "-m", "pytest", book / "tests" / "test_book_structure.py", *STRUCTURE_CHECKS, "-q", "-p", "no:xdist"
    )


def test_after_the_script_the_structure_checks_hold_for_the_new_url(book):
    old = yaml.safe_load((book / "_config.yml").read_text())["repository"]["url"]
    notebooks = sorted(p.relative_to(book) for p in (book / "book").rglob("*.ipynb"))
    assert notebooks and old != NEW
    before = snapshot(book)

    # The checks read the copy and can fail there: _config.yml changed by hand alone breaks them.
    config = book / "_config.yml"
    config.write_text(config.read_text().replace(f"url: {old}", f"url: {NEW}"))
    broken = structure_checks(book)
    assert broken.returncode == 1 and "test_setup_cell_follows_the_convention" in broken.stdout, broken.stdout[-3000:]
    config.write_bytes(before[config.relative_to(book)])

    proc = run(book, book / "scripts" / "set_repository_url.py", NEW)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = snapshot(book)
    changed = {path for path in before if after[path] != before[path]}
    assert changed == {config.relative_to(book), *notebooks}, f"changed {sorted(changed)}"
    for path in changed:  # only the URL changed, nothing else in the file (no reformatting)
        assert after[path].decode() == before[path].decode().replace(old, NEW), f"{path} changed beyond the URL"
    assert yaml.safe_load(config.read_text())["repository"]["url"] == NEW

    checks = structure_checks(book)
    assert checks.returncode == 0, checks.stdout[-3000:]
    assert f"{len(notebooks) + 1} passed" in checks.stdout, checks.stdout[-3000:]

    # Running it again changes nothing.
    again = run(book, book / "scripts" / "set_repository_url.py", NEW)
    assert again.returncode == 0 and "0 files changed" in again.stdout and snapshot(book) == after


def test_a_bad_url_changes_nothing(book):
    before = snapshot(book)
    proc = run(book, book / "scripts" / "set_repository_url.py", "github.com/alice/book")
    assert proc.returncode == 2 and "nothing changed" in proc.stderr
    assert snapshot(book) == before


@pytest.mark.parametrize(
    "url",
    [
        "github.com/alice/book",
        "https://github.com",
        "https://github.com/",
        "ftp://github.com/alice/book",
        'https://github.com/alice/bo"ok',
        "https://github.com/alice/my book",
        "https://github.com/alice/book?tab=1",
        "https://github.com/alice/book.git",
    ],
)
def test_check_url_refuses_what_is_not_a_repository_url(url):
    with pytest.raises(ValueError):
        check_url(url)


def test_check_url_drops_a_trailing_slash():
    assert check_url(" https://github.com/alice/book/ ") == "https://github.com/alice/book"


def test_config_url_is_found_in_its_block_only():
    text = "title: t\nurl: keep\nrepository:\n  # where the book lives\n  url: https://a/b   # old\n  branch: main\n"
    assert new_config_text(text, "https://c/d") == text.replace("https://a/b", "https://c/d")
    with pytest.raises(ValueError, match="no repository.url"):
        new_config_text("title: t\nurl: x\n", "https://c/d")


def test_a_notebook_without_one_install_line_is_refused():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys\nimport rnn_helpers as rh\n")])
    with pytest.raises(ValueError, match="0 Colab install lines"):
        new_notebook_text(nbformat.writes(nb), NEW, "x.ipynb")
