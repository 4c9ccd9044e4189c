"""Every docstring example in the installed package runs as a test."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import gridvoices

# Each layer is walked from its own package: in an editable install the folders are joined
# only by the package-dir mapping, so walking gridvoices.__path__ alone would miss them.
LAYERS = ("ecosystem", "loaders", "stores", "queries", "visualise")
MODULES = sorted(
    {m.name for m in pkgutil.walk_packages(gridvoices.__path__, "gridvoices.")}
    | {
        m.name
        for layer in LAYERS
        for m in pkgutil.walk_packages(
            importlib.import_module(f"gridvoices.{layer}").__path__, f"gridvoices.{layer}."
        )
    }
)


def test_every_layer_is_walked():
    assert {m.split(".")[1] for m in MODULES} >= set(LAYERS)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
