"""The built website, read in a real browser (headless Chromium): every page at a desktop size.

Marked `build`: `make test` runs these in its second pytest call, and `conftest.py`
orders them after `test_book_build.py::test_book_builds_without_warnings`, which
writes `_build/html`. `RNN_BOOK_SITE=/path/to/html` reads another built site.
The checks themselves live in `tests/browser.py`; the tests at the bottom give
each detector a small synthetic page with its defect, served the same way.

Each page test reports every problem of its page in one message, and all pages'
byte weights, load times and problems go to `browser_report.json` beside the site.
"""

from __future__ import annotations

import json
import time

import browser as B
import pytest
from bookinfo import toc_files

pytestmark = pytest.mark.build

# Pages Sphinx writes besides the table of contents' (index.html redirects to the preface;
# py-modindex.html lists the modules of the API appendix).
GENERATED = ["index.html", "genindex.html", "py-modindex.html", "search.html"]
PAGES = [f"{entry}.html" for entry in toc_files()] + GENERATED
SEARCH_WORD = "forget"  # the LSTM's forget gate: Chapter 7 and after


@pytest.fixture(scope="module")
def browser():
    why = B.missing_chromium()
    if why:
        pytest.fail(why)
    with B.chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def site():
    site = B.site_dir()
    if not (site / "search.html").is_file():
        pytest.fail(f"no built site in {site}: run `make book` first (or set RNN_BOOK_SITE to a built _build/html)")
    return site


@pytest.fixture(scope="module")
def served(site):
    with B.serve(site) as base:
        yield base


@pytest.fixture(scope="module")
def report(site):
    """Collects each page's weight, time and problems; written to browser_report.json beside the site."""
    pages: dict[str, dict] = {}
    start = time.perf_counter()
    yield pages
    out = site.parent / "browser_report.json"
    summary = {
        "site": str(site),
        "seconds": round(time.perf_counter() - start, 1),
        "total_bytes": sum(p["bytes"] for p in pages.values()),
        "pages": pages,
    }
    try:
        out.write_text(json.dumps(summary, indent=1) + "\n")
    except OSError:
        pass  # a read-only site: the assertions already said what matters


def test_every_built_page_is_checked(site):
    """The page list below covers every HTML page the build wrote (and each listed page exists)."""
    built = set(B.built_pages(site))
    assert built <= set(PAGES), f"pages not checked by this test: {sorted(built - set(PAGES))}"
    missing = [p for p in PAGES if p not in built]
    assert not missing, f"pages missing from the build: {missing}"


@pytest.mark.parametrize("page", PAGES)
def test_page_in_the_browser(page, browser, served, site, report):
    assert (site / page).is_file(), f"the build wrote no {page}"
    result = B.check_page(browser, served, site, page)
    report[page] = {
        "bytes": result.bytes,
        "requests": result.requests,
        "seconds": round(result.seconds, 2),
        "widget_state_bytes": B.widget_state_bytes((site / page).read_text()),
        "failures": result.failures,
    }
    assert not result.failures, f"{page}: {len(result.failures)} problem(s)\n  " + "\n  ".join(result.failures)


def test_search_finds_a_chapter_word(browser, served):
    failures = B.search_failures(browser, served, SEARCH_WORD)
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------- the detectors can fail

ARTICLE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ margin: 0 }} article.bd-article {{ width: 600px; padding: 0 20px; }}
pre {{ overflow: auto; }} div.math {{ overflow-x: auto; }}</style></head>
<body><main><article class="bd-article">{body}</article></main></body></html>"""

PAGES_WITH_DEFECTS = {
    "clean.html": """<h1 id="top">A clean page</h1><p>See <a href="other.html#there">there</a>,
        <a href="#top">the top</a> and <a href="https://example.org/">another site</a>.</p>
        <img src="fig.png" alt="a figure"><pre>print("short")</pre>
        <table><tr><td>narrow</td></tr></table>
        <span class="math"><mjx-container>x</mjx-container></span>
        <div class="cell_output"><div class="output stream"><pre>fine</pre></div></div>""",
    "other.html": '<h2 id="there">There</h2>',
    "console.html": "<p>hi</p><script>console.error('boom'); undefinedFunction();</script>",
    "outside.html": "<p>hi</p><script>fetch('http://127.0.0.1:9/lib.js').catch(() => 0);</script>",
    "links.html": """<a href="missing.html">gone</a> <a href="other.html#nowhere">no anchor</a>
        <a href="#nothere">no id here</a> <img src="nofile.png" alt="">""",
    "math.html": r"""<div class="math">\[ x^2 \]</div><p>Raw $$ y = 1 $$ and \( z \) here.</p>
        <span class="math"><mjx-container><mjx-merror data-mjx-error="Undefined control sequence \foo">
        </mjx-merror></mjx-container></span>""",
    "overflow.html": f"""<div class="cell_input"><pre>{"x = 1  # " + "long " * 40}</pre></div>
        <div class="cell_output"><div class="output"><pre>{"0.123 " * 40}</pre></div></div>
        <table><tr><td style="min-width: 900px">wide table</td></tr></table>
        <div class="math"><span style="display: inline-block; width: 900px">wide equation</span></div>""",
    "figures.html": '<img src="fig.png" style="width: 200px" alt=""><img src="notanimage.png" alt="">',
    "icons.html": """<style>@font-face { font-family: Glyphs; src: url(nofont.woff2) format("woff2"); }
        .fa-solid { font-family: sans-serif; } .fa-check:before { content: "v"; }
        .fa-broken { font-family: Glyphs; } .fa-broken:before { content: "x"; }</style>
        <i class="fa-solid fa-check"></i> <i class="fa-solid fa-nosuchicon"></i> <i class="fa-broken"></i>""",
    "outputs.html": """<div class="cell"><div class="cell_input"><pre>for step in tqdm(range(9)):</pre></div>
        <div class="cell_output"><div class="output text_html"><script
        type="application/vnd.jupyter.widget-view+json">{"model_id": "abc"}</script></div>
        <div class="output stream"><pre>printed</pre></div></div></div>
        <div class="cell"><div class="cell_input"><pre>x = 1</pre></div>
        <div class="cell_output"><div class="output text_plain" style="height: 0"></div></div></div>""",
    "search_none.html": '<div id="search-results"><p class="search-summary">Your search did not match.</p></div>',
    "search_hit.html": """<div id="search-results"><p class="search-summary">Found 1 page.</p>
        <ul><li><a href="book/part3/07_lstm.html">7. LSTM</a></li></ul></div>""",
}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, browser):
    """The pages above, served from a temporary folder; yields (browser, base URL, folder)."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("synthetic_site")
    for name, body in PAGES_WITH_DEFECTS.items():
        (folder / name).write_text(ARTICLE.format(title=name, body=body))
    Image.new("RGB", (500, 300), "white").save(folder / "fig.png")
    (folder / "notanimage.png").write_bytes(b"this is not a PNG")
    (folder / "favicon.ico").write_bytes(b"")
    with B.serve(folder) as base:
        yield browser, base, folder


