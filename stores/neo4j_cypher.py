"""The Cypher the Neo4j store runs: one constant per statement, values only as ``$parameters``.

Labels and relationship types are fixed here, never taken from input (see
:mod:`gridvoices.stores.neo4j_store` for the graph model).
"""

from __future__ import annotations

import pandas as pd
from gridvoices.stores import neo4j_bulk as bulk
from gridvoices.stores.neo4j_links import link_clause, unlink

__all__ = [
    "WRITE",
    "READ",
    "REBUILD_BORDERS",
    "STALE_REFERRALS",
    "relinked",
    "stale_referrals",
    "STALE_PEER_LINKS",
    "STILL_REFERENCED",
    "DELETE_STALE",
    "RECORD_SOURCE",
    "SOURCES",
    "EXISTING_IDS",
    "REL_TABLE",
    "rows_for",
    "referral_rows",
]

WRITE = {
    "districts": """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n:District, n._source = $src, n._import = $imp, n.name = row.name, n.borders = row.borders
""",
    "organisations": """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n:Organisation, n._source = $src, n._import = $imp, n.name = row.name, n.kind = row.kind,
    n.commissioned = row.commissioned
""",
    "services": """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n:Service, n._source = $src, n._import = $imp, n.name = row.name,
    n.organisation = row.organisation,
    n.districts = row.districts, n.domain = row.domain, n.chime = row.chime,
    n.lived_experience_led = row.lived_experience_led, n.active = row.active,
    n.latitude = row.latitude, n.longitude = row.longitude, n.postcode = row.postcode
WITH n, row
CALL (n) { MATCH (n)-[old:RUN_BY|IN_DISTRICT]->() DELETE old }
WITH n, row
MATCH (o:Entity {id: row.organisation})
MERGE (n)-[:RUN_BY]->(o)
WITH n, row
UNWIND row.districts AS d
MATCH (dd:Entity {id: d})
MERGE (n)-[:IN_DISTRICT]->(dd)
""",
    "groups": """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n:Group, n._source = $src, n._import = $imp, n.name = row.name, n.fellowship = row.fellowship,
    n.district = row.district, n.cadence = row.cadence,
    n.latitude = row.latitude, n.longitude = row.longitude, n.postcode = row.postcode
WITH n, row
CALL (n) { MATCH (n)-[old:IN_DISTRICT]->() DELETE old }
WITH n, row
MATCH (d:Entity {id: row.district})
MERGE (n)-[:IN_DISTRICT]->(d)
""",
    "navigators": """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n:Navigator, n._source = $src, n._import = $imp, n.role = row.role,
    n.lived_experience = row.lived_experience,
    n.based_at = row.based_at
WITH n, row
CALL (n) { MATCH (n)-[old:BASED_AT]->() DELETE old }
WITH n, row
MATCH (b:Entity {id: row.based_at})
MERGE (n)-[:BASED_AT]->(b)
""",
    "referrals": """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
MERGE (a)-[r:REFERS]->(b)
WITH a, b, r, row, coalesce(r.periods, []) AS ps
WITH a, b, r, row, [i IN range(0, size(ps) - 1) WHERE NOT ps[i] IN row.periods] AS keep
SET r.periods = [i IN keep | r.periods[i]] + row.periods,
    r.counts = [i IN keep | r.counts[i]] + row.counts,
    r.accepted = [i IN keep | r.accepted[i]] + row.accepted,
    r.sources = [i IN keep | r.sources[i]] + [p IN row.periods | $src],
    r.imports = [i IN keep | r.imports[i]] + [p IN row.periods | $imp]
SET r.total = reduce(s = 0, c IN r.counts | s + c)
""",
    "feedback": """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n:Feedback, n._source = $src, n._import = $imp, n.about = row.about,
    n.about_to = row.about_to, n.period = row.period, n.giver = row.giver,
    n.rating = row.rating, n.chime = row.chime, n.barrier = row.barrier,
    n.comment = row.comment, n.channel = row.channel
WITH n, row
CALL (n) { MATCH (n)-[old:ABOUT|ABOUT_TO]->() DELETE old }
WITH n, row
MATCH (a:Entity {id: row.about})
MERGE (n)-[:ABOUT]->(a)
WITH n, row WHERE row.about_to IS NOT NULL
MATCH (b:Entity {id: row.about_to})
MERGE (n)-[:ABOUT_TO]->(b)
""",
    "peer_links": """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
MERGE (a)-[r:PEER_LINK {kind: row.kind}]->(b)
SET r.strength = row.strength, r._source = $src, r._import = $imp
""",
}

