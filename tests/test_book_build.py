"""The whole book builds, notebooks executed, with warnings as errors (`make book`)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from bookinfo import ROOT, chapter_notebooks, repository_url, resolve, toc_files


@pytest.mark.build  # runs after nbval, and reuses its executions (see conftest.py)
def test_book_builds_without_warnings():
    jb = Path(sys.executable).parent / "jupyter-book"
    proc = subprocess.run(
        [str(jb), "build", str(ROOT), "--warningiserror", "--nitpick", "--keep-going"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"jupyter-book build failed:\n{log[-6000:]}"
    assert "build succeeded" in log
    # Sphinx warnings read "path:line: WARNING: ..."; the kernel's own "WARNING |" log lines are not build warnings.
    assert not re.search(r"WARNING:", log), f"the build logged warnings:\n{log[-6000:]}"
    html = ROOT / "_build" / "html"
    for entry in toc_files():
        page = html / f"{entry}.html"
        assert page.is_file(), f"no page for {entry}"
    # Executed notebooks: every chapter page shows cell outputs (figures or text).
    for nb in chapter_notebooks():
        page = (html / nb.relative_to(ROOT)).with_suffix(".html").read_text()
        assert "cell_output" in page, f"{nb.name} was not executed in the build"
        # The Colab launch button opens this very notebook from the configured repository.
        colab = repository_url().replace("https://github.com/", "https://colab.research.google.com/github/")
        assert f"{colab}/blob/main/{nb.relative_to(ROOT).as_posix()}" in page, f"{nb.name} has no Colab launch button"
    # The favicon is served from the site (it was a 404 on every page).
    assert (html / "_static" / "favicon.svg").is_file() and 'rel="icon"' in page
    # MathJax is served from the site itself, so the math renders offline too.
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()
    # The bibliography page renders the entries of references.bib.
    bib = (html / "book" / "appendix" / "bibliography.html").read_text()
    # (The plain style sets titles in sentence case.)
    assert "Finding structure in time" in bib and "Long short-term memory" in bib
    # Its labels read "Author, Year", as the citations in the text do (_ext/author_year_labels.py),
    # not [1]..[N].
    labels = re.findall(r'<span class="label"><span class="fn-bracket">\[</span>(.*?)<span', bib)
    assert len(labels) > 50, f"found only {len(labels)} bibliography labels"
    not_author_year = [x for x in labels if not re.fullmatch(r"[^\d\[\]]+(?: et al\.)?, \d{4}[a-z]?", x)]
    assert not not_author_year, f"bibliography labels not in author-year form: {not_author_year[:5]}"
    assert "Hochreiter and Schmidhuber, 1997" in labels and "Cho et al., 2014" in labels
    # Nothing is loaded from outside the site: no script, stylesheet or image from another host,
    # and no thebe configuration (it was declared twice on every page; _ext/offline_site.py).
    for page in html.rglob("*.html"):
        text = page.read_text()
        assert not external_assets(text), f"{page.relative_to(html)} loads {external_assets(text)}"
        assert "THEBE_JS_URL" not in text, f"{page.relative_to(html)} still configures thebe"


ASSET = re.compile(r"<(script|img|link)\b[^>]*?\b(?:src|href)=[\"'](https?:)?//([^\"'/]+)[^\"']*[\"'][^>]*>", re.I)


def external_assets(text: str) -> list[str]:
    """The hosts of scripts, images and stylesheets a page loads from another site (links to follow are fine)."""
    found = []
    for match in ASSET.finditer(text):
        tag = match.group(0).lower()
        if match.group(1).lower() == "link" and not re.search(r"rel=[\"'](stylesheet|preload|icon|modulepreload)", tag):
            continue  # a <link rel="canonical"> or similar is not a request
        found.append(f"{match.group(1).lower()} from {match.group(3)}")
    return found


def test_external_asset_detector():
    """The detector above finds what a browser would fetch, and ignores plain hyperlinks."""
    assert external_assets('<script src="https://unpkg.com/x.js"></script>') == ["script from unpkg.com"]
    css = '<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/fa.css">'
    assert external_assets(css) == ["link from maxcdn.bootstrapcdn.com"]
    assert external_assets('<img src="//cdn.example.org/a.png">') == ["img from cdn.example.org"]
    assert external_assets('<a href="https://doi.org/10.1/x">doi</a>') == []
    assert external_assets('<script src="../_static/x.js"></script><link rel="stylesheet" href="a.css">') == []


def _timing_table() -> tuple[str, dict]:
    """The appendix's timing table: its text, and its rows as make timings reads them back."""
    from time_notebooks import recorded_rows

    table = (ROOT / "book" / "appendix" / "timings.md").read_text()
    return table, recorded_rows(table, default_index=1.0)  # path -> (quiet, busy, speed index)


def test_instructors_run_times_copy_the_timing_table():
    """The instructors' guide copies each chapter's quiet and busy times (and the totals) from timings.md."""
    table, rows = _timing_table()
    guide = (ROOT / "book" / "appendix" / "instructors.md").read_text()
    measured = {int(path.name[:2]): (quiet, busy) for path, (quiet, busy, _) in rows.items()}
    copied = {
        int(ch): (float(quiet), float(busy))
        for ch, quiet, busy in re.findall(r"^\| (\d+) \| [^|]+ \| ([\d.]+) \| ([\d.]+) \|$", guide, flags=re.M)
    }
    assert copied == measured, "copy the quiet and busy columns of timings.md into instructors.md's run-time table"
    total = re.search(r"\*\*total\*\* \| \*\*([\d.]+)\*\* \| \*\*([\d.]+)\*\*", table)
    assert total and f"| **all** | | **{total[1]}** | **{total[2]}** |" in guide, "and the totals"


def test_timing_table_covers_every_chapter_within_the_cap():
    """The committed table (written by `make timings`) lists every chapter, quiet and busy, with the speed index.

    It checks the recorded numbers, not the speed of this machine: no test times a chapter.
    """
    from time_notebooks import CAP_S

    table, rows = _timing_table()
    assert set(rows) == set(chapter_notebooks()), "re-run `make timings` after adding or renaming a chapter"
    assert all(busy is not None for _, busy, _ in rows.values()), "every chapter has its busy time"
    # the cap refers to the reference host: quiet time times the index of the host that measured it
    over = {p.name: round(quiet * index, 1) for p, (quiet, _, index) in rows.items() if quiet * index > CAP_S}
    assert not over, f"a chapter is over the {CAP_S} s cap when quiet, at speed index 1.00: {over}"
    assert re.search(r"Speed index \d+\.\d\d", table), "the table records the host's speed index"
    assert all(resolve(e) for e in toc_files())
