"""Keep identifiers of people out of the store.

Partner files and survey exports often carry columns that identify the person
who answered (name, email, phone, postcode, date of birth, NHS number) and
free text where people write their email or number. Such columns are never
stored and are reported as stripped; emails and phone numbers inside free
text are replaced by a marker and reported (row and column, never the value).
"""

from __future__ import annotations

import re

import pandas as pd
from gridvoices.ecosystem.issues import Issue

__all__ = ["identifying_column", "scrub_text", "EMAIL", "PHONE"]

_ID_COLUMN = re.compile(
    r"(^|[\s_\-.])(first[\s_\-]?name|last[\s_\-]?name|surname|full[\s_\-]?name|forename|"
    r"e[\s_\-]?mail|phone|mobile|telephone|tel|contact[\s_\-]?number|address|postcode|"
    r"post[\s_\-]?code|zip|date[\s_\-]?of[\s_\-]?birth|dob|nhs[\s_\-]?(no|number)|"
    r"ip[\s_\-]?address|respondent)($|[\s_\-.])|^name$|^your[\s_\-]?name",
    re.I,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# UK numbers: 07xxx xxxxxx, 01xxx / 02x landlines, +44; at least 10 digits with separators.
PHONE = re.compile(r"(\+44\s?|\b0)(\d[\s-]?){9,10}\b")


def identifying_column(name: str) -> bool:
    """Whether a column name looks like it identifies a person.

    Examples
    --------
    >>> [identifying_column(c) for c in ["Email address", "phone", "rating", "service name"]]
    [True, True, False, False]
    """
    return bool(_ID_COLUMN.search(name.strip()))


def scrub_text(series: pd.Series, label: str, column: str) -> tuple[pd.Series, list[Issue]]:
    """Replace emails and phone numbers in free text; one warning per row changed.

    Examples
    --------
    >>> s, issues = scrub_text(pd.Series(["mail me at a@b.org", "fine"]), "f.csv", "comment")
    >>> s.tolist()
    ['mail me at [email removed]', 'fine']
    >>> [str(i) for i in issues]
    ['f.csv:2:comment: warning: an email address was removed']
    """
    issues: list[Issue] = []
    out = []
    for i, text in enumerate(series):
        if not isinstance(text, str) or not text:
            out.append(text)
            continue
        new = EMAIL.sub("[email removed]", text)
        what = ["an email address"] if new != text else []
        newer = PHONE.sub("[phone removed]", new)
        if newer != new:
            what.append("a phone number")
        if what:
            issues.append(
                Issue(
                    label,
                    i + 2,
                    column,
                    "identifier-removed",
                    f"{' and '.join(what)} was removed",
                    "warning",
                )
            )
        out.append(newer)
    return pd.Series(out, index=series.index, dtype=object), issues
