"""Bibliography labels that agree with the author-year citations in the text.

The chapters cite with ``{cite}`` in author-year form, "[Kingma and Ba,
2015]" (``bibtex_reference_style: author_year`` in ``_config.yml``). pybtex's
``plain`` style labels the bibliography itself with numbers, [1]-[N], so a
reader could not match a citation to its entry. This extension registers a
pybtex label style that writes the same "Author and Author, Year" text, with
"et al." from three authors on, and a formatting style ``plain_author_year``
(``plain`` with those labels) that ``_config.yml`` selects as
``bibtex_default_style``. A label is exactly the text of the citation, so two
papers by the same authors in the same year share it, as their citations do
(each citation still links to its own entry). ``tests/test_book_build.py``
checks the built bibliography.
"""

from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def _last_names(entry) -> list[str]:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = []
    for person in people:
        last = " ".join(person.prelast_names + person.last_names)
        names.append(last.replace("{", "").replace("}", ""))
    return names


def author_year(entry) -> str:
    """ "Hochreiter and Schmidhuber, 1997", "Cho et al., 2014", as cited."""
    names = _last_names(entry)
    if not names:
        who = entry.fields.get("organization", entry.key)
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield author_year(entry)


class PlainAuthorYearStyle(PlainStyle):
    default_label_style = "author_year"


register_plugin("pybtex.style.labels", "author_year", AuthorYearLabelStyle)
register_plugin("pybtex.style.formatting", "plain_author_year", PlainAuthorYearStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
