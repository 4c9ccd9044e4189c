"""The report's charts: a hidden row is never drawn, and the legend follows what is drawn."""

from __future__ import annotations

import warnings

import pytest
from gridvoices.visualise.report import charts
from matplotlib.axes import Axes


def _row(name: str, sent, internal) -> dict:
    share = internal / sent if isinstance(sent, int) and isinstance(internal, int) else "*"
    return {
        "name": name,
        "sent": sent,
        "internal": internal,
        "internal_share": share,
        "inward_looking": False,
    }


@pytest.fixture
def legends(monkeypatch) -> list[list[str]]:
    """The labels of every legend drawn, in order."""
    drawn: list[list[str]] = []
    original = Axes.legend

    def legend(self, *args, **kwargs):
        drawn.append(self.get_legend_handles_labels()[1])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Axes, "legend", legend)
    return drawn


class TestFlowsChart:
    @pytest.mark.parametrize("hidden_row", [0, 1])
    def test_legend_names_both_colours_whichever_row_is_hidden(self, legends, hidden_row):
        rows = [_row("Alpha", 40, 30), _row("Beta", 20, 5)]
        rows[hidden_row] = _row(rows[hidden_row]["name"], "*", "*")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "No artists with labels found" fails the test
            svg = charts.flows_chart(rows)
        assert "<svg" in svg
        assert legends == [["Kept inside the district", "Sent to other districts"]]

    def test_every_row_hidden_draws_no_legend(self, legends):
        rows = [_row("Alpha", "*", "*"), _row("Beta", "20 + *", "*")]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            charts.flows_chart(rows)
        assert legends == []
