"""How numbers and vocabularies read on the page: the report's jinja filters and environment."""

from __future__ import annotations

from functools import cache

import jinja2
from gridvoices.ecosystem.definitions import DEFINITIONS
from gridvoices.ecosystem.privacy import SUPPRESSED
from gridvoices.ecosystem.vocab import CHIME, FEEDBACK_BARRIERS, ORG_KINDS
from gridvoices.ecosystem.vocab import SUPPRESSION_THRESHOLD as MIN_RESPONSES
from gridvoices.visualise.report.context import ILLUSTRATIVE_NOTICE
from gridvoices.visualise.template_cache import remember_compiled
from markupsafe import Markup

__all__ = ["environment", "labels", "num"]


def num(v, digits: int | None = None) -> Markup | str:
    """A number as the page shows it: ``–`` for none, a starred ``*`` for a suppressed count."""
    if v is None:
        return "–"
    if v == SUPPRESSED:
        return Markup('<abbr class="gv-star" title="Small number, not shown">*</abbr>')
    if isinstance(v, float) and digits is not None:
        return f"{v:,.{digits}f}"
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".")
    return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)


def labels(v, vocab: dict) -> Markup | str:
    """Vocabulary codes as their words, joined with commas (``none named`` for none)."""
    if v == SUPPRESSED or v is None:
        return num(v)
    return ", ".join(vocab.get(x, str(x).replace("_", " ")) for x in v) or "none named"


@cache
def environment() -> jinja2.Environment:
    """The report's templates, autoescaped, with the filters above (made once)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gridvoices.visualise", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        num=num,
        rating=lambda v: num(v, 2),
        pct=lambda v: f"{v:.0%}" if isinstance(v, float) else num(v),
        sentence=lambda s: s[:1].upper() + s[1:] if isinstance(s, str) else s,
        themes=lambda v: labels(v, CHIME),
        barriers=lambda v: labels(v, FEEDBACK_BARRIERS),
        kind=lambda v: ORG_KINDS.get(v, str(v).replace("_", " ")),
    )
    env.globals.update(THRESHOLD=MIN_RESPONSES, notice=ILLUSTRATIVE_NOTICE, definitions=DEFINITIONS)
    return remember_compiled(env)
