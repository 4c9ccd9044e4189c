"""The partner import format: one table per entity, its columns and their rules.

This is the single description of the format. The loader validates against it,
``gridvoices template`` writes headers and a README from it, and both stores
create their tables / constraints from the entity names here.

Lists inside a cell (a service's districts, its CHIME tags, a district's
borders) are separated by ``;``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gridvoices.ecosystem import vocab

__all__ = ["Column", "Entity", "ENTITIES", "ENTITY_ORDER", "PERIOD_RE", "LIST_SEP"]

LIST_SEP = ";"
# Quarters (2024-Q1), months (2024-03) or whole years (2024).
PERIOD_RE = re.compile(r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$")


@dataclass(frozen=True)
class Column:
    """One column of a partner file.

    ``type`` is one of: ``id``, ``text``, ``enum``, ``enum_list``, ``bool``,
    ``int``, ``float``, ``ref``, ``ref_list``, ``period``.
    """

    name: str
    type: str
    required: bool = True
    help: str = ""
    choices: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()  # entity names a ref column may point at
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Entity:
    name: str  # also the file stem: services -> services.csv
    label: str  # the Neo4j label and the view's node kind
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ("id",)
    help: str = ""
    is_node: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _enum(name, choices, help, required=True):
    return Column(name, "enum", required, help, tuple(choices))


_FLOW_ENDS = ("services", "groups")
# Where a service or group is (the map view): optional, WGS84 degrees. A town centre or the
# venue, never a person's address. Both coordinates or neither (checked in validation).
_PLACE = (
    Column(
        "latitude",
        "float",
        False,
        "Latitude in degrees (WGS84), e.g. 53.1387; blank if not known",
        minimum=-90,
        maximum=90,
    ),
    Column(
        "longitude",
        "float",
        False,
        "Longitude in degrees (WGS84), e.g. -1.5551; blank if not known",
        minimum=-180,
        maximum=180,
    ),
    Column("postcode", "text", False, "Postcode of the venue (not of a person), e.g. DE4 3AG"),
)

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "districts",
            "District",
            (
                Column("id", "id", help="ONS local authority code, e.g. E07000032"),
                Column("name", "text", help="District name"),
                Column(
                    "borders",
                    "ref_list",
                    False,
                    "ONS codes of the districts this one borders, separated by ';'",
                    refs=("districts",),
                ),
            ),
            help="Districts (areas). Borders are symmetric: listing one side is enough.",
        ),
        Entity(
            "organisations",
            "Organisation",
            (
                Column("id", "id", help="Stable organisation id"),
                Column("name", "text", help="Organisation name"),
                _enum("kind", vocab.ORG_KINDS, "Organisation kind"),
                Column("commissioned", "bool", help="Commissioned by the council: yes/no"),
            ),
            help="Organisations that run services.",
        ),
        Entity(
            "services",
            "Service",
            (
                Column("id", "id", help="Stable service id"),
                Column("name", "text", help="Service name"),
                Column(
                    "organisation",
                    "ref",
                    help="Id of the organisation that runs it",
                    refs=("organisations",),
                ),
                Column(
                    "districts",
                    "ref_list",
                    False,
                    "ONS codes of the districts it serves, separated by ';'",
                    refs=("districts",),
                ),
                _enum("domain", vocab.DOMAINS, "Recovery domain it serves"),
                Column(
                    "chime",
                    "enum_list",
                    False,
                    "CHIME tags, separated by ';'",
                    tuple(vocab.CHIME),
                ),
                Column("lived_experience_led", "bool", help="Led by people with lived experience"),
                Column("active", "bool", help="Currently running: yes/no"),
                *_PLACE,
            ),
            help="Services organisations run, somewhere.",
        ),
        Entity(
            "groups",
            "Group",
            (
                Column("id", "id", help="Stable group id"),
                Column("name", "text", help="Group (meeting) name"),
                _enum("fellowship", vocab.FELLOWSHIPS, "Fellowship"),
                Column("district", "ref", help="ONS code of its district", refs=("districts",)),
                _enum("cadence", vocab.CADENCES, "How often it meets", required=False),
                *_PLACE,
            ),
            help="Mutual-aid groups (AA, NA, CA, SMART Recovery, Al-Anon, other).",
        ),
        Entity(
            "navigators",
            "Navigator",
            (
                Column("id", "id", help="Pseudonymous id (never a person's name)"),
                _enum("role", vocab.NAVIGATOR_ROLES, "Role"),
                Column("lived_experience", "bool", help="Has lived experience of recovery"),
                Column(
                    "based_at",
                    "ref",
                    help="Id of the service or organisation they are based at",
                    refs=("services", "organisations"),
                ),
            ),
            help="Recovery navigators, peer mentors and recovery coaches, pseudonymous.",
        ),
        Entity(
            "referrals",
            "REFERS",
            (
                Column("source", "ref", help="Referring service or group id", refs=_FLOW_ENDS),
                Column("target", "ref", help="Receiving service or group id", refs=_FLOW_ENDS),
                Column("period", "period", help="Period: 2024-Q1, 2024-03 or 2024"),
                Column("count", "int", help="Number of referrals (integer >= 0)", minimum=0),
                Column(
                    "accepted",
                    "int",
                    False,
                    "How many were accepted (integer >= 0, at most count)",
                    minimum=0,
                ),
            ),
            key=("source", "target", "period"),
            help="Aggregate referral flows between services/groups. Never individual people.",
            is_node=False,
        ),
        Entity(
            "peer_links",
            "PEER_LINK",
            (
                Column(
                    "source",
                    "ref",
                    help="Navigator or group id",
                    refs=("navigators", "groups"),
                ),
                Column("target", "ref", help="Service or group id", refs=_FLOW_ENDS),
                _enum("kind", vocab.PEER_LINK_KINDS, "attends, mentors_at or links_with"),
                Column(
                    "strength",
                    "float",
                    False,
                    "Strength from 0 to 1 (blank = 1)",
                    minimum=0,
                    maximum=1,
                ),
            ),
            key=("source", "target", "kind"),
            help="Links that carry peer support.",
            is_node=False,
        ),
        Entity(
            "feedback",
            "Feedback",
            (
                Column(
                    "id",
                    "id",
                    help="Stable response id from your survey tool (never a name, email or phone)",
                ),
                Column(
                    "about", "ref", help="Service or group the feedback is about", refs=_FLOW_ENDS
                ),
                Column(
                    "about_to",
                    "ref",
                    False,
                    "For feedback about a referral or handover: the service or group it led to",
                    refs=_FLOW_ENDS,
                ),
                Column("period", "period", help="Period: 2024-Q1, 2024-03 or 2024"),
                _enum("giver", vocab.FEEDBACK_GIVERS, "Who gave it, as a category only"),
                Column(
                    "rating",
                    "int",
                    help="Rating from 1 (poor) to 5 (very good)",
                    minimum=1,
                    maximum=5,
                ),
                Column(
                    "chime",
                    "enum_list",
                    False,
                    "CHIME themes it speaks to, separated by ';'",
                    tuple(vocab.CHIME),
                ),
                Column(
                    "barrier",
                    "enum_list",
                    False,
                    "Barriers met, separated by ';'",
                    tuple(vocab.FEEDBACK_BARRIERS),
                ),
                Column(
                    "comment", "text", False, "Free-text comment (never shown below 5 comments)"
                ),
                _enum("channel", vocab.FEEDBACK_CHANNELS, "How it was collected"),
            ),
            help="Feedback from people in recovery, families, peer mentors and professionals "
            "about a service or group, or about a referral link between two. No identifiers of "
            "the people who gave it.",
        ),
    )
}

# Import order: referenced entities first.
ENTITY_ORDER: tuple[str, ...] = tuple(ENTITIES)
NODE_ENTITIES: tuple[str, ...] = tuple(n for n, e in ENTITIES.items() if e.is_node)
