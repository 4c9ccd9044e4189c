"""Every docstring example in the installed package runs as a test."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import gridvoices

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(gridvoices.__path__, "gridvoices.")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
