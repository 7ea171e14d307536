"""Read the built website in a real browser, and find what a reader would see wrong.

`tests/test_browser.py` and `scripts/screenshots.py` share this module. It
serves a built site (`_build/html`, or the folder in the environment variable
``RNN_BOOK_SITE``) from localhost, drives headless Chromium through Selenium
and ChromeDriver (Debian's ``chromium`` and ``chromium-driver``, which
`make test` installs when ``/usr/bin/chromium`` is missing; ``CHROMIUM`` and
``CHROMEDRIVER`` name other binaries), and checks each page at a desktop
viewport of 1366 x 900 CSS pixels:

- console errors (browser log level SEVERE);
- requests: every one goes to the local server or is a ``data:``/``blob:``
  URL, and none fails (HTTP status 400 or more);
- links: every ``a[href]``, ``img[src]``, ``script[src]`` and ``link[href]``
  within the site names a file of the site, and every ``#fragment`` of a link
  is an id (or name) on its target page;
- maths: every math node holds MathJax output, none is a MathJax error, and no
  raw ``\\(``, ``\\[``, ``$$`` or ``$..\\..$`` is left in the text;
- overflow: no code block, cell output, table or display equation is wider
  than the article's column (its box sticks out of the column, or its content
  scrolls sideways);
- figures: every image loaded (naturalWidth > 0), and each figure in the
  article is shown at no less than 0.68 of its natural width (figures are
  drawn at 100 dpi with text of at least 10 pt, so that scale keeps their
  text at a readable 6.8 px or more);
- icons: every icon shown has a glyph of a web font that loaded (the theme's
  1.5 MB fontawesome.js is dropped by ``_ext/theme_fixes.py``);
- empty outputs: no cell output is an ipywidgets view (it needs a kernel) or
  0 px tall;
- search: the search page finds a word that occurs in a chapter.

Each detector is a function that returns a list of failure strings, so one
assertion can report every failure of a page; the unit tests in
`tests/test_browser.py` give each detector a synthetic page with its defect.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VIEWPORT = (1366, 900)  # CSS pixels, a common laptop screen
MIN_FIGURE_SCALE = 0.68  # displayed width / natural width; 10 pt text at 100 dpi stays >= 6.8 px
OVERFLOW_TOLERANCE = 1  # px, for sub-pixel rounding
# Without the background-networking flags, Chromium's own connections to Google are refused
# by a closed network (and it looks up Google's hosts at every start).
BROWSER_OWN = ("about:", "chrome:", "chrome-extension:", "devtools:")  # the browser's own pages, not requests
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]


def site_dir() -> Path:
    """The built site to read: ``$RNN_BOOK_SITE``, or the repository's ``_build/html``."""
    return Path(os.environ.get("RNN_BOOK_SITE") or ROOT / "_build" / "html").resolve()


def built_pages(site: Path) -> list[str]:
    """Every HTML page of the site, relative, without the theme's template fragments in _static."""
    return sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*.html") if not p.relative_to(site).parts[0].startswith("_")
    )


# --------------------------------------------------------------------------- serving


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature is http.server's
        pass


