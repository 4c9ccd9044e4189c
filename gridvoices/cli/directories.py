"""``gridvoices mapping review``: the directory mapping as a sheet to check and correct."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridvoices.cli.common import app, fail, out

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
    from gridvoices.loaders.mapping_review import write_review

    first = paths[0]
    with tempfile.TemporaryDirectory(prefix="gridvoices-") as tmp:
        if first.suffix.lower() == ".zip":
            folder, problems = unpack_zip(first, Path(tmp))
            if folder is None:
                fail("; ".join(str(p) for p in problems), 2)
            paths = [folder]
        where = first if first.is_dir() else first.parent
        target = output or where / "gridvoices-review.csv"
        try:
            n = write_review(paths, target)
        except OSError as e:
            fail(f"cannot write {target}: {e}")
    out.print(f"Wrote {n} services to {target}", highlight=False)


app.add_typer(mapping_app, name="mapping")