def _visit(synthetic, page):
    browser, base, folder = synthetic
    return browser, base, folder, browser.open(base + page)


def test_detectors_pass_a_clean_page(synthetic):
    browser, base, folder, visit = _visit(synthetic, "clean.html")
    assert B.console_errors(visit) == []
    assert B.outside_requests(visit, base) == []
    assert B.broken_links(browser, base, folder, visit.url) == []
    assert B.untypeset_math(browser) == []
    assert B.overflowing(browser) == []
    assert B.figure_problems(browser) == []
    assert B.missing_icons(browser) == []
    assert B.empty_outputs(browser) == []
    assert visit.bytes > 500 * 300 // 100  # the page and its figure were counted


def test_console_error_detector(synthetic):
    *_, visit = _visit(synthetic, "console.html")
    found = B.console_errors(visit)
    assert any("boom" in f for f in found) and any("undefinedFunction" in f for f in found), found


def test_outside_request_detector(synthetic):
    _, base, _, visit = _visit(synthetic, "outside.html")
    found = B.outside_requests(visit, base)
    assert any("request outside the site: http://127.0.0.1:9/lib.js" in f for f in found), found


def test_broken_link_detector(synthetic):
    browser, base, folder, visit = _visit(synthetic, "links.html")
    found = B.broken_links(browser, base, folder, visit.url)
    assert len(found) == 4, found
    assert any("broken a: 'missing.html'" in f for f in found)
    assert any("no id 'nowhere' on other.html" in f for f in found)
    assert any("no id 'nothere' on links.html" in f for f in found)
    assert any("broken img: 'nofile.png'" in f for f in found)


def test_math_detector(synthetic):
    browser, *_ = _visit(synthetic, "math.html")
    found = B.untypeset_math(browser)
    assert any("not typeset" in f and "x^2" in f for f in found), found
    assert any("raw TeX" in f and "$$ y = 1 $$" in f for f in found), found
    assert any("MathJax error" in f and "Undefined control sequence" in f for f in found), found


def test_overflow_detector(synthetic):
    browser, *_ = _visit(synthetic, "overflow.html")
    found = B.overflowing(browser)
    kinds = sorted(f.split(" wider")[0] for f in found)
    assert kinds == ["cell output", "code block", "display equation", "table"], found
    assert all("600 px column" in f for f in found), found
    table = next(f for f in found if f.startswith("table"))
    assert 300 <= int(table.split(" by ")[1].split(" px")[0]) <= 310, table  # 900 px cell (+ padding)
    assert any("code block" in f and "x = 1  # long" in f for f in found), found


def test_figure_detector(synthetic):
    browser, *_ = _visit(synthetic, "figures.html")
    found = B.figure_problems(browser)
    assert any("figure shown at 0.400 of its size (200 of 500 px" in f for f in found), found
    assert any("image not loaded: notanimage.png" in f for f in found), found
    assert len(found) == 2, found


def test_icon_detector(synthetic):
    browser, *_ = _visit(synthetic, "icons.html")
    found = B.missing_icons(browser)
    assert any("icon no glyph: 'fa-solid fa-nosuchicon'" in f for f in found), found
    assert any("font failed: 'Glyphs'" in f or "font not loaded: 'fa-broken'" in f for f in found), found
    assert not any("fa-check" in f for f in found), found


def test_empty_output_detector(synthetic):
    browser, *_ = _visit(synthetic, "outputs.html")
    found = B.empty_outputs(browser)
    assert len(found) == 2, found
    assert "widget" in found[0] and "'for step in tqdm(range(9)):'" in found[0], found
    assert "output 0 px tall" in found[1] and "'x = 1'" in found[1], found


def test_search_detector(synthetic):
    browser, base, *_ = synthetic
    assert B.search_failures(browser, base, "forget", page="search_hit.html") == []
    found = B.search_failures(browser, base, "forget", page="search_none.html")
    assert len(found) == 1 and "found no chapter" in found[0], found