@contextmanager
def serve(directory: Path):
    """Serve `directory` on a free localhost port in a thread; yields the base URL ("http://127.0.0.1:N/")."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- the browser


def chromium_paths() -> tuple[str, str]:
    return os.environ.get("CHROMIUM", "/usr/bin/chromium"), os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


def missing_chromium() -> str | None:
    """Why no browser can start, or None."""
    browser, driver = chromium_paths()
    for path in (browser, driver):
        if not os.access(path, os.X_OK):
            return (
                f"{path} is missing: `make test` installs Debian's chromium and chromium-driver "
                "(or set CHROMIUM and CHROMEDRIVER to a Chromium and its ChromeDriver)"
            )
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: `make test` installs requirements.txt into .venv"
    return None


@dataclass
class Visit:
    """What one page load did: its URL, SEVERE console messages, requests and bytes received."""

    url: str
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "URL (status or error)"
    bytes: int = 0
    seconds: float = 0.0


class Browser:
    """Headless Chromium at the book's desktop viewport, with its console and network logged."""

    def __init__(self):
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        os.environ.setdefault("SE_AVOID_STATS", "true")  # Selenium Manager never runs: both paths are given
        browser, driver = chromium_paths()
        self._profile = tempfile.TemporaryDirectory(prefix="rnn-book-chromium-")
        options = Options()
        options.binary_location = browser
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self._profile.name}")
        options.add_argument(f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(executable_path=driver))
        self.driver.set_page_load_timeout(60)
        self.driver.set_script_timeout(60)
        cdp = self.driver.execute_cdp_cmd
        cdp("Network.enable", {})
        cdp("Network.setCacheDisabled", {"cacheDisabled": True})  # every page's weight is a cold load
        cdp(
            "Emulation.setDeviceMetricsOverride",
            {"width": VIEWPORT[0], "height": VIEWPORT[1], "deviceScaleFactor": 1, "mobile": False},
        )
        self.driver.get("about:blank")

    def close(self):
        try:
            self.driver.quit()
        finally:
            self._profile.cleanup()

    def open(self, url: str) -> Visit:
        """Load `url`, wait until MathJax, images and fonts have settled, and return what the load did."""
        self._drain()
        start = time.perf_counter()
        self.driver.get(url)
        self.driver.execute_async_script(SETTLE_JS)
        time.sleep(0.2)  # let the last responses' loadingFinished events arrive
        visit = Visit(url=url, seconds=time.perf_counter() - start)
        visit.console = [e["message"] for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]
        sizes: dict[str, int] = {}
        urls: dict[str, str] = {}
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            method, params = message.get("method"), message.get("params", {})
            if method == "Network.requestWillBeSent":
                urls[params["requestId"]] = params["request"]["url"]
                visit.requests.append(params["request"]["url"])
            elif method == "Network.responseReceived":
                status = params["response"].get("status", 0)
                if status >= 400:
                    visit.failed.append(f"{params['response']['url']} (HTTP {status})")
            elif method == "Network.loadingFinished":
                sizes[params["requestId"]] = params.get("encodedDataLength", 0)
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                url = urls.get(params["requestId"], f"request {params['requestId']}")
                if not url.startswith(BROWSER_OWN):
                    visit.failed.append(f"{url} ({params.get('errorText')})")
        visit.bytes = int(sum(sizes.values()))
        return visit

    def _drain(self):
        for kind in ("browser", "performance"):
            self.driver.get_log(kind)

    def run(self, script: str, *args):
        return self.driver.execute_script(script, *args)


@contextmanager
def chromium():
    browser = Browser()
    try:
        yield browser
    finally:
        browser.close()


# Waits for MathJax's first typesetting, the web fonts and every image, then returns.
SETTLE_JS = r"""
const done = arguments[arguments.length - 1];
const waits = [];
if (window.MathJax && MathJax.startup && MathJax.startup.promise) waits.push(MathJax.startup.promise);
if (document.fonts) waits.push(document.fonts.ready);
for (const img of document.images) {
  if (img.loading === 'lazy') img.loading = 'eager';
  if (!img.complete) waits.push(new Promise(r => { img.onload = r; img.onerror = r; }));
}
const timeout = new Promise(r => setTimeout(r, 30000));
Promise.race([Promise.allSettled(waits), timeout]).then(() => requestAnimationFrame(() => done(true)));
"""

# Opens everything a reader can open (hidden inputs, dropdown answers), so it is measured too.
EXPAND_JS = r"""
for (const d of document.querySelectorAll('details')) d.open = true;
for (const el of document.querySelectorAll('.toggle-hidden')) el.classList.remove('toggle-hidden');
for (const el of document.querySelectorAll('.toggle-details__container, .toggle-details')) el.style.display = '';
"""


# --------------------------------------------------------------------------- detectors


def console_errors(visit: Visit) -> list[str]:
    """SEVERE console messages (script errors, failed loads)."""
    return [f"console error: {m[:300]}" for m in visit.console]


def outside_requests(visit: Visit, base: str) -> list[str]:
    """Requests that leave the local site, and requests that failed.

    (The browser's own chrome:// pages, such as its new-tab page at start, are not the site's.)
    """
    bad = [
        f"request outside the site: {u[:200]}"
        for u in visit.requests
        if not u.startswith((base, "data:", "blob:") + BROWSER_OWN)
    ]
    return bad + [f"failed request: {f[:200]}" for f in visit.failed]


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value or "")


@functools.lru_cache(maxsize=None)
def _page_ids(path: str, mtime: float) -> frozenset[str]:
    parser = _Ids()
    parser.feed(Path(path).read_text(errors="replace"))
    return frozenset(parser.ids)


def page_ids(path: Path) -> frozenset[str]:
    return _page_ids(str(path), path.stat().st_mtime)


LINKS_JS = r"""
const out = [];
for (const el of document.querySelectorAll('a[href], img[src], script[src], link[href], source[src]')) {
  const attr = (el.tagName === 'A' || el.tagName === 'LINK') ? 'href' : 'src';
  out.push([el.tagName.toLowerCase(), el.getAttribute(attr), el[attr] || '',
            ((el.textContent || el.alt || '').trim().replace(/\s+/g, ' ')).slice(0, 50)]);
}
const ids = Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.getAttribute('name'));
return [out, ids];
"""


