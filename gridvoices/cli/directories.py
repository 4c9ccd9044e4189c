"""Directory commands: ``mapping review`` (the mapping as a sheet to correct) and
the report after ``import --partial`` (load the valid records, set the rejected ones aside)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridvoices.cli.common import app, err, fail, out, say

mapping_app = typer.Typer(help="Check and correct how a service directory is mapped.")


@mapping_app.command("review")
def review(
    paths: Annotated[list[Path], typer.Argument(help="An HSDS / Open Referral UK directory.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Sheet to write (.csv or .xlsx); default: beside the data."
        ),
    ] = None,
) -> None:
    """Write every service with its domain, score, deciding rule and districts.

    Fill domain_override / districts_override where the rules are wrong, save the
    sheet as gridvoices-overrides.csv beside the data, and import again.
    """
    import tempfile

    from gridvoices.loaders.hsds_files import unpack_zip
    from gridvoices.loaders.mapping import carry_sidecar
    from gridvoices.loaders.mapping_review import write_review

    first = paths[0]
    with tempfile.TemporaryDirectory(prefix="gridvoices-") as tmp:
        if first.suffix.lower() == ".zip":
            folder, problems = unpack_zip(first, Path(tmp))
            if folder is None:
                fail("; ".join(str(p) for p in problems), 2)
            carry_sidecar(first, folder)
            paths = [folder]
        where = first if first.is_dir() else first.parent
        target = output or where / "gridvoices-review.csv"
        try:
            n = write_review(paths, target)
        except OSError as e:
            fail(f"cannot write {target}: {e}")
    out.print(f"Wrote {n} services to {target}", highlight=False)


@mapping_app.command("score")
def score(
    sample: Annotated[Path, typer.Argument(help="Labelled services CSV (see tests/fixtures).")],
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="taxonomy-domains.csv to score (default: shipped)."),
    ] = None,
    wrong: Annotated[
        str | None,
        typer.Option(
            "--wrong",
            help="Also list the services of this domain the rules got wrong "
            "(false positives and misses), or 'all'.",
        ),
    ] = None,
) -> None:
    """Precision and recall per domain of the domain rules on a hand-labelled sample."""
    from gridvoices.ecosystem.shipped import MAPPINGS
    from gridvoices.loaders.mapping_check import read_sample, score_rules
    from gridvoices.loaders.mapping_domains import DomainRules

    loaded, problems = DomainRules.load(rules or MAPPINGS / "taxonomy-domains.csv")
    for p in problems:
        err.print(str(p), highlight=False, markup=False)
    scores, missed = score_rules(loaded, read_sample(sample))
    for sc in scores.values():
        say(
            f"{sc.domain:22} labelled {sc.labelled:4} predicted {sc.predicted:4} "
            f"agreed {sc.agreed:4}  P {sc.precision:.2f}  R {sc.recall:.2f}"
        )
    if wrong is not None:
        for row, got, why in missed:
            if wrong in ("all", got, row["label"]):
                kind = "false positive" if got == wrong else "missed"
                if wrong == "all":
                    kind = "wrong"
                line = (
                    f"{kind}: {row['source']}:{row['id']} {row['name']!r} labelled "
                    f"{row['label']}, rules say {got} ({why})"
                )
                out.print(line, highlight=False, markup=False, soft_wrap=True)


def report_set_aside(eco, result, target: Path | None) -> None:
    """After ``import --partial``: where the set-aside records went, and the counts."""
    from gridvoices.loaders.partial import records_set_aside, summary, write_set_aside

    aside = result.set_aside
    target = target or (eco.path.parent if eco.path else Path(".")) / "set-aside.csv"
    if aside:
        write_set_aside(aside, target)
    loaded = result.rows.get("services", 0) + result.rows.get("organisations", 0)
    say(f"Organisations and services: {summary(loaded + records_set_aside(aside), loaded, aside)}")
    if aside:
        say(f"Set aside, with where and why: {target}")


app.add_typer(mapping_app, name="mapping")
