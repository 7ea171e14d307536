"""A small Sphinx extension: pages load nothing from outside the site.

Jupyter Book always loads ``sphinx_thebe``, whose configuration script is
added once per read phase, so every page declared ``const THEBE_JS_URL``
twice (a console error) and named a script on unpkg.com. The book has no
live-kernel (Binder) service, so this extension drops thebe's scripts and
styles from every page. ``tests/test_book_build.py`` checks the built pages:
no script or stylesheet from another host, and no thebe configuration.
"""

from __future__ import annotations


def _is_thebe(asset) -> bool:
    """True for thebe's own files and for the inline script that configures it."""
    name = str(getattr(asset, "filename", asset) or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return "thebe" in name.lower() or "THEBE_JS_URL" in body


def _drop_thebe(app, pagename, templatename, context, doctree):
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe(asset)]


def setup(app):
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