# Borders are derived from every district's list, so either side may list a pair.
REBUILD_BORDERS = """
MATCH (:District)-[old:BORDERS]-(:District) DELETE old
WITH count(*) AS _
MATCH (a:District)
UNWIND a.borders AS code
MATCH (b:Entity {id: code}) WHERE b:District AND b <> a
MERGE (a)-[:BORDERS]-(b)
"""

READ = {
    "districts": "MATCH (n:District) RETURN n.id AS id, n.name AS name, n.borders AS borders",
    "organisations": "MATCH (n:Organisation) RETURN n.id AS id, n.name AS name, n.kind AS kind, "
    "n.commissioned AS commissioned",
    "services": "MATCH (n:Service) RETURN n.id AS id, n.name AS name, "
    "n.organisation AS organisation, n.districts AS districts, n.domain AS domain, "
    "n.chime AS chime, n.lived_experience_led AS lived_experience_led, n.active AS active, "
    "n.latitude AS latitude, n.longitude AS longitude, n.postcode AS postcode",
    "groups": "MATCH (n:Group) RETURN n.id AS id, n.name AS name, n.fellowship AS fellowship, "
    "n.district AS district, n.cadence AS cadence, "
    "n.latitude AS latitude, n.longitude AS longitude, n.postcode AS postcode",
    "navigators": "MATCH (n:Navigator) RETURN n.id AS id, n.role AS role, "
    "n.lived_experience AS lived_experience, n.based_at AS based_at",
    "referrals": """
MATCH (a)-[r:REFERS]->(b)
UNWIND range(0, size(r.periods) - 1) AS i
RETURN a.id AS source, b.id AS target, r.periods[i] AS period, r.counts[i] AS count,
       CASE WHEN r.accepted[i] < 0 THEN null ELSE r.accepted[i] END AS accepted
""",
    "peer_links": "MATCH (a)-[r:PEER_LINK]->(b) RETURN a.id AS source, b.id AS target, "
    "r.kind AS kind, r.strength AS strength",
    "feedback": "MATCH (n:Feedback) RETURN n.id AS id, n.about AS about, n.about_to AS about_to, "
    "n.period AS period, n.giver AS giver, n.rating AS rating, n.chime AS chime, "
    "n.barrier AS barrier, n.comment AS comment, n.channel AS channel",
}

# Re-importing a source: drop its flow entries and peer links the new import did not
# contain, check nothing else refers to its stale nodes, then delete them.
STALE_REFERRALS = """
MATCH (a)-[r:REFERS]->(b) WHERE $src IN r.sources
WITH a, b, r, [i IN range(0, size(r.periods) - 1)
               WHERE NOT (r.sources[i] = $src AND r.imports[i] <> $imp)] AS keep
SET r.periods = [i IN keep | r.periods[i]], r.counts = [i IN keep | r.counts[i]],
    r.accepted = [i IN keep | r.accepted[i]], r.sources = [i IN keep | r.sources[i]],
    r.imports = [i IN keep | r.imports[i]]
SET r.total = reduce(s = 0, c IN r.counts | s + c)
"""
_DROP_EMPTY = """
WITH r WHERE size(r.periods) = 0
DELETE r
"""


def relinked(statement: str, periods) -> str:
    """``statement`` (ending with pair ``a``-[``r``]->``b`` rewritten) followed by the
    pair's per-period links made again from its lists (:mod:`.neo4j_links`)."""
    if not set(periods):  # a store without links (neo4j_write.RELINK_MAX) gets none
        return statement
    tail = link_clause(periods, "a", "b", "r.periods", "r.counts")
    return f"{statement}WITH a, b, r\n{unlink(periods, 'a', 'b')}\n{tail}\n"


