"""Which recovery domain a directory service belongs to: scored rules a partner can read.

Rules come from ``taxonomy-domains.csv`` (``scheme,match,pattern,domain,note``).
Each service's text is cleaned first (HTML tags stripped, entities such as
``&amp;`` decoded, twice for double-encoded feeds), then:

* each taxonomy term takes the domain of the first ``code``/``term`` rule it
  matches (file order, so specific codes before their sections): 3 points;
  but a treatment term that is a side-line (under 3 in 10 of the
  service's own terms, target populations and counselling settings aside)
  counts 1, like a mention, unless the description's first sentence is about
  substances too; a practice presenting itself as mental health (name or
  opening, substance use not first) keeps its counselling settings in the
  count and is never rescued by its opening;
* a service without taxonomy terms (Open Referral UK list items): a treatment
  rule matching its description's first sentence counts 2, as a name would
  (unless that sentence names mental health first: a mixed practice);
* each ``name``/``text`` rule matching the service name: 2 points;
* each ``text`` rule matching the description: 1 point.

A domain counts each source once (its first, highest-precedence rule), so a
description that mentions "mutual aid" in passing (1) does not outweigh a
name that says "drug and alcohol service" (2) plus a term (3). The highest
score wins (a rule's optional ``weight`` column overrides its field's
weight for names and terms, and counts 2 in a description: a fellowship's
name is decisive in a service name); a tie goes
to the domain whose deciding rule comes first in the file; a total below 2
(a lone mention in a description) decides nothing. The decision names
that rule, so a partner can see why and correct it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from gridvoices.ecosystem import vocab
from gridvoices.ecosystem.issues import Issue
from gridvoices.ecosystem.shipped import MAPPINGS  # noqa: F401  (the doctest reads it)
from gridvoices.loaders.mapping_files import Term, read_rules, regex

__all__ = ["DomainRules", "Decision", "clean_text", "WEIGHTS", "SIDELINE_DOMAINS", "LEAD_DOMAINS"]

WEIGHTS = {"term": 3, "name": 2, "description": 1}
# Domains a service belongs to only when it is its main work, not one line of many:
# a hospital or a mental health centre lists a substance-use term among twenty
# others, while an activity or a housing service is still one when it is a side-line.
SIDELINE_DOMAINS = frozenset({"specialist_treatment"})
# Domains a description's first sentence decides (2, as a name) when a service has no
# taxonomy terms: a treatment service says so first ("We help with alcohol and drug
# problems"); leisure words there are often incidental ("a walk from St George's Park").
LEAD_DOMAINS = frozenset({"specialist_treatment"})
SIDELINE_SHARE = 0.3  # on the labelled sample 0.2 keeps mental health centres, 0.34 loses clinics
_TAG = re.compile(r"<[^>]+>")


def clean_text(text: object) -> str:
    """Plain text: entities decoded (twice, for double-encoded feeds), tags stripped.

    >>> clean_text("<p>Drug &amp;amp; Alcohol&nbsp;Service</p>")
    'Drug & Alcohol Service'
    """
    s = html.unescape(html.unescape(str(text or "")))
    return " ".join(_TAG.sub(" ", s).split())


def _weight(rule: _DomainRule) -> int:
    return WEIGHTS["term"] if rule.weight is None else rule.weight


_POPULATION = re.compile(r"Y[A-Z]?(-|$)")


def _is_population(t: Term) -> bool:
    """AIRS target-population terms (section Y: "Adults", "Veterans") say who, not what."""
    return bool(_POPULATION.match((t.code or t.id or "").strip().upper()))


# AIRS "Counseling Settings" (RF: individual, family, group, conjoint counselling) say
# how a practice counsels, not about what: a drug and alcohol clinic that also lists
# them is no less a clinic, so they do not dilute its treatment share.
_SETTING = re.compile(r"RF(-|$)")


def _is_setting(t: Term) -> bool:
    """AIRS counselling-setting terms (``RF-3300 Individual Counseling``).

    >>> _is_setting(Term("AIRS", "RF-3300", "Individual Counseling"))
    True
    >>> _is_setting(Term("AIRS", "RX-8450", "Substance Use Disorder Treatment Programs"))
    False
    """
    return bool(_SETTING.match((t.code or t.id or "").strip().upper()))


# What a treatment service's first sentence is about (its taxonomy term says treatment).
_SUBSTANCE = re.compile(
    r"\b(substance|drugs?|alcohol(ism)?|addictions?|opioids?|opiates?|detox\w*|gambling)\b",
    re.IGNORECASE,
)
# A mixed practice names mental health first ("a community behavioral health centre
# offering mental health and substance abuse services"): substance use is one of its
# lines, so its opening neither rescues a side-line term nor decides on its own.
_MENTAL = re.compile(
    r"\b(mental|behaviou?ral) health\b|\bpsychiatr\w*|\bpsycholog\w*", re.IGNORECASE
)


def _substance_first(text: str) -> bool:
    """Whether ``text`` names substance use, and before any mental health words.

    >>> _substance_first("Alcohol and drug treatment for adults with a mental health diagnosis")
    True
    >>> _substance_first("Mental health and substance abuse counseling for families")
    False
    """
    s = _SUBSTANCE.search(text)
    m = _MENTAL.search(text)
    return s is not None and (m is None or s.start() < m.start())


_LEAD_MAX = 160
_SENTENCE_END = re.compile(r"[.!?](\s|$)|\\n|\n")


def _lead_end(text: str) -> int:
    """Where a description's first sentence ends.

    >>> text = "We help with drug problems. We also run a cafe."
    >>> text[: _lead_end(text)]
    'We help with drug problems. '
    """
    m = _SENTENCE_END.search(text)
    # A directory entry that is one long list ("Activities, Sports ... Housing
    # Options ...") has no first sentence: only its opening words count.
    return min(m.end() if m else len(text), _LEAD_MAX)


@dataclass(frozen=True)
class Decision:
    """A domain, its score and the rule that decided (``taxonomy-domains.csv row 12: …``)."""

    domain: str
    score: int
    rule: str


@dataclass
class _DomainRule:
    row: int
    scheme: re.Pattern | None
    match: str
    pattern: re.Pattern | str
    domain: str
    note: str = ""
    weight: int | None = None  # the optional ``weight`` column: overrides the field's weight


class DomainRules:
    """Taxonomy term / keyword -> recovery domain, from ``taxonomy-domains.csv``."""

    MATCHES = ("code", "term", "name", "text")

    def __init__(self, rules: list[_DomainRule], label: str, min_score: int = 2):
        # A lone mention in a description (1 point) decides nothing: descriptions
        # list what else a service touches ("clients with drug and alcohol needs").
        self.rules, self.label, self.min_score = rules, label, min_score

    @classmethod
    def load(cls, path: Path) -> tuple[DomainRules, list[Issue]]:
        label = Path(path).name
        rows, issues = read_rules(path, ("scheme", "match", "pattern", "domain"))
        rules = []
        for r in rows:
            if r["match"] not in cls.MATCHES:
                msg = f"{r['match']!r} is not one of: {', '.join(cls.MATCHES)}"
                issues.append(Issue(label, r["_row"], "match", "bad-mapping", msg))
                continue
            if r["domain"] not in vocab.DOMAINS:
                msg = f"{r['domain']!r} is not one of: {', '.join(vocab.DOMAINS)}"
                issues.append(Issue(label, r["_row"], "domain", "bad-mapping", msg))
                continue
            scheme = None
            if r["scheme"]:
                scheme = regex(label, {**r, "scheme": f"(?:{r['scheme']})"}, "scheme", issues)
                if scheme is None:
                    continue
            if r["match"] == "code":
                pattern: re.Pattern | str | None = r["pattern"].upper().replace(" ", "")
            else:
                pattern = regex(label, r, "pattern", issues)
            weight = r.get("weight", "")
            if weight and not weight.isdigit():
                msg = f"weight {weight!r} is not a whole number; the field's weight is used"
                issues.append(Issue(label, r["_row"], "weight", "bad-mapping", msg, "warning"))
            if pattern:
                rule = _DomainRule(
                    r["_row"],
                    scheme,
                    r["match"],
                    pattern,
                    r["domain"],
                    r.get("note", ""),
                    int(weight) if weight.isdigit() else None,
                )
                rules.append(rule)
        return cls(rules, label), issues

    @staticmethod
    def _code_matches(prefix: str, code: str) -> bool:
        # "RX-8450" matches RX-8450, RX-8450.1000 and RX-8450.1000-100 but not RX-84501;
        # a letters-only prefix is an AIRS section ("H" covers "HH-0500").
        if prefix.endswith("*"):
            return code.startswith(prefix[:-1])
        if not code.startswith(prefix):
            return False
        rest = code[len(prefix) :]
        return not rest or rest[0] in ".-" or (prefix.isalpha() and rest[0].isalpha())

    def _term_matches(self, rule: _DomainRule, t: Term) -> bool:
        if rule.scheme is not None and not rule.scheme.fullmatch(t.scheme.strip()):
            return False
        if rule.match == "code":
            codes = {x.upper().replace(" ", "") for x in (t.code, t.id) if x}
            return any(self._code_matches(rule.pattern, c) for c in codes)
        return bool(rule.pattern.search(clean_text(t.name)))

    def _where(self, rule: _DomainRule, what: str) -> str:
        return f"{self.label} row {rule.row}: {what}"

    def decide(self, terms: list[Term], name: str, description: str) -> Decision | None:
        """The scored decision for a service, or None when no rule matches.

        >>> rules = DomainRules.load(MAPPINGS / "taxonomy-domains.csv")[0]
        >>> d = rules.decide([], "Drug &amp; Alcohol Service", "mutual aid groups too")
        >>> d.domain, d.score
        ('specialist_treatment', 2)
        """
        # domain -> (score, first deciding rule row, why)
        found: dict[str, list] = {}

        def hit(rule: _DomainRule, source: str, why: str, weight: int | None = None) -> None:
            # ``weight`` is given for a side-line term (1) and a lead sentence (2).
            if weight is None:
                weight = WEIGHTS[source]
                if rule.weight is not None:
                    # A description may only mention a fellowship ("we host AA meetings"):
                    # there a weighted rule counts as a name would (2), never decisively.
                    weight = rule.weight if source != "description" else WEIGHTS["name"]
            cur = found.get(rule.domain)
            if cur is None:
                found[rule.domain] = [weight, rule.row, self._where(rule, why), {source}]
            elif source not in cur[3]:  # each source (term, name, description) counts once
                cur[0] += weight
                cur[3].add(source)
                if rule.row < cur[1]:
                    cur[1], cur[2] = rule.row, self._where(rule, why)

        tax = [r for r in self.rules if r.match in ("code", "term")]
        own = [t for t in dict.fromkeys(terms) if not _is_population(t)]
        matched: dict[str, list[tuple[_DomainRule, Term]]] = {}
        for t in own:
            rule = next((r for r in tax if self._term_matches(r, t)), None)
            if rule is not None:
                matched.setdefault(rule.domain, []).append((rule, t))
        name, description = clean_text(name), clean_text(description)
        opening = description[: _lead_end(description)]
        # Counselling settings dilute nothing, except in a practice that presents itself
        # as mental health (name or opening) without putting substance use first: there
        # individual / family counselling is its main work and substance use one line.
        mixed = bool(_MENTAL.search(name) or _MENTAL.search(opening)) and not _substance_first(
            opening
        )
        topics = own if mixed else [t for t in own if not _is_setting(t)] or own
        for domain, pairs in matched.items():
            # The strongest term speaks for the domain (a weight-1 counselling code does
            # not drown a residential treatment code), then the earliest rule.
            rule, t = min(pairs, key=lambda p: (-_weight(p[0]), p[0].row))
            sideline = domain in SIDELINE_DOMAINS and len(pairs) < SIDELINE_SHARE * len(topics)
            if sideline and not _substance_first(opening):
                # A side-line: a community mental health centre or a hospital that lists
                # one substance-use term among many, and does not open with it, is not a
                # treatment provider; the term counts as a mention (1).
                hit(rule, "description", f"side-line term {t} ({len(pairs)} of {len(topics)})", 1)
            else:
                hit(rule, "term", f"term {t}")
        lead = len(opening) if not own else 0
        for field, text in (("name", name), ("description", description)):
            if not text:
                continue
            seen: set[str] = set()
            for rule in self.rules:
                if rule.domain in seen or rule.match not in ("name", "text"):
                    continue
                if field == "description" and rule.match == "name":
                    continue
                m = rule.pattern.search(text)
                if m:
                    seen.add(rule.domain)
                    if (
                        field == "description"
                        and m.start() < lead
                        and rule.domain in LEAD_DOMAINS
                        and rule.weight is None
                        and _substance_first(opening)
                    ):
                        # Without taxonomy terms (Open Referral UK list items carry none)
                        # the first sentence is the best evidence of what a service is.
                        hit(rule, field, f"lead sentence has {m.group(0)!r}", WEIGHTS["name"])
                    else:
                        hit(rule, field, f"{field} has {m.group(0)!r}")
        if not found:
            return None
        domain, (score, _, why, _) = min(found.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
        return Decision(domain, score, why) if score >= self.min_score else None

    def domain_for(self, terms: list[Term], name: str, description: str) -> tuple[str, str] | None:
        """(domain, why) for a service, or None when no rule matches."""
        d = self.decide(terms, name, description)
        return None if d is None else (d.domain, d.rule)
