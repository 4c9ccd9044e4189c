"""Faults on the embedded store: kill -9, SIGINT and SIGTERM at every point of an import,
two imports at once, an import racing a source replacement, a reader during a write.

After each: the integrity check finds nothing, and the store equals, exactly, a clean
reference of before or after the import (never anything in between).
"""

from __future__ import annotations

import random
import signal
import time

import pytest
from gridvoices.ecosystem.issues import ImportRejected
from gridvoices.loaders.generate import write_ecosystem
from gridvoices.stores import outcome
from gridvoices.stores.check import check
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths, validate_paths

from tests.faults.harness import POINTS_EMBEDDED, Child, snapshot

SEED = 15


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Source A (the store before) and B (a replacement of A: other values, fewer services)."""
    root = tmp_path_factory.mktemp("faults")
    a = write_ecosystem(root / "a", 60, 600, seed=1)
    b = write_ecosystem(root / "b", 50, 600, seed=2)
    refs = {}
    with SQLiteStore(root / "ref" / "g.sqlite") as s:
        import_paths(s, [a], source_name="partners")
        refs["before"] = snapshot(s)
        import_paths(s, [b], source_name="partners")
        refs["after"] = snapshot(s)
    assert refs["before"] != refs["after"]
    return {"a": a, "b": b, "root": root, **refs}


def _workspace(data, tmp_path):
    ws = tmp_path / "ws"
    with SQLiteStore(ws / "gridvoices.sqlite") as s:
        import_paths(s, [data["a"]], source_name="partners")
    return ws


def _state(data, ws) -> str:
    with SQLiteStore(ws / "gridvoices.sqlite") as s:
        assert check(s) == []
        snap = snapshot(s)
    assert snap in (data["before"], data["after"]), "the store is neither before nor after"
    return "after" if snap == data["after"] else "before"


def _import_args(data, ws, which="b", *extra):
    return ["import", str(data[which]), "-w", str(ws), "--source", "partners", "-q", *extra]


@pytest.mark.parametrize("point", POINTS_EMBEDDED)
def test_kill_9_at_every_point(data, tmp_path, point, trials):
    ws = _workspace(data, tmp_path)
    child = Child(tmp_path / "c", _import_args(data, ws), point)
    assert child.wait_paused()
    child.signal(signal.SIGKILL)
    assert child.finish()[0] == -signal.SIGKILL
    state = _state(data, ws)
    assert state == ("after" if point == "post-commit" else "before")
    # The killed import left nothing in the way: the next one runs and gives the reference.
    with SQLiteStore(ws / "gridvoices.sqlite") as s:
        import_paths(s, [data["b"]], source_name="partners")
        assert snapshot(s) == data["after"] and check(s) == []
    trials("embedded: kill -9 at a point of an import", True)


@pytest.mark.parametrize(
    ("point", "sig"),
    [(p, signal.SIGINT) for p in POINTS_EMBEDDED] + [("pre-commit", signal.SIGTERM)],
)
def test_interrupt_at_every_point(data, tmp_path, point, sig, trials):
    ws = _workspace(data, tmp_path)
    child = Child(tmp_path / "c", _import_args(data, ws), point)
    assert child.wait_paused()
    child.signal(sig)
    code, out, err = child.finish()
    state = _state(data, ws)
    assert code == 130, err
    expected = outcome.STORED if state == "after" else outcome.NOTHING
    assert err.strip() == expected  # one line, no traceback, and it tells the truth
    assert state == ("after" if point == "post-commit" else "before")
    trials(f"embedded: {signal.Signals(sig).name} at a point of an import", True)


def test_kill_9_and_sigint_at_random_moments(data, tmp_path, trials):
    rng = random.Random(SEED)
    start = time.monotonic()
    whole = Child(tmp_path / "timing", _import_args(data, _workspace(data, tmp_path / "t")), None)
    assert whole.finish()[0] == 0
    span = time.monotonic() - start
    for i in range(2):
        ws = _workspace(data, tmp_path / f"r{i}")
        sig = signal.SIGKILL if i % 2 == 0 else signal.SIGINT
        child = Child(tmp_path / f"c{i}", _import_args(data, ws), None)
        time.sleep(rng.uniform(0.3, span))
        child.proc.send_signal(sig)
        code, _, err = child.finish()
        state = _state(data, ws)
        assert "Traceback" not in err
        if sig == signal.SIGINT and code == 130:
            assert err.strip() == (outcome.STORED if state == "after" else outcome.NOTHING)
        else:
            assert code in (-sig, 0)  # 0: it had finished before the signal
        trials("embedded: kill -9 / SIGINT at a random moment", True)


def test_two_imports_take_turns(data, tmp_path, trials):
    ws = _workspace(data, tmp_path)
    first = Child(tmp_path / "c1", _import_args(data, ws), "upsert:services")
    assert first.wait_paused()  # it holds the lock, mid-transaction
    refused = Child(tmp_path / "c2", _import_args(data, ws, "a"), None)
    code, _, err = refused.finish()
    assert code == 1
    assert "is being written by pid" in err and "--wait" in err and "Traceback" not in err
    queued = Child(
        tmp_path / "c3",
        _import_args(data, ws, "a", "--source", "partners"),
        None,
        env={"GRIDVOICES_WAIT": "forever"},
    )
    time.sleep(1.0)  # let it reach the lock; it must queue, not fail
    assert queued.proc.poll() is None
    first.resume()
    assert first.finish()[0] == 0
    assert queued.finish()[0] == 0
    # B then A again, in turn: the store holds A exactly (the first import replaced, then back).
    assert _state(data, ws) == "before"
    trials("embedded: two imports at once (one refused, one queued)", True)


def test_reader_during_a_write_sees_the_last_commit(data, tmp_path, trials):
    ws = _workspace(data, tmp_path)
    writer = Child(tmp_path / "w", _import_args(data, ws), "pre-commit")
    assert writer.wait_paused()  # everything written, not committed, lock and txn held
    with SQLiteStore(ws / "gridvoices.sqlite") as reader:
        assert snapshot(reader) == data["before"]  # no waiting, no half-written state
        assert check(reader) == []
    writer.resume()
    assert writer.finish()[0] == 0
    assert _state(data, ws) == "after"
    trials("embedded: reader during a write", True)


def _links_into(tmp_path, services: list[str]):
    """A second source: peer links from its own navigator to ``services`` of source A."""
    d = tmp_path / "links"
    d.mkdir()
    (d / "navigators.csv").write_text(
        f"id,role,lived_experience,based_at\nNX,navigator,yes,{services[0]}\n"
    )
    rows = "".join(f"NX,{s},links_with,\n" for s in services)
    (d / "peer_links.csv").write_text("source,target,kind,strength\n" + rows)
    return d


@pytest.mark.parametrize("first", ["links", "replacement"])
def test_import_racing_a_source_replacement(data, tmp_path, first, trials):
    ws = _workspace(data, tmp_path)
    with SQLiteStore(ws / "gridvoices.sqlite") as s:
        before = set(s.existing_ids()["services"])
    with SQLiteStore(data["root"] / "ref" / "g.sqlite") as s:
        after = set(s.existing_ids()["services"])
    gone = sorted(before - after)[:5]  # services the replacement removes
    assert gone
    links = _links_into(tmp_path, gone)
    link_args = ["import", str(links), "-w", str(ws), "--source", "links", "-q"]
    a, b = (
        (link_args, _import_args(data, ws))
        if first == "links"
        else (_import_args(data, ws), link_args)
    )
    one = Child(tmp_path / "c1", a, "validated")  # validated, lock held, not written
    assert one.wait_paused()
    two = Child(tmp_path / "c2", b, None, env={"GRIDVOICES_WAIT": "forever"})
    time.sleep(1.0)
    one.resume()
    assert one.finish()[0] == 0
    code, out, err = two.finish()
    assert code == 2 and "Traceback" not in err  # refused: validated after the first commit
    assert ("still refers" in out) if first == "links" else ("not a known" in out)
    with SQLiteStore(ws / "gridvoices.sqlite") as s:
        assert check(s) == []  # no reference to a service that is gone
    trials("embedded: an import racing a source replacement", True)


def test_write_rechecks_references_inside_its_transaction(data, tmp_path, trials):
    """Validated against the store as it was, written after another import removed the
    services it names: the write transaction itself refuses it."""
    ws = _workspace(data, tmp_path)
    with SQLiteStore(ws / "gridvoices.sqlite") as s:
        gone = sorted(set(s.existing_ids()["services"]) - _ids_after(data))[:3]
        links = _links_into(tmp_path, gone)
        report, typed = validate_paths([links], s)  # valid now
        assert report.valid
        import_paths(s, [data["b"]], source_name="partners")  # removes them
        with pytest.raises(ImportRejected) as refused:
            s.write(typed)
        issues = refused.value.report.issues
        assert len(issues) == 1 + len(gone)  # the navigator's base and each peer link
        assert all("is no longer stored" in i.message for i in issues)
        assert check(s) == [] and snapshot(s) == data["after"]
    trials("embedded: write re-checks references in its transaction", True)


def _ids_after(data) -> set[str]:
    with SQLiteStore(data["root"] / "ref" / "g.sqlite") as s:
        return set(s.existing_ids()["services"])
