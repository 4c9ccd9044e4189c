"""Compiled templates kept on disk never change what a page says (issue 17, P7)."""

from __future__ import annotations

import jinja2
import pytest
from gridvoices.visualise import template_cache
from gridvoices.visualise.template_cache import fingerprint, remember_compiled


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDVOICES_CACHE", str(tmp_path))
    return tmp_path / "templates"


def _env(templates: dict, **options) -> jinja2.Environment:
    return remember_compiled(
        jinja2.Environment(loader=jinja2.DictLoader(templates), autoescape=True, **options)
    )


def test_a_template_compiled_once_is_read_back(cache):
    _env({"t": "Hi {{ name }}"}).get_template("t")
    assert len(list(cache.glob("*.jinja"))) == 1
    # A fresh environment (a new process) loads the code instead of compiling it.
    env = _env({"t": "Hi {{ name }}"})
    bucket = env.bytecode_cache.get_bucket(env, "t", None, "Hi {{ name }}")
    assert bucket.code is not None
    assert env.get_template("t").render(name="<b>") == "Hi &lt;b&gt;"


def test_a_changed_template_is_compiled_afresh(cache):
    assert _env({"t": "one {{ x }}"}).get_template("t").render(x=1) == "one 1"
    assert _env({"t": "two {{ x }}"}).get_template("t").render(x=1) == "two 1"


def test_options_that_change_the_code_change_the_key(cache):
    text = {"t": "{% if x %}\n  yes\n{% endif %}\n"}
    plain = _env(text).get_template("t").render(x=1)
    trimmed = _env(text, trim_blocks=True, lstrip_blocks=True).get_template("t").render(x=1)
    assert (plain, trimmed) == ("\n  yes\n", "  yes\n")
    assert len(list(cache.glob("*.jinja"))) == 2
    unescaped = jinja2.Environment(loader=jinja2.DictLoader(text))
    assert fingerprint(unescaped) != fingerprint(_env(text))


def test_off_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDVOICES_CACHE", "off")
    env = _env({"t": "x"})
    assert env.bytecode_cache is None and template_cache.cache_folder() is None
    assert env.get_template("t").render() == "x"


def test_a_folder_that_cannot_be_written_only_loses_the_speed_up(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GRIDVOICES_CACHE", str(blocker))
    assert _env({"t": "{{ 1 + 1 }}"}).get_template("t").render() == "2"


def test_the_report_reads_the_same_from_the_cache(cache):
    from gridvoices.queries.analyses import run_all
    from gridvoices.queries.graph import build_graph
    from gridvoices.stores.store import validate_paths
    from gridvoices.visualise.report import filters, render_report

    from tests.conftest import FIXTURES

    _, tables = validate_paths([FIXTURES / "tiny"])
    G = build_graph(tables)
    results = run_all(G)
    filters.environment.cache_clear()
    cold = render_report(G, results=results)
    assert list(cache.glob("*.jinja"))
    filters.environment.cache_clear()
    try:
        assert render_report(G, results=results) == cold
    finally:
        filters.environment.cache_clear()  # other tests get an environment of their own
