"""Voices: feedback validation, identifier stripping, suppression, survey mapping."""

from __future__ import annotations

import json

import pytest
from gridvoices.ecosystem.issues import ImportRejected
from gridvoices.queries.barriers.forms import barriers
from gridvoices.queries.feedback import feedback_summary
from gridvoices.queries.graph import build_graph
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_feedback, import_paths, validate_paths
from gridvoices.visualise.render import shown
from typer.testing import CliRunner

from gridvoices.cli.main import app
from tests.conftest import DERBYSHIRE, FIXTURES

SURVEY = FIXTURES / "survey"


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "gridvoices.sqlite")
    import_paths(s, [DERBYSHIRE])
    yield s
    s.close()


def _feedback_csv(
    tmp_path, rows, header="id,about,about_to,period,giver,rating,chime,barrier,comment,channel"
):
    d = tmp_path / "fb"
    d.mkdir(exist_ok=True)
    (d / "feedback.csv").write_text(header + "\n" + "\n".join(rows) + "\n")
    return d


def test_rating_out_of_range_and_unknown_barrier(store, tmp_path):
    d = _feedback_csv(
        tmp_path,
        [
            "x1,svc-hub-ch,,2024-Q1,person_in_recovery,6,,,,survey",
            "x2,svc-hub-ch,,2024-Q1,person_in_recovery,4,,bad bus,,survey",
        ],
    )
    with pytest.raises(ImportRejected) as e:
        import_paths(store, [d])
    lines = e.value.report.lines()
    assert "feedback.csv:2:rating: 6 is above the maximum 5" in lines
    assert any(line.startswith("feedback.csv:3:barrier: 'bad bus' not one of") for line in lines)


def test_identifying_columns_and_text_are_stripped(store, tmp_path):
    d = _feedback_csv(
        tmp_path,
        ["x1,svc-hub-ch,,2024-Q1,family,4,,,write to me: jo@example.org,survey,Jo Bloggs"],
        header="id,about,about_to,period,giver,rating,chime,barrier,comment,channel,full name",
    )
    result = import_paths(store, [d])
    lines = result.report.lines()
    assert (
        "feedback.csv:1:full name: warning: column 'full name' looks like it identifies a "
        "person; it was not stored"
    ) in lines
    assert "feedback.csv:2:comment: warning: an email address was removed" in lines
    stored = store.read()["feedback"].set_index("id").loc["x1"]
    assert stored["comment"] == "write to me: [email removed]"
    assert "Jo Bloggs" not in store.path.read_bytes().decode("latin-1")


def test_a_service_with_three_responses_shows_a_star():
    report, t = validate_paths([DERBYSHIRE])
    rows = {r["id"]: r for r in shown(feedback_summary(build_graph(t)))["services"]}
    assert rows["svc-sd-advice"]["responses"] == "*"
    assert rows["svc-sd-advice"]["mean_rating"] == "*"
    assert isinstance(rows["svc-hub-ch"]["responses"], int)


def test_planted_barrier_is_felt():
    _, t = validate_paths([DERBYSHIRE])
    top = barriers(build_graph(t))["borders"][0]
    assert top["felt"] and top["reported"] >= 5
    assert "people feel it" in top["why"]


def test_survey_import_through_mapping(store):
    r = import_feedback(store, SURVEY / "survey.csv", SURVEY / "map.toml")
    assert r.rows == {"feedback": 5}
    warned = [str(i) for i in r.report.warnings]
    assert any("'your name' looks like it identifies a person" in w for w in warned)
    assert any("'email address' looks like it identifies a person" in w for w in warned)
    assert any("a phone number was removed" in w for w in warned)
    fb = store.read()["feedback"].set_index("id")
    assert fb.loc["r-003", "barrier"] == ["too_far", "waiting_time"]
    assert fb.loc["r-001", "chime"] == ["hope", "connection"]
    assert fb.loc["r-002", "giver"] == "family"
    assert "07700" not in fb.loc["r-003", "comment"]
    # Re-importing the same export changes nothing.
    before = store.read()["feedback"].to_dict("records")
    import_feedback(store, SURVEY / "survey.csv", SURVEY / "map.toml")
    assert store.read()["feedback"].to_dict("records") == before


def test_survey_errors_name_the_survey_column(store, tmp_path):
    text = (SURVEY / "survey.csv").read_text().replace("I am in recovery,5", "I am in recovery,9")
    (tmp_path / "s.csv").write_text(text)
    before = store.read()["feedback"].to_dict("records")
    with pytest.raises(ImportRejected) as e:
        import_feedback(store, tmp_path / "s.csv", SURVEY / "map.toml")
    assert "s.csv:2:Overall rating (rating): 9 is above the maximum 5" in e.value.report.lines()
    assert store.read()["feedback"].to_dict("records") == before


def test_cli_import_feedback_and_summary(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDVOICES_WORKSPACE", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(DERBYSHIRE), "-q"]).exit_code == 0
    r = runner.invoke(
        app, ["import-feedback", str(SURVEY / "survey.csv"), "-m", str(SURVEY / "map.toml")]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["feedback", "--by", "districts", "--json"])
    hp = next(x for x in json.loads(r.stdout) if x["name"] == "High Peak")
    assert "too_far" in hp["top_barriers"]


def test_link_ratings_weight_the_analyses_on_request():
    from gridvoices.queries.contagion.report import contagion_report
    from gridvoices.queries.feedback import weight_by_link_ratings

    _, t = validate_paths([DERBYSHIRE])
    G = build_graph(t)
    H = weight_by_link_ratings(G)
    cold = ("svc-probation", "svc-housing-av")
    assert H.edges[cold]["referrals"] < G.edges[cold]["referrals"]
    assert H.edges[cold]["link_rating"] < 4
    assert G.edges[cold].get("link_rating") is None  # the original is untouched
    plain = contagion_report(G, runs=300)["nodes"]
    rated = contagion_report(G, runs=300, weight_by_feedback=True)["nodes"]
    p = {r["id"]: r["probability"] for r in plain}
    q = {r["id"]: r["probability"] for r in rated}
    assert q["svc-housing-av"] <= p["svc-housing-av"]
    assert barriers(G, weight_by_feedback=True)["borders"][0]["felt"]
