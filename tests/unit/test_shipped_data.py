"""The shipped illustrative data set (data/derbyshire) loads cleanly and still has the structures
it was built to contain: a border barrier, an isolated service, a single bridge, missing domains
and a dead end.

The structures are checked with networkx directly on the CSVs, independently of the project's graph
code, so the data cannot silently lose what data/derbyshire/README.md says is planted in it.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from gridvoices.ecosystem.schema import ENTITIES
from gridvoices.ecosystem.vocab import COMMUNITY_DOMAINS, FELLOWSHIP_DOMAIN, ORG_KINDS

DATA = Path(__file__).resolve().parents[2] / "data" / "derbyshire"

AV, BO, CH, DD, ER, HP, NED, SD = (f"E0700003{i}" for i in range(2, 10))
DISTRICT_NAMES = {
    AV: "Amber Valley",
    BO: "Bolsover",
    CH: "Chesterfield",
    DD: "Derbyshire Dales",
    ER: "Erewash",
    HP: "High Peak",
    NED: "North East Derbyshire",
    SD: "South Derbyshire",
}
BORDERS = {
    frozenset(p)
    for p in [
        (AV, BO),
        (AV, DD),
        (AV, ER),
        (AV, NED),
        (AV, SD),
        (BO, CH),
        (BO, NED),
        (CH, NED),
        (DD, HP),
        (DD, NED),
        (DD, SD),
        (ER, SD),
    ]
}
BARRIER = frozenset((DD, HP))
ISOLATED = "svc-emp-bo"
BRIDGE = "svc-nav-sd"
SD_CLUSTER = {
    "svc-tx-sd",
    "svc-sd-hub",
    "svc-sd-vol",
    "svc-sd-learn",
    "svc-sd-advice",
    "grp-sd-aa-1",
    "grp-sd-aa-2",
    "grp-sd-na-1",
    "grp-sd-smart-1",
}
DEAD_END = "svc-housing-av"


def _split(cell: str) -> list[str]:
    return [p.strip() for p in cell.split(";") if p.strip()]


@pytest.fixture(scope="module")
def csv() -> dict[str, pd.DataFrame]:
    tables = {
        name: pd.read_csv(DATA / e.filename, dtype=str, keep_default_na=False)
        for name, e in ENTITIES.items()
    }
    tables["referrals"]["count"] = tables["referrals"]["count"].astype(int)
    return tables


@pytest.fixture(scope="module")
def node_districts(csv) -> dict[str, list[str]]:
    """Service or group id -> the districts it serves (all listed districts, in order)."""
    out = {r.id: _split(r.districts) for r in csv["services"].itertuples()}
    out.update({r.id: [r.district] for r in csv["groups"].itertuples()})
    return out


@pytest.fixture(scope="module")
def flows(csv) -> pd.DataFrame:
    """Referral rows that carried referrals (count > 0), in any period."""
    r = csv["referrals"]
    return r[r["count"] > 0]


@pytest.fixture(scope="module")
def referral_net(node_districts, flows) -> nx.Graph:
    """Undirected projection: every service and group; an edge wherever referrals flowed."""
    g = nx.Graph()
    g.add_nodes_from(node_districts)
    g.add_edges_from(zip(flows["source"], flows["target"], strict=True))
    return g


# --- it loads ---------------------------------------------------------------------------------


def test_every_partner_file_is_shipped():
    for e in ENTITIES.values():
        assert (DATA / e.filename).is_file(), e.filename
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "ILLUSTRATIVE" in readme and "INVENTED" in readme


def test_loads_and_validates_with_the_project_loader():
    from gridvoices.loaders.csvfiles import read_csv_tables
    from gridvoices.loaders.validate import validate_tables

    raw, issues = read_csv_tables([DATA])
    assert issues == []
    assert set(raw) == set(ENTITIES)
    report, typed = validate_tables(raw)
    assert report.valid, "\n".join(report.lines())
    assert len(typed["referrals"]) > 300


def test_districts_are_the_eight_with_real_borders(csv):
    d = csv["districts"]
    assert dict(zip(d["id"], d["name"], strict=True)) == DISTRICT_NAMES
    listed = {frozenset((r.id, b)) for r in d.itertuples() for b in _split(r.borders)}
    assert listed == BORDERS


def test_content_is_varied_and_pseudonymous(csv):
    assert set(csv["organisations"]["kind"]) == set(ORG_KINDS)
    assert {"AA", "NA", "CA", "SMART", "Al-Anon", "other"} <= set(csv["groups"]["fellowship"])
    assert csv["navigators"]["id"].str.fullmatch(r"nav-\d{2}").all()
    assert set(csv["navigators"]["role"]) == {"navigator", "peer_mentor", "coach"}
    services = csv["services"]
    assert (services["active"] == "no").sum() >= 1
    assert (services["lived_experience_led"] == "yes").sum() >= 1
    spoc = services[services["name"].str.contains("SPOC")]
    assert len(spoc) == 1
    r = csv["referrals"]
    assert set(r["period"]) == {"2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"}
    assert r["count"].between(1, 4).sum() > 0, "small counts exercise suppression"
    assert (r["count"] == 0).sum() > 0, "explicit nil returns"


# --- planted structures -----------------------------------------------------------------------


def test_border_barrier_high_peak(csv, node_districts, referral_net):
    hp_nodes = {n for n, ds in node_districts.items() if HP in ds}
    assert hp_nodes, "High Peak has services and groups"
    assert all(node_districts[n] == [HP] for n in hp_nodes), "no shared High Peak service"
    r = csv["referrals"]
    crossing = r[r["source"].isin(hp_nodes) != r["target"].isin(hp_nodes)]
    assert crossing.empty, "no referral row (not even a 0) crosses into or out of High Peak"
    # High Peak is a component of its own, and refers among itself.
    assert nx.node_connected_component(referral_net, "svc-tx-hp") == hp_nodes
    # Peer links stay inside High Peak too.
    nav = csv["navigators"]
    hp_navs = set(nav.loc[nav["based_at"].isin(hp_nodes), "id"])
    pl = csv["peer_links"]
    inside = pl["source"].isin(hp_nodes | hp_navs)
    assert (inside == pl["target"].isin(hp_nodes)).all()


@pytest.mark.parametrize("first_only", [False, True], ids=["all-districts", "first-district"])
def test_every_other_bordering_pair_has_flow(node_districts, flows, first_only):
    def where(n):
        ds = node_districts[n]
        return ds[:1] if first_only else ds

    crossed = {
        frozenset((a, b))
        for s, t in zip(flows["source"], flows["target"], strict=True)
        for a in where(s)
        for b in where(t)
        if a != b
    }
    assert BORDERS - crossed == {BARRIER}


def test_isolated_service(csv, referral_net):
    s = csv["services"].set_index("id")
    assert s.loc[ISOLATED, "active"] == "yes"
    r, pl = csv["referrals"], csv["peer_links"]
    assert not ((r["source"] == ISOLATED) | (r["target"] == ISOLATED)).any()
    no_link = not ((pl["source"] == ISOLATED) | (pl["target"] == ISOLATED)).any()
    assert no_link, "no peer link either"
    assert [n for n in referral_net if referral_net.degree(n) == 0] == [ISOLATED]


def test_single_bridge(csv, referral_net):
    assert set(nx.articulation_points(referral_net)) == {BRIDGE, "svc-tx-sd"}
    assert {frozenset(b) for b in nx.bridges(referral_net)} == {frozenset((BRIDGE, "svc-tx-sd"))}
    cut = referral_net.copy()
    cut.remove_node(BRIDGE)
    assert nx.node_connected_component(cut, "svc-tx-sd") == SD_CLUSTER
    assert "svc-spoc" not in SD_CLUSTER
    # Navigators and peer links do not route around it either.
    full = referral_net.copy()
    nav = csv["navigators"]
    full.add_edges_from(zip(nav["id"], nav["based_at"], strict=True))
    full.add_edges_from(zip(csv["peer_links"]["source"], csv["peer_links"]["target"], strict=True))
    full.remove_node(BRIDGE)
    reach = nx.node_connected_component(full, "svc-tx-sd")
    assert reach & set(referral_net) == SD_CLUSTER


def test_bridge_holds_in_every_quarter(flows):
    for period, df in flows.groupby("period"):
        g = nx.Graph(zip(df["source"], df["target"], strict=True))
        g.remove_node(BRIDGE)
        assert nx.node_connected_component(g, "svc-tx-sd") == SD_CLUSTER, period


def test_missing_domains(csv):
    covered: dict[str, set[str]] = {d: set() for d in DISTRICT_NAMES}
    for r in csv["services"].itertuples():
        if r.active == "yes":
            for d in _split(r.districts):
                covered[d].add(r.domain)
    for r in csv["groups"].itertuples():
        covered[r.district].add(FELLOWSHIP_DOMAIN[r.fellowship])
    missing = {d: set(COMMUNITY_DOMAINS) - c for d, c in covered.items()}
    assert missing[BO] == {"volunteering", "growth_pathways"}
    assert all(not m for d, m in missing.items() if d != BO)
    # The inactive Bolsover volunteering service exists but does not count.
    s = csv["services"]
    inactive_bo = s[(s["active"] == "no") & s["districts"].str.contains(BO)]
    assert "volunteering" in set(inactive_bo["domain"])


def test_dead_end(csv, flows):
    assert (flows["target"] == DEAD_END).sum() >= 4
    assert not (csv["referrals"]["source"] == DEAD_END).any()
    assert set(flows["target"]) - set(flows["source"]) == {DEAD_END}


def test_main_component_is_large(referral_net):
    sizes = sorted((len(c) for c in nx.connected_components(referral_net)), reverse=True)
    assert sizes[0] >= 0.8 * referral_net.number_of_nodes()
