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


class TestCrop:
    def test_view_box_is_the_tight_box_drawn_once(self):
        """The one-draw crop frames exactly what ``bbox_inches="tight"`` frames."""
        import io
        import re

        import matplotlib
        from gridvoices.visualise.report import svg

        def figure():
            fig, ax = svg.barh(3)
            ax.barh(range(3), [4, 9, 2])
            ax.set_yticks(range(3), ["A long district name on the left", "B", "C"])
            ax.set_xlabel("referrals")
            return fig

        with matplotlib.rc_context(svg._RC):
            tight = io.StringIO()
            figure().savefig(tight, format="svg", bbox_inches="tight", pad_inches=0.05)
            ours = svg._cropped(figure())

        def box(text: str) -> list[float]:
            return [float(v) for v in re.search(r'viewBox="([^"]*)"', text).group(1).split()]

        expected, got = box(tight.getvalue()), box(ours)
        # the labels stick out left of the figure: the crop must start left of 0
        assert got[0] < 0
        assert got[2:] == pytest.approx(expected[2:], abs=0.01)