def stale_referrals(periods) -> str:
    """STALE_REFERRALS with the touched pairs relinked; emptied REFERS then deleted."""
    return relinked(STALE_REFERRALS, periods) + "WITH r" + _DROP_EMPTY


STALE_PEER_LINKS = """
MATCH ()-[r:PEER_LINK {_source: $src}]->() WHERE r._import <> $imp DELETE r
"""

_STALE = "(x._source = $src AND x._import <> $imp)"
STILL_REFERENCED = f"""
MATCH (n:Entity {{_source: $src}}) WHERE n._import <> $imp
CALL (n) {{
  MATCH (m)-[r:RUN_BY|IN_DISTRICT|BASED_AT|REFERS|PEER_LINK|ABOUT|ABOUT_TO]->(n)
  WHERE NOT {_STALE.replace("x.", "m.")}
  RETURN m.id AS ref, type(r) AS how
  UNION
  MATCH (n)-[r:REFERS|PEER_LINK]->(m)
  RETURN m.id AS ref, type(r) AS how
  UNION
  MATCH (m:District) WHERE n.id IN m.borders AND NOT {_STALE.replace("x.", "m.")}
  RETURN m.id AS ref, 'BORDERS' AS how
}}
RETURN CASE WHEN n:District THEN 'districts' WHEN n:Organisation THEN 'organisations'
            WHEN n:Service THEN 'services' WHEN n:Group THEN 'groups'
            WHEN n:Feedback THEN 'feedback' ELSE 'navigators' END AS entity, n.id AS id, how, ref
ORDER BY id, ref
LIMIT 20
"""

DELETE_STALE = """
MATCH (n:Entity {_source: $src}) WHERE n._import <> $imp DETACH DELETE n
"""

RECORD_SOURCE = """
MERGE (s:Source {name: $src})
SET s.format = $format, s.imported_at = $at, s.import_id = $imp
"""

SOURCES = """
MATCH (s:Source)
CALL (s) {
  MATCH (n:Entity {_source: s.name})
  RETURN collect(CASE WHEN n:District THEN 'districts' WHEN n:Organisation THEN 'organisations'
                 WHEN n:Service THEN 'services' WHEN n:Group THEN 'groups'
                 WHEN n:Feedback THEN 'feedback' ELSE 'navigators' END) AS kinds
}
CALL (s) {
  MATCH ()-[r:REFERS]->() WHERE s.name IN r.sources
  RETURN sum(size([x IN r.sources WHERE x = s.name])) AS referrals
}
CALL (s) { MATCH ()-[r:PEER_LINK {_source: s.name}]->() RETURN count(r) AS peer_links }
RETURN s.name AS source, s.format AS format, s.imported_at AS imported_at, kinds,
       referrals, peer_links
ORDER BY source
"""

REL_TABLE = {
    "RUN_BY": "services",
    "IN_DISTRICT": "services/groups",
    "BASED_AT": "navigators",
    "REFERS": "referrals",
    "PEER_LINK": "peer_links",
    "BORDERS": "districts",
    "ABOUT": "feedback",
    "ABOUT_TO": "feedback",
}

EXISTING_IDS = """
MATCH (n:Entity)
RETURN n.id AS id,
       CASE WHEN n:District THEN 'districts' WHEN n:Organisation THEN 'organisations'
            WHEN n:Service THEN 'services' WHEN n:Group THEN 'groups'
            WHEN n:Navigator THEN 'navigators' WHEN n:Feedback THEN 'feedback' END AS entity
"""


def rows_for(name: str, df: pd.DataFrame) -> list[dict]:
    cols = bulk.column_lists(name, df)
    names = list(cols)
    return [dict(zip(names, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]


def referral_rows(df: pd.DataFrame) -> list[dict]:
    """Group flow rows by ordered pair: one row per pair with parallel period lists."""
    c = bulk.pair_columns(df)
    f = c["first"]
    return [
        {
            "source": s,
            "target": t,
            "periods": c["period"][f[i] : f[i + 1]],
            "counts": c["count"][f[i] : f[i + 1]],
            "accepted": c["accepted"][f[i] : f[i + 1]],
        }
        for i, (s, t) in enumerate(zip(c["source"], c["target"], strict=True))
    ]
