"""Set the book's repository URL everywhere it must change.

    .venv/bin/python scripts/set_repository_url.py https://github.com/<you>/<repo>

The URL is defined once, as ``repository.url`` in ``_config.yml`` (the launch
buttons and the repository and issues buttons come from there), and repeated
in exactly one other kind of place: the Colab install line of every chapter's
setup cell, ``%pip install -q "rnn-helpers @ git+URL"``, which a notebook
cannot read from the configuration. This script rewrites both, changing
nothing else in either file, and checks the result as the book-structure tests
do (``test_setup_cell_follows_the_convention``,
``test_repository_url_is_defined_only_in_config``). Commit the changed files.

It refuses a URL that is not ``http(s)://host/path``, and changes no file
unless every notebook's setup cell has exactly one install line to rewrite.
"""

from __future__ import annotations

import argparse
import re
import sys
from urllib.parse import urlsplit

import nbformat
import yaml
from bookinfo import ROOT, chapter_notebooks, repository_url

# The install line, as tests/test_book_structure.py requires it.
INSTALL_LINE = re.compile(r'^( *%pip install -q "rnn-helpers @ git\+)(\S+)(")$', flags=re.M)
# repository.url in _config.yml: the `url:` key of the top-level `repository:` block.
CONFIG_URL = re.compile(r"^(repository:[ \t]*(?:#.*)?\n(?:(?:[ \t]+.*|[ \t]*)\n)*?[ \t]+url:[ \t]*)(\S+)", flags=re.M)
CHECKED_SUFFIXES = {".py", ".md", ".toml", ".yml", ".txt", ".cfg", ".ipynb"}


def check_url(url: str) -> str:
    """The URL without a trailing slash; ValueError if it is not http(s)://host/path."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/") == "":
        raise ValueError(f"expected a repository URL like https://github.com/<you>/<repo>, got {url!r}")
    if re.search(r"[\s\"'\\]", url) or parts.query or parts.fragment:
        raise ValueError(f"the URL must have no spaces, quotes, backslashes, query or fragment: {url!r}")
    if url.endswith(".git"):
        raise ValueError(f"give the repository's web address, without .git: {url[: -len('.git')]!r}")
    return url


def new_config_text(text: str, url: str) -> str:
    match = CONFIG_URL.search(text)
    if match is None:
        raise ValueError("_config.yml has no repository.url to change")
    new = text[: match.start(2)] + url + text[match.end(2) :]
    got = yaml.safe_load(new)["repository"]["url"]
    if got != url:  # e.g. a URL that YAML would read differently unquoted
        raise ValueError(f"_config.yml would read repository.url as {got!r}, not {url!r}")
    return new


def new_notebook_text(text: str, url: str, name: str) -> str:
    nb = nbformat.reads(text, as_version=4)
    setup = next((c for c in nb.cells if c.cell_type == "code"), None)
    found = INSTALL_LINE.findall(setup.source) if setup is not None else []
    if len(found) != 1:
        raise ValueError(f"{name}: the setup cell has {len(found)} Colab install lines, expected 1")
    setup.source = INSTALL_LINE.sub(lambda m: m.group(1) + url + m.group(3), setup.source)
    new = nbformat.writes(nb)
    return new if new.endswith("\n") else new + "\n"


def mentions(old: str, new: str) -> list[str]:
    """Files (of the kinds the structure test reads, and notebooks) that mention ``old``
    other than as part of ``new``."""
    return sorted(
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*")
        if p.is_file()
        and p.suffix in CHECKED_SUFFIXES
        and not {".venv", "_build", ".git", ".ipynb_checkpoints"} & set(p.relative_to(ROOT).parts)
        and old in p.read_text(errors="ignore").replace(new, "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the book's repository, e.g. https://github.com/<you>/<repo>")
    args = parser.parse_args(argv)
    try:
        url = check_url(args.url)
        old = repository_url()
        config = ROOT / "_config.yml"
        changes = {config: new_config_text(config.read_text(), url)}
        for path in chapter_notebooks():
            changes[path] = new_notebook_text(path.read_text(), url, str(path.relative_to(ROOT)))
    except ValueError as err:
        print(f"set_repository_url: {err}; nothing changed", file=sys.stderr)
        return 2
    changed = [path for path, text in changes.items() if path.read_text() != text]
    for path in changed:
        path.write_text(changes[path])
        print(f"changed {path.relative_to(ROOT)}")
    print(f"repository URL: {old} -> {url} ({len(changed)} files changed, {len(changes) - 1} notebooks checked)")
    stale = mentions(old, url) if old != url else []
    if stale:
        print(f"set_repository_url: the old URL is still in {stale}; change those by hand", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
