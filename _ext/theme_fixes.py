"""A small Sphinx extension: three fixes to what the theme puts on every page.

1. The theme's icons without its 1.5 MB icon script.

pydata-sphinx-theme (under sphinx-book-theme) puts
``<script defer src="_static/scripts/fontawesome.js">`` in every page's head:
Font Awesome's SVG-with-JavaScript library, 1.5 MB, the largest file a page
loads, and parsed before the page settles. Its own stylesheet,
``pydata-sphinx-theme.css``, which every page loads anyway, already carries
Font Awesome's web-font version (the ``.fa-*`` glyph rules and the
``fa-solid``, ``fa-regular`` and ``fa-brands`` web fonts under
``_static/vendor/fontawesome``). The book's icons (the header's buttons: menu,
download, full screen, search, launch, repository, issues, the light/dark
switch) are plain ``<i class="fa-...">`` elements, which that stylesheet
draws as glyphs without the script. So this extension drops the script from
every page, and each page loads only the web fonts of the icons it shows
(about 150 KB for the solid and brands fonts) in place of 1.5 MB of script.

It overrides the theme's ``css`` block (where the theme's webpack macro writes
the script tag) with a template of its own and removes that one tag with a
Jinja filter, whatever the theme's cache-busting digest. If the theme stops
writing the tag, nothing changes.

2. No console error on a reader's first visit. pydata-sphinx-theme reads the
colour mode from ``html_context["default_mode"]``; Jupyter Book leaves it
empty, so on a first visit (nothing in the browser's localStorage yet) the
theme's script logs "Got invalid theme mode: . Resetting to auto." as an
error. This extension sets it to "auto" (follow the reader's system setting,
the theme's own default) unless the configuration sets it.

3. The site's root page names the favicon. ``index.html`` only redirects to
the preface; sphinx-external-toc writes it as a bare ``<meta>`` refresh, so a
browser opening the site's root asks for ``/favicon.ico``, which is not there
(a 404 and a console error). This extension writes that redirect itself, with
the book's title and its favicon, before sphinx-external-toc would.

``tests/test_browser.py`` checks every page in a browser: no console error,
and every icon shows a glyph of a web font that loaded.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from markupsafe import Markup

_SCRIPT = re.compile(r'\s*<script\b[^>]*\bsrc="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*>\s*</script>')
_TEMPLATES = Path(__file__).resolve().parent / "templates"


def without_fontawesome_js(html: str) -> str:
    """`html` without the theme's fontawesome.js script tag."""
    return Markup(_SCRIPT.sub("", str(html)))


def _add_filter(app):
    if hasattr(app.builder, "templates"):
        app.builder.templates.environment.filters["without_fontawesome_js"] = without_fontawesome_js


def _configure(app, config):
    if str(_TEMPLATES) not in config.templates_path:
        config.templates_path.append(str(_TEMPLATES))
    if not config.html_context.get("default_mode"):
        config.html_context["default_mode"] = "auto"


REDIRECT = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>{icon}
<meta http-equiv="Refresh" content="0; url={target}" /></head>
<body><a href="{target}">{title}</a></body></html>
"""


def _write_root_redirect(app, exception):
    """index.html -> the root document, naming the favicon (sphinx-external-toc then leaves it alone)."""
    if exception is not None or app.builder.name != "html" or app.config.root_doc == "index":
        return
    index = Path(app.outdir) / "index.html"
    if index.exists() and "Refresh" not in index.read_text(encoding="utf8"):
        return  # a real page, not a redirect
    favicon = app.config.html_favicon
    icon = ""
    if favicon and "://" not in favicon:
        icon = f'\n<link rel="icon" href="_static/{html.escape(os.path.basename(favicon))}" />'
    target = f"{app.config.root_doc}.html"
    title = html.escape(app.config.html_title or app.config.project or "")
    index.write_text(REDIRECT.format(title=title, icon=icon, target=target), encoding="utf8")


def setup(app):
    app.connect("config-inited", _configure)
    app.connect("builder-inited", _add_filter)
    app.connect("build-finished", _write_root_redirect, priority=400)  # before sphinx-external-toc's (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
