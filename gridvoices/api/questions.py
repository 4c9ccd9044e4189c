"""The questions an :class:`~gridvoices.api.ecosystem.Ecosystem` answers, one method each.

Each method checks its options (a bad one raises QueryError), computes with the library
functions in :mod:`gridvoices.queries` and returns a :class:`Result` that has passed the
disclosure rules. The CLI commands are thin skins over these methods.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gridvoices.api.results import Result
from gridvoices.ecosystem.errors import OptionError

__all__ = ["Questions", "FEEDBACK_BY", "MODELS"]

FEEDBACK_BY = ("districts", "services", "links")
MODELS = {"ic": "independent cascade", "lt": "linear threshold"}


def _check(ok: bool, option: str, rest: str) -> None:
    if not ok:
        raise OptionError(option, rest)


class Questions:
    """Mixed into :class:`~gridvoices.api.ecosystem.Ecosystem`."""

    def _named(self, question: str, name: str, *args, periods=None, **kwargs) -> Result:
        from gridvoices.queries.run import answer

        store = self._reader()
        chosen = self.periods(periods)
        return self._answer(question, lambda: answer(store, name, *args, periods=chosen, **kwargs))

    def summary(self, periods=None) -> Result:
        """Counts by type and by district, with referral volumes."""
        return self._named("summary", "summary", periods=periods)

    def paths(self, source: str, target: str, k: int = 4, periods=None) -> Result:
        """Referral paths from ``source`` to ``target`` (ids or names): the shortest, and all
        up to ``k`` hops with their flows."""
        s, t = self.resolve(source), self.resolve(target)
        shortest = self._named("paths", "shortest_paths", s, t, periods=periods).data
        upto = self._named("paths", "referral_paths", s, t, k=k, periods=periods).data
        return Result(
            "paths",
            {"source": s, "target": t, "max_hops": k, "shortest": shortest, "up_to_k": upto},
        )

    def isolated(self, k: int = 2, flags: Iterable[str] | None = None, periods=None) -> Result:
        """Isolated services and groups: no flows, detached, dead ends, single bridges, no peer
        support within ``k`` hops; ``flags`` keeps only those."""
        from gridvoices.queries.isolation.compact import FLAGS  # light: no NetworkX

        flags = list(flags or [])
        for f in flags:
            _check(f in FLAGS, "flag", f"{f!r} is not one of: {', '.join(FLAGS)}")
        if flags and set(flags) == {"no_flows"}:
            # The no-flow check alone needs no whole-graph metric: SQL or Cypher answers it.
            found = self._named("isolated", "isolated", periods=periods)
            rows = [{**r, "flag": "no_flows", "why": r.pop("reason")} for r in found.data]
        else:
            rows = self._named("isolated", "isolation", periods=periods, k=k).data
            rows = [r for r in rows if not flags or r["flag"] in flags]
        return Result("isolated", rows)

    def barriers(
        self, min_permeability: float = 0.1, weight_by_feedback: bool = False, periods=None
    ) -> Result:
        """Borders and organisational boundaries referrals do not cross, and who spans them."""
        return self._named(
            "barriers",
            "barriers",
            periods=periods,
            min_permeability=min_permeability,
            weight_by_feedback=weight_by_feedback,
        )

    def coverage(self) -> Result:
        """The seven community recovery domains in each district: how many, which are missing."""
        return self._named("coverage", "coverage")

    def feedback(self, by: str = "districts", periods=None) -> Result:
        """What people in recovery report, per district, service or referral link."""
        _check(by in FEEDBACK_BY, "by", f"must be one of {', '.join(FEEDBACK_BY)}, not {by!r}")
        r = self._named("feedback", "feedback", periods=periods)
        return Result(f"feedback by {by}", r.data[by])

    def compare(self, before, after) -> Result:
        """What changed from ``before`` to ``after`` (periods or ranges): borders, isolation,
        coverage."""
        from gridvoices.queries.compare import compare as compare_graphs
        from gridvoices.queries.graph import build_graph
        from gridvoices.queries.run import load_graph

        p1, p2 = self.periods(before), self.periods(after)
        store = self._reader()
        if store.kind == "embedded":  # each projection straight from SQL, no pandas
            graph = functools.partial(load_graph, store)
        else:  # one read of the server for both projections
            graph = functools.partial(build_graph, store.read())
        return self._answer("compare", lambda: compare_graphs(graph(p1), graph(p2)))

    def contagion(
        self,
        model: str = "ic",
        runs: int = 1000,
        seed: int = 42,
        seed_nodes: Iterable[str] | None = None,
        suggest: int = 0,
        suggest_runs: int = 200,
        new_link_p: float = 0.3,
        top: int = 10,
        referral_scale: float = 10.0,
        peer_factor: float = 0.5,
        weight_by_feedback: bool = False,
        periods=None,
    ) -> Result:
        """Recovery as a contagion: whom it reaches, by which pathways, where it stops and
        which new links would help most (reproducible from ``seed``)."""
        from gridvoices.queries.contagion.report import contagion_report

        _check(model in MODELS, "model", f"must be 'ic' or 'lt', not {model!r}")
        _check(
            not suggest or model == "ic",
            "suggest",
            "works with --model ic: suggestions are scored on the independent cascade",
        )
        _check(suggest >= 0 and top >= 0, "suggest", "and top must be 0 or more")
        nodes = [self.resolve(x) for x in seed_nodes] if seed_nodes else None
        G = self.graph(periods)
        return self._answer(
            "contagion",
            lambda: contagion_report(
                G,
                model=model,
                runs=runs,
                seed=seed,
                seed_nodes=nodes,
                suggest=suggest,
                suggest_runs=suggest_runs,
                top=top,
                referral_scale=referral_scale,
                peer_factor=peer_factor,
                weight_by_feedback=weight_by_feedback,
                new_link_p=new_link_p,
            ),
        )

    def metrics(
        self,
        top: int = 10,
        seed: int = 0,
        exact_max_nodes: int = 2000,
        pivots: int | None = None,
        write_neo4j: bool = False,
        periods=None,
    ) -> Result:
        """Brokers, centrality and communities of the referral network."""
        from gridvoices.ecosystem.privacy import suppress
        from gridvoices.queries.metrics import brokers, centrality, write_metrics_neo4j
        from gridvoices.visualise import render

        _check(top >= 0, "top", "must be 0 or more")
        _check(
            not write_neo4j or self.kind == "neo4j",
            "write_neo4j",
            "needs --store neo4j (measures go to the nodes they came from)",
        )
        G = self.graph(periods)
        result = centrality(G, exact_max_nodes=exact_max_nodes, k=pivots, seed=seed)
        written = write_metrics_neo4j(self.store(), result) if write_neo4j else None
        hide = not self.show_small_counts

        def shown() -> dict:
            data = result.as_dict()
            if result.weight == "referrals":
                for row in data["nodes"]:
                    for c in ("in_volume", "out_volume", "weighted_degree"):
                        row[c] = suppress(row[c], enabled=hide)
                for row in data["communities"]:
                    for c in ("internal_weight", "weight_out", "weight_in"):
                        row[c] = suppress(int(row[c]), enabled=hide)
            data["brokers"] = brokers(result, top)
            data["span"] = render.span(G)
            if written is not None:
                data["written_to_neo4j"] = written
            return data

        return self._answer("metrics", shown)

    def index(
        self,
        population: Path | None = None,
        weights: Path | None = None,
        need: Path | None = None,
        runs: int = 256,
        seed: int = 42,
        periods=None,
    ) -> Result:
        """District recovery ecosystem index: bands 1 (strongest) to 5 from five components."""
        from gridvoices.queries.index.scores import recovery_index

        G = self.graph(periods)
        return self._answer(
            "index",
            lambda: recovery_index(
                G, population=population, weights=weights, need=need, runs=runs, seed=seed
            ),
        )

    def whatif(
        self,
        close: Iterable[str] = (),
        add_link: tuple[str, str] | None = None,
        count: int = 5,
        add_navigator: str | None = None,
        at: str | None = None,
        scenarios: dict[str, list[dict]] | Iterable[str] | None = None,
        rank: bool | None = None,
        with_index: bool = True,
        population: Path | None = None,
        weights: Path | None = None,
        runs: int = 256,
        seed: int = 42,
        periods=None,
    ) -> Result:
        """What if services closed, links or navigators were added: before -> after; and which
        single closure would hurt most (``rank``, default when no change is given)."""
        from gridvoices.queries.index.whatif import compare_scenarios, rank_closures

        _check(count >= 1, "count", "must be 1 or more")
        scen = self._scenarios(close, add_link, count, add_navigator, at, scenarios)
        rank = not scen if rank is None else rank
        G = self.graph(periods)
        kw = {"runs": runs, "seed": seed}
        return self._answer(
            "whatif",
            lambda: {
                "comparison": compare_scenarios(
                    G, scen, index=with_index, population=population, weights=weights, **kw
                )
                if scen
                else None,
                "closures": rank_closures(G, **kw) if rank else None,
            },
        )

    def _scenarios(self, close, add_link, count, add_navigator, at, scenarios) -> dict:
        from gridvoices.queries.index.whatif import parse_change

        direct: list[dict] = [
            {"close": self.resolve(c.strip())}
            for x in close or []
            for c in x.split(",")
            if c.strip()
        ]
        if add_link:
            direct.append({"add_link": [self.resolve(x) for x in add_link], "count": count})
        if add_navigator:
            direct.append(
                {"add_navigator": add_navigator, **({"at": self.resolve(at)} if at else {})}
            )
        else:
            _check(not at, "at", "goes with add_navigator DISTRICT")
        out: dict[str, list[dict]] = {"this change": direct} if direct else {}
        if isinstance(scenarios, dict):
            return {**out, **scenarios}
        for i, text in enumerate(scenarios or [], start=1):
            name, _, body = text.partition(":") if ":" in text else ("", "", text)
            out[name.strip() or f"scenario {i}"] = [
                parse_change(c) for c in body.split(";") if c.strip()
            ]
        return out

    def stats(
        self,
        what: str = "all",
        level: str = "both",
        permutations: int = 1000,
        correction: str = "bh",
        k: int = 3,
        runs: int = 1000,
        seed: int = 42,
        periods=None,
    ) -> Result:
        """Signal or chance: barrier permutation tests, diffusion statistics, navigators."""
        from gridvoices.queries.stats import PARTS, statistics

        _check(
            what == "all" or what in PARTS,
            "what",
            f"must be one of {', '.join(PARTS)} or all, not {what!r}",
        )
        _check(
            level in ("district", "organisation", "both"),
            "level",
            f"must be district, organisation or both, not {level!r}",
        )
        parts = list(PARTS) if what == "all" else [what]
        levels = ["district", "organisation"] if level == "both" else [level]
        G = self.graph(periods)
        return self._answer(
            "stats",
            lambda: statistics(
                G,
                parts,
                levels=levels,
                permutations=permutations,
                correction=correction,
                runs=runs,
                k=k,
                seed=seed,
            ),
        )

    def cypher(
        self,
        statement: str,
        params: dict[str, Any] | None = None,
        *,
        write: bool = False,
        admin: bool = False,
    ) -> Result:
        """Run Cypher on Neo4j: reads only unless ``write``; LOAD CSV, SHOW, TERMINATE and other
        administration only with ``admin`` (the server says what a statement does)."""
        _check(self.kind == "neo4j", "store", "must be neo4j for Cypher")
        rows = self.store().run_user(statement, params or {}, write=write, admin=admin)
        return Result("cypher", rows)
