"""Every partner format imports into Neo4j and the embedded store with identical results."""

from __future__ import annotations

import pytest
from gridvoices.loaders.excel import write_workbook
from gridvoices.stores.sqlite_store import SQLiteStore
from gridvoices.stores.store import import_paths

from tests.conftest import FIXTURES, SHARED_HSDS

pytestmark = pytest.mark.neo4j


def _workbook(tmp_path):
    from tests.unit.test_excel import derbyshire_strings

    return write_workbook(tmp_path / "partners.xlsx", derbyshire_strings())


CASES = {
    "hsds-1.1": lambda tmp: SHARED_HSDS / "hsds-1.1-sample-datapackage" / "simple",
    "hsds-3.0-csv": lambda tmp: SHARED_HSDS / "hsds-3.0-spec-examples" / "csv",
    "oruk-3.0-json": lambda tmp: SHARED_HSDS / "oruk-3.0-api-mocks" / "test",
    "hsds-2.0-derbyshire": lambda tmp: FIXTURES / "hsds" / "derbyshire-2.0",
    "oruk-v1": lambda tmp: FIXTURES / "hsds" / "oruk1",
    "meeting-guide": lambda tmp: FIXTURES / "meetings" / "derbyshire-aa.json",
    "xlsx": _workbook,
}


@pytest.mark.parametrize("name", list(CASES))
def test_format_imports_identically(neo4j, tmp_path, name):
    path = CASES[name](tmp_path)
    if str(path).startswith(str(SHARED_HSDS)) and not SHARED_HSDS.is_dir():
        pytest.skip(f"the shared Open Referral examples are not beside the project ({SHARED_HSDS})")
    assert path.exists(), path
    embedded = SQLiteStore(tmp_path / "gridvoices.sqlite")
    for store in (embedded, neo4j):
        import_paths(store, [path])
    a, b = embedded.read(), neo4j.read()
    assert sum(len(v) for v in a.values()) > 0
    for entity in a:
        assert a[entity].to_dict("records") == b[entity].to_dict("records"), entity
    assert [s["rows"] for s in embedded.sources()] == [s["rows"] for s in neo4j.sources()]