def broken_links(browser: Browser, base: str, site: Path, page_url: str) -> list[str]:
    """Links, images, scripts and stylesheets within the site that name no file, and missing #fragments.

    The current page's ids are read from the live page; other pages' ids from their files.
    """
    links, live_ids = browser.run(LINKS_JS)
    live_ids = set(live_ids)
    page_path = urlsplit(page_url).path
    failures, seen = [], set()
    for tag, raw, absolute, text in links:
        if not absolute or (tag, absolute) in seen:
            continue
        seen.add((tag, absolute))
        parts = urlsplit(absolute)
        if parts.scheme in ("data", "blob", "mailto", "javascript", "about") or not absolute.startswith(base):
            continue  # a link to another site is fine; loading from one is caught by outside_requests
        rel = unquote(parts.path)[len(urlsplit(base).path) :]
        target = site / rel if rel else site
        if rel.endswith("/") or target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            failures.append(f"broken {tag}: {raw!r} ({text!r}) -> no file {rel or '/'}")
            continue
        fragment = unquote(parts.fragment)
        if tag != "a" or not fragment or target.suffix != ".html":
            continue
        ids = live_ids if parts.path == page_path else page_ids(target)
        if fragment not in ids:
            failures.append(f"broken anchor: {raw!r} ({text!r}) -> no id {fragment!r} on {rel}")
    return failures


MATH_JS = r"""
const bad = [];
const snippet = s => (s || '').trim().replace(/\s+/g, ' ').slice(0, 70);
for (const n of document.querySelectorAll('.math')) {
  if (n.closest('pre, code, script, mjx-container')) continue;
  if (!n.querySelector('mjx-container')) bad.push(['not typeset', snippet(n.textContent)]);
}
for (const e of document.querySelectorAll('mjx-merror')) {
  bad.push(['MathJax error', snippet(e.getAttribute('data-mjx-error') || e.textContent)]);
}
const skip = 'pre, code, script, style, textarea, mjx-container, .highlight, .cell_input';
const raw = /\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\$[^$\n]*[\\^_{}][^$\n]*\$/;
const root = document.querySelector('main') || document.body;
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
for (let t = walker.nextNode(); t; t = walker.nextNode()) {
  const el = t.parentElement;
  if (!el || el.closest(skip)) continue;
  if (raw.test(t.textContent)) bad.push(['raw TeX in the text', snippet(t.textContent)]);
}
return bad;
"""


def untypeset_math(browser: Browser) -> list[str]:
    """Math nodes without MathJax output, MathJax errors, and TeX left raw in the text."""
    return [f"math {what}: {text!r}" for what, text in browser.run(MATH_JS)]


OVERFLOW_JS = r"""
const tol = arguments[0];
const article = document.querySelector('article.bd-article') || document.querySelector('article')
             || document.querySelector('main') || document.body;
const cs = getComputedStyle(article), box = article.getBoundingClientRect();
const right = box.right - parseFloat(cs.paddingRight);
const column = right - box.left - parseFloat(cs.paddingLeft);
const kinds = [
  ['pre', el => el.closest('.cell_output, .output') ? 'cell output' : 'code block'],
  ['.cell_output > .output, .cell_output > div', el => 'cell output'],
  ['table', el => 'table'],
  ['div.math, mjx-container[display="true"]', el => 'display equation'],
];
const found = [];
const reported = [];
const snippet = el => {
  const text = el.innerText || el.textContent || '';
  if (el.tagName === 'PRE') {
    const lines = text.split('\n');
    return lines.reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 90);
  }
  return text.trim().replace(/\s+/g, ' ').slice(0, 70);
};
for (const [selector, kind] of kinds) {
  for (const el of article.querySelectorAll(selector)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not rendered
    if (reported.some(p => p.contains(el) || el.contains(p))) continue;  // one report per overflow
    const scrolls = el.scrollWidth - el.clientWidth;  // content hidden behind a sideways scroll
    const sticksOut = r.right - right;                // box wider than the column
    const wider = Math.max(el.scrollWidth, r.width) - column;
    const over = Math.max(scrolls, sticksOut, wider);
    if (over > tol) {
      reported.push(el);
      found.push([kind(el), Math.round(over), snippet(el)]);
    }
  }
}
return [Math.round(column), found];
"""


def overflowing(browser: Browser) -> list[str]:
    """Code blocks, cell outputs, tables and display equations wider than the article's column."""
    browser.run(EXPAND_JS)
    column, found = browser.run(OVERFLOW_JS, OVERFLOW_TOLERANCE)
    return [f"{kind} wider than the {column} px column by {px} px: {text!r}" for kind, px, text in found]


FIGURES_JS = r"""
const out = [];
const inArticle = el => !!el.closest('article, main');
for (const img of document.images) {
  const r = img.getBoundingClientRect();
  const name = (img.getAttribute('src') || '').split('/').pop().slice(0, 40);
  out.push([name, img.complete, img.naturalWidth, r.width, inArticle(img)]);
}
return out;
"""


