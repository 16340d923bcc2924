"""``prrt-cds demo [--out DIR] [--patients N] [--seed S]``: write a synthetic cohort, then evaluate and
report it. Registered in ``cds.cli``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cds.demo import DEFAULT_SEED, SERIES_SIZE
from cds.evaluation import DEFAULT_CTCAE_VERSION
from cds.report.command import CI_HELP, CiMethodOption, ResponseOption, formats_option, run_report


def demo(
    out: Annotated[Path, typer.Option("--out", help="directory for fhir/ and report/")] = Path("prrt-cds-demo"),
    patients: Annotated[int, typer.Option(
        "--patients", min=1, help=f"cohort size; {SERIES_SIZE} (the default) is the published series")] = SERIES_SIZE,
    seed: Annotated[int, typer.Option("--seed", help="random seed (dates, lab noise; random cohorts)")] = DEFAULT_SEED,
    output_format: Annotated[str, typer.Option("--format", help="comma-separated: md,html,json")] = "md,html,json",
    ci_method: Annotated[CiMethodOption, typer.Option("--ci-method", help=CI_HELP)] = CiMethodOption.log_log,
    jobs: Annotated[int | None, typer.Option("--jobs", min=1, help="worker processes (default: all CPUs)")] = None,
) -> None:
    """Write a synthetic PRRT cohort as FHIR R4 Bundles (DIR/fhir), then evaluate and report it (DIR/report)."""
    from cds.demo.cohort import write_cohort
    from cds.report.progress import TerminalProgress

    formats_option(output_format)
    with TerminalProgress("writing FHIR") as progress:
        progress.start(patients, "patients")
        fhir_dir = write_cohort(out / "fhir", patients, seed, jobs, progress.advance)
    typer.echo(f"{patients} patients written to {fhir_dir}")
    run_report([fhir_dir], out / "report", output_format, ci_method, None, ResponseOption.confirmed,
               DEFAULT_CTCAE_VERSION, jobs)
