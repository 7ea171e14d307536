"""Screenshots of three key pages of the built book, for the README (`make screenshots`).

Reads the built site (`_build/html`, or `--site` / the environment variable
RNN_BOOK_SITE) in headless Chromium at the browser test's desktop viewport
(1366 x 900, see tests/browser.py), and writes one PNG of the viewport per page
to docs/screenshots/, reduced to a 256-colour palette so each stays well under
300 KB.

    .venv/bin/python scripts/screenshots.py                     # after `make book`
    .venv/bin/python scripts/screenshots.py --site /path/to/_build/html
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import browser as B  # noqa: E402  (tests/browser.py: the server and the browser the test uses)

# (file name, page, a CSS selector of what to scroll to the top, or "" for the page's top, what it shows)
SHOTS = [
    ("preface.png", "book/preface.html", "", "the preface: what the book is and how to read it"),
    ("ch07_lstm.png", "book/part3/07_lstm.html", "#the-equations", "Chapter 7: the LSTM cell's equations"),
    ("ch15_motion.png", "book/part5/15_motion_prediction.html", "#results img", "Chapter 15, Part V: a figure"),
]
MAX_BYTES = 300_000


def small_png(png: bytes, colors: int = 256) -> bytes:
    """The screenshot as a palette PNG: text and flat plots survive 256 colours unharmed."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True
    )
    return out.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=None, help="the built site (default: _build/html)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if args.site:
        os.environ["RNN_BOOK_SITE"] = str(args.site)
    site = B.site_dir()
    why = B.missing_chromium()
    if why:
        sys.exit(why)
    missing = [page for _, page, _, _ in SHOTS if not (site / page).is_file()]
    if missing:
        sys.exit(f"not in the built site {site}: {missing} (run `make book` first)")
    args.out.mkdir(parents=True, exist_ok=True)
    with B.serve(site) as base, B.chromium() as browser:
        for name, page, section, _ in SHOTS:
            browser.open(base + page)
            if section:
                browser.run(
                    "const el = document.querySelector(arguments[0]);"
                    "if (!el) throw new Error('nothing matches ' + arguments[0]);"
                    "el.scrollIntoView({block: 'start'}); window.scrollBy(0, -70);",
                    section,
                )
            png = small_png(browser.driver.get_screenshot_as_png())
            if len(png) > MAX_BYTES:
                png = small_png(browser.driver.get_screenshot_as_png(), colors=64)
            (args.out / name).write_bytes(png)
            print(
                f"{args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}/{name}: "
                f"{page} {section}, {len(png) / 1000:.0f} KB"
            )


if __name__ == "__main__":
    main()