def figure_problems(browser: Browser, min_scale: float = MIN_FIGURE_SCALE) -> list[str]:
    """Images that did not load, and figures in the article shown below `min_scale` of their natural width."""
    browser.run(EXPAND_JS)
    failures = []
    for name, complete, natural, shown, in_article in browser.run(FIGURES_JS):
        if not complete or natural == 0:
            failures.append(f"image not loaded: {name}")
        elif in_article and shown > 0 and shown / natural < min_scale:
            failures.append(
                f"figure shown at {shown / natural:.3f} of its size ({shown:.0f} of {natural} px, "
                f"below {min_scale}): {name}"
            )
    return failures


ICONS_JS = r"""
const out = [];
for (const el of document.querySelectorAll('i[class*="fa-"], span[class*="fa-"]')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;  // not shown
  const before = getComputedStyle(el, '::before');
  const glyph = before.content;
  if (!glyph || glyph === 'none' || glyph === 'normal' || glyph === '""') {
    out.push(['no glyph', el.className]);
  } else {
    const family = before.fontFamily, weight = before.fontWeight;
    const loaded = document.fonts.check(`${weight} 16px ${family}`, JSON.parse(glyph));
    if (!loaded) out.push(['font not loaded', el.className]);
  }
}
for (const face of document.fonts) if (face.status === 'error') out.push(['font failed', face.family]);
return out;
"""


def missing_icons(browser: Browser) -> list[str]:
    """Icons (``<i class="fa-...">``) shown without a glyph, or whose web font did not load."""
    return [f"icon {what}: {name!r}" for what, name in browser.run(ICONS_JS)]


EMPTY_OUTPUTS_JS = r"""
const out = [];
for (const el of document.querySelectorAll('.cell_output > *')) {
  const widget = el.matches('script[type*="widget-view"]') || el.querySelector('script[type*="widget-view"]');
  const r = el.getBoundingClientRect();
  if (widget || r.height === 0) {
    const cell = el.closest('.cell');
    const code = cell && cell.querySelector('.cell_input pre');
    const first = code ? code.innerText.trim().split('\n')[0].slice(0, 70) : '';
    out.push([widget ? 'widget (it needs a kernel; the page shows nothing)' : 'output 0 px tall', first]);
  }
}
return out;
"""


def empty_outputs(browser: Browser) -> list[str]:
    """Cell outputs that show a reader nothing: ipywidgets views (e.g. tqdm.auto bars) and 0 px tall outputs."""
    browser.run(EXPAND_JS)
    return [f"{what}, in the cell starting {code!r}" for what, code in browser.run(EMPTY_OUTPUTS_JS)]


SEARCH_JS = r"""
const done = arguments[arguments.length - 1];
const t0 = Date.now();
(function poll() {
  const box = document.querySelector('#search-results');
  const summary = box && box.querySelector('.search-summary, p');
  const items = box ? Array.from(box.querySelectorAll('li a')).map(a => a.getAttribute('href')) : [];
  const text = summary ? summary.textContent.trim() : '';
  if (items.length || (text && !/preparing|searching/i.test(text)) || Date.now() - t0 > 20000) {
    done([!!box, text, items]);
  } else setTimeout(poll, 100);
})();
"""


def search_failures(
    browser: Browser, base: str, word: str, expect: str = r"book/part\d/", page: str = "search.html"
) -> list[str]:
    """The site's search page, asked for `word`, lists a page whose address matches `expect`."""
    visit = browser.open(f"{base}{page}?q={word}")
    has_box, summary, hits = browser.driver.execute_async_script(SEARCH_JS)
    failures = console_errors(visit)
    if not has_box:
        failures.append("the search page has no #search-results")
    elif not any(re.search(expect, h or "") for h in hits):
        failures.append(f"search for {word!r} found no chapter ({summary!r}, {len(hits)} results: {hits[:5]})")
    return failures


@dataclass
class PageReport:
    page: str
    failures: list[str]
    bytes: int
    seconds: float
    requests: int


def check_page(browser: Browser, base: str, site: Path, page: str) -> PageReport:
    """Every check on one page; the failures name their kind."""
    url = base + page
    visit = browser.open(url)
    failures = console_errors(visit) + outside_requests(visit, base)
    failures += broken_links(browser, base, site, url)
    failures += untypeset_math(browser)
    failures += overflowing(browser)
    failures += figure_problems(browser)
    failures += missing_icons(browser)
    failures += empty_outputs(browser)
    return PageReport(page, failures, visit.bytes, visit.seconds, len(visit.requests))


def widget_state_bytes(html: str) -> int:
    """Bytes of ipywidgets state embedded in a page (each widget output carries its model's state)."""
    blocks = re.findall(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', html, flags=re.S)
    return sum(len(b.encode()) for b in blocks)
