"""How well the domain rules agree with people: precision and recall on a labelled sample.

A labelled sample is a CSV of real services (``source,id,name,description,terms,label``;
``terms`` are ``|``-separated, each ``CODE name`` or a bare name). The rules are
run on each row and compared with the label a person gave.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from gridvoices.loaders.mapping_domains import DomainRules
from gridvoices.loaders.mapping_files import Term

__all__ = ["Score", "score_rules", "read_sample"]

_CODE = re.compile(r"^([A-Z]{1,2}(?:-\d{4}(?:\.\d{4}(?:-\d{3}(?:\.\d{2})?)?)?)?)\s+(.*)$")


@dataclass(frozen=True)
class Score:
    domain: str
    labelled: int  # rows a person put in this domain
    predicted: int  # rows the rules put in it
    agreed: int

    @property
    def precision(self) -> float:
        return self.agreed / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.agreed / self.labelled if self.labelled else 1.0


def _terms(text: str, scheme: str = "AIRS") -> list[Term]:
    out = []
    for part in (p.strip() for p in text.split("|")):
        m = _CODE.match(part)
        if m:
            out.append(Term(scheme, m.group(1), m.group(2)))
        elif part:
            out.append(Term(scheme, "", part))
    return out


def read_sample(path: Path) -> list[dict[str, str]]:
    """The labelled rows of a sample CSV."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def score_rules(
    rules: DomainRules, rows: list[dict[str, str]], unmapped: str = "wraparound"
) -> tuple[dict[str, Score], list[tuple[dict[str, str], str, str]]]:
    """Per-domain scores, and the rows the rules got wrong (row, predicted, deciding rule).

    Unmatched rows count as ``unmapped`` (the importer keeps them as wraparound).
    """
    labelled, predicted, agreed = Counter(), Counter(), Counter()
    wrong = []
    for r in rows:
        d = rules.decide(_terms(r["terms"]), r["name"], r["description"])
        got, why = (d.domain, d.rule) if d else (unmapped, "no rule")
        labelled[r["label"]] += 1
        predicted[got] += 1
        if got == r["label"]:
            agreed[got] += 1
        else:
            wrong.append((r, got, why))
    domains = sorted(set(labelled) | set(predicted))
    scores = {d: Score(d, labelled[d], predicted[d], agreed[d]) for d in domains}
    return scores, wrong
