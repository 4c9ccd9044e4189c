"""A question from the CLI loads only what its answer needs (issue 17, P7).

Each check runs in a fresh interpreter and reads ``sys.modules`` after the command: a
top-level import of a heavy library added back anywhere on the way (CLI, API, store,
query) makes it fail. Timing is the benchmark's job (``python -m benchmarks startup``).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from gridvoices.queries import disclosure, run

# Heavy for a one-off question: data frames, drawing and the compiled graph libraries, and
# Pydantic, which Typer needs only for a value that is not plain (gridvoices/cli/coercion.py).
HEAVY = (
    "pandas",
    "igraph",
    "matplotlib",
    "scipy",
    "pyvis",
    "jinja2",
    "openpyxl",
    "shapely",
    "pydantic",
)

_CHECK = """
import json, sys
from typer.testing import CliRunner
from gridvoices.cli.main import app
res = CliRunner().invoke(app, sys.argv[1:])
assert res.exit_code == 0, (res.output, repr(res.exception))
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in set({heavy!r}))))
"""


def _loaded(args: list[str], cwd) -> set[str]:
    code = _CHECK.format(heavy=HEAVY + ("networkx", "neo4j"))
    res = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return {m.split(".")[0] for m in json.loads(res.stdout.strip().splitlines()[-1])}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    from tests.conftest import FIXTURES

    ws = tmp_path_factory.mktemp("ws")
    imp = [sys.executable, "-m", "gridvoices.cli.main", "import", str(FIXTURES / "tiny"), "-q"]
    subprocess.run(imp, cwd=ws, check=True, capture_output=True, timeout=120)
    return ws


def test_the_cli_module_loads_nothing_heavy(workspace):
    code = "import json, sys, gridvoices.cli.main; print(json.dumps(sorted(sys.modules)))"
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=workspace, capture_output=True, text=True, check=True
    )
    modules = set(json.loads(res.stdout))
    assert {m.split(".")[0] for m in modules}.isdisjoint(HEAVY + ("networkx", "numpy", "neo4j"))
    # Registering the commands loads neither the local server's code nor the import bar.
    assert modules.isdisjoint({"gridvoices.stores.neo4j_server", "rich.progress"})


@pytest.mark.parametrize(
    "args",
    [
        ["summary"],
        ["summary", "--period", "2024-Q1"],
        ["summary", "--json", "--show-small-counts"],
        ["isolated"],
        ["isolated", "--json"],
        ["paths", "S1", "S3", "-k", "3"],
        ["sources"],
    ],
)
def test_a_question_loads_no_data_frames_graphs_or_drawing(workspace, args):
    loaded = _loaded(args, workspace)
    assert loaded.isdisjoint(HEAVY), loaded


@pytest.mark.parametrize(
    "args",
    [
        ["barriers"],
        ["coverage"],
        ["contagion", "--runs", "20"],
        ["index"],
        ["compare", "2024-Q1", "2024-Q2"],
        ["whatif", "--close", "S2"],
        ["feedback"],
        ["view", "network", "-o", "network.html"],
    ],
)
def test_an_analysis_on_the_embedded_store_loads_no_data_frames_or_drawing(workspace, args):
    # The graph comes from SQL (queries/graph_sql.py); pyvis and jinja2 only for a view.
    heavy = set(HEAVY) - ({"jinja2", "scipy"} if args[0] == "view" else {"scipy"})
    loaded = _loaded(args, workspace)
    assert loaded.isdisjoint(heavy), loaded


def test_summary_paths_and_isolated_need_no_networkx(workspace):
    for args in (["summary"], ["isolated"], ["paths", "S1", "S3", "-k", "3"]):
        assert "networkx" not in _loaded(args, workspace), args


def test_metrics_loads_igraph_without_matplotlib(workspace):
    loaded = _loaded(["metrics"], workspace)
    assert "igraph" in loaded and "matplotlib" not in loaded


def test_the_run_module_knows_which_answers_are_disclosed():
    assert run._DISCLOSED == disclosure.DISCLOSED & set(run.NAMED_QUERIES)


def test_an_html_report_loads_no_browser_code(workspace):
    # Chromium's module (and asyncio with it) is for --pdf and view PNGs only.
    browser = {"gridvoices.visualise.chromium", "asyncio", "playwright"}
    code = _CHECK.split("print(")[0] + f"print(json.dumps(sorted({browser!r} & set(sys.modules))))"
    res = subprocess.run(
        [sys.executable, "-c", code, "report", "-q", "-o", "report.html"],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert json.loads(res.stdout.strip().splitlines()[-1]) == []
