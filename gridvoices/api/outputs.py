"""What an :class:`~gridvoices.api.ecosystem.Ecosystem` writes: views, the report, exports."""

from __future__ import annotations

from pathlib import Path

from gridvoices.ecosystem.errors import OptionError, QueryError

__all__ = ["Outputs"]


class Outputs:
    """Mixed into :class:`~gridvoices.api.ecosystem.Ecosystem`."""

    def view(
        self,
        kind: str = "network",
        path: str | Path | None = None,
        *,
        png: str | Path | None = None,
        title: str = "",
        illustrative: bool = False,
        periods=None,
        **options,
    ) -> Path:
        """Write an interactive view (network, barriers, isolation, ...) that opens offline;
        ``options`` are the view's own (colour_by, size_by, level, show_comments)."""
        from gridvoices.visualise import render
        from gridvoices.visualise.views import view_kinds, view_options, write_view

        if kind not in view_kinds():
            raise QueryError(f"unknown view {kind!r}; choose from {', '.join(view_kinds())}")
        for name in options:
            if name not in view_options(kind):
                raise OptionError(name, f"does not apply to the {kind} view")
        G = self.graph(periods)
        if "index_bands" in view_options(kind) and "index_bands" not in options:
            # Shading by index band needs the bands, as the demo and the report give them.
            from gridvoices.visualise.views import index_bands

            options["index_bands"] = index_bands(G) or None
        try:
            return write_view(
                kind,
                G,
                Path(path or f"gridvoices-{kind}.html"),
                title=title,
                illustrative=illustrative,
                source=f"{self.kind} store",
                periods_label=render.span(G),
                suppress_small=not self.show_small_counts,
                png=Path(png) if png else None,
                **options,
            )
        except ValueError as e:
            raise QueryError(str(e)) from None

    def report(
        self,
        path: str | Path = "gridvoices-report.html",
        *,
        pdf: str | Path | None = None,
        title: str = "Recovery ecosystem report",
        illustrative: bool | None = None,
        periods=None,
    ) -> Path:
        """Write the commissioners' report (HTML, and a PDF through Chromium with ``pdf``)."""
        from gridvoices.visualise.report import write_report

        G = self.graph(periods)
        sources = self.store().sources()
        if illustrative is None:
            illustrative = any(str(s["source"]).lower().startswith("illustrative") for s in sources)
        named = "; ".join(
            f"{s['source']} ({s['format']}, imported {s['imported_at']})" for s in sources
        )
        written = write_report(
            G,
            Path(path),
            illustrative=illustrative,
            source=f"{self.kind} store: {named or 'no sources recorded'}",
            suppress_small=not self.show_small_counts,
            title=title,
        )
        if pdf is not None:
            from gridvoices.visualise.report import write_pdf  # Chromium's asyncio: PDF only

            write_pdf(written, Path(pdf))
        return written

    def export(
        self,
        path: str | Path,
        format: str | None = None,
        *,
        metrics: bool = True,  # noqa: A002
        periods=None,
    ) -> dict:
        """Export the network as GraphML, GEXF, CSV (a folder or .zip) or node-link JSON.

        Returns the path written, the format and the node and edge counts.
        """
        from gridvoices.visualise.export import FORMATS, export_graph, guess_format, node_metrics

        fmt = (format or guess_format(Path(path)) or "").lower()
        if fmt not in FORMATS:
            hint = f"format {format!r}" if format else f"cannot tell the format of {path}"
            raise QueryError(f"{hint}: use one of {', '.join(FORMATS)}")
        G = self.graph(periods)
        values = node_metrics(G) if metrics else None
        written = export_graph(
            G, Path(path), fmt, suppress_small=not self.show_small_counts, metrics=values
        )
        return {
            "path": written,
            "format": fmt,
            "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(),
            "centrality": bool(values) and any("pagerank" in v for v in values.values()),
        }
