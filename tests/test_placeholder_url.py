"""The book build's banner while the repository URL is the placeholder (_ext/placeholder_url.py)."""

import re
import sys
from io import StringIO

import pytest
from bookinfo import ROOT, repository_url

sys.path.insert(0, str(ROOT / "_ext"))
import placeholder_url as pu  # noqa: E402

OTHER_URLS = [
    "https://github.com/alice/rnn-book",
    f"https://{pu.PLACEHOLDER_HOST}/{pu.PLACEHOLDER_PATH}-fork",  # (the placeholder itself is written
    f"https://{pu.PLACEHOLDER_HOST}/{pu.PLACEHOLDER_PATH}/wiki",  # only in _config.yml; see the extension)
    "https://github.com/rnn-course",
    "https://gitlab.com/rnn-course/rnn-book",
    "",
    None,
]


@pytest.mark.parametrize("spelling", ["https://{}/{}", "https://{}/{}/", "https://{}/{}.git", "  http://www.{}/{}  "])
def test_every_spelling_of_the_placeholder_is_recognised(spelling):
    url = spelling.format(pu.PLACEHOLDER_HOST, pu.PLACEHOLDER_PATH)
    assert pu.is_placeholder(url)
    assert pu.is_placeholder(url.replace("github", "GitHub").replace("rnn-", "RNN-"))  # GitHub ignores case


@pytest.mark.parametrize("url", OTHER_URLS)
def test_other_urls_are_not_the_placeholder(url, capsys):
    assert not pu.is_placeholder(url)
    assert pu.report(url) is False
    assert capsys.readouterr() == ("", "")


def test_the_placeholder_prints_a_banner_to_stderr(capsys):
    assert pu.report(pu.PLACEHOLDER_URL) is True
    out, err = capsys.readouterr()
    assert out == ""
    assert "PLACEHOLDER REPOSITORY URL" in err and pu.PLACEHOLDER_URL in err
    assert "python scripts/set_repository_url.py https://github.com/<you>/<repo>" in err
    # Not a warning: tests/test_book_build.py fails a build whose log has "WARNING:".
    assert not re.search(r"WARNING:", err)


def test_the_book_build_loads_the_extension_and_hands_it_the_configured_url():
    """What jupyter-book makes of _config.yml: the extension is on, and the theme option it reads is repository.url."""
    from jupyter_book.config import get_final_config

    sphinx_config, _ = get_final_config(
        user_yaml=ROOT / "_config.yml", sourcedir=ROOT, cli_config={"latex_individualpages": False}
    )
    assert "placeholder_url" in sphinx_config["extensions"]
    assert sphinx_config["html_theme_options"]["repository_url"] == repository_url()


@pytest.mark.parametrize("placeholder", [True, False], ids=["placeholder", "real-url"])
def test_a_build_with_warnings_as_errors_prints_the_banner_and_succeeds(tmp_path, capsys, placeholder):
    """A real (tiny) Sphinx build with -W: the banner at its start and end, and no warning."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    src = tmp_path / "src"
    src.mkdir()
    (src / "index.rst").write_text("Title\n=====\n\nText.\n")
    url = pu.PLACEHOLDER_URL if placeholder else "https://github.com/alice/rnn-book"
    (src / "conf.py").write_text(
        f"extensions = ['placeholder_url']\nhtml_theme_options = {{'repository_url': {url!r}}}\n"
    )
    warnings = StringIO()
    with docutils_namespace():  # each build registers its node classes afresh, as sphinx-build's would
        app = Sphinx(
            src,
            src,
            tmp_path / "out",
            tmp_path / "doctrees",
            "dummy",
            status=None,
            warning=warnings,
            warningiserror=True,
        )
        app.build()
    assert app.statuscode == 0 and warnings.getvalue() == ""
    err = capsys.readouterr().err
    assert err.count("PLACEHOLDER REPOSITORY URL") == (2 if placeholder else 0)
