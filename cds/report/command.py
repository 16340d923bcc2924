"""``prrt-cds report PATH... --out DIR``: the cohort report (docs/outputs.md). Registered in ``cds.cli``.

Heavy modules (lifelines, scipy, matplotlib) are imported when the command runs, not when the CLI starts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cds.cli_options import DATA_CUTOFF, CtcaeVersion, DataCutoff, FhirPaths, Jobs, ReportFormats
from cds.evaluation import DEFAULT_CTCAE_VERSION


class CiMethodOption(StrEnum):
    log_log = "log-log"
    log = "log"
    plain = "plain"
    symmetric = "symmetric"


class ResponseOption(StrEnum):
    confirmed = "confirmed"
    unconfirmed = "unconfirmed"


CI_HELP = ("interval of the median survival: log-log (lifelines' default; the default here), log (R's default), "
           "plain, or symmetric (median ± 1.96·SE, as SPSS prints)")
CiMethod = Annotated[CiMethodOption, typer.Option("--ci-method", help=CI_HELP)]
ALL_FORMATS = "md,html,json"


def formats_option(value: str) -> tuple[str, ...]:
    from cds.report.render import parse_formats

    try:
        return parse_formats(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--format") from None


def run_report(paths: list[Path], out: Path, output_format: str, ci_method: CiMethodOption,
               data_cutoff: date | None, response: ResponseOption, ctcae_version: str, jobs: int | None,
               description: str = "evaluating", activity_tolerance: float | None = None) -> None:
    """Evaluate, report, print the files written; exit 1 when no input could be read."""
    from cds.bootstrap import check_tables
    from cds.errors import ConfigurationError, InputError
    from cds.input_checks import check_ctcae_version, check_out_dir, echo_input_error
    from cds.report.cohort import ReportSettings
    from cds.report.pipeline import generate_report
    from cds.report.progress import TerminalProgress
    from cds.report.survival import ci_method as parse_ci

    formats = formats_option(output_format)
    check_ctcae_version(ctcae_version)
    check_out_dir(out)
    try:
        check_tables(ctcae_version)
    except ConfigurationError as exc:  # the rule tables disagree (e.g. a dose class names an unknown term)
        typer.echo(f"prrt-cds: configuration error: {exc}", err=True)
        raise typer.Exit(2) from None
    settings = ReportSettings(ci_method=parse_ci(ci_method.value), data_cutoff=data_cutoff,
                              confirmed=response is ResponseOption.confirmed)
    if activity_tolerance is not None:
        settings = replace(settings, activity_tolerance=activity_tolerance / 100)
    try:
        with TerminalProgress(description) as progress:
            report, written = generate_report(paths, out, formats, settings, ctcae_version, jobs, progress)
    except InputError as exc:
        echo_input_error(exc)
        raise typer.Exit(1) from None
    except OSError as exc:  # the report could not be written (disk full, permissions): said, not a traceback
        typer.echo(f"prrt-cds: cannot write the report to {out}: {exc.strerror or type(exc).__name__}", err=True)
        raise typer.Exit(1) from None
    for path in written:
        typer.echo(str(path))
    unreadable = sum(1 for i in report.issues if i.severity == "error" and i.patient is None)
    if report.files_read and unreadable >= report.files_read and not report.n_patients:
        raise typer.Exit(1)


def report(
    paths: FhirPaths,
    out: Annotated[Path, typer.Option("--out", help="directory to write the report into")],
    output_format: ReportFormats = ALL_FORMATS,
    ci_method: CiMethod = CiMethodOption.log_log,
    data_cutoff: DataCutoff = None,
    response: Annotated[ResponseOption, typer.Option(
        "--response", help="best overall response: confirmed (RECIST 1.1 §4.6.1) or unconfirmed")
    ] = ResponseOption.confirmed,
    ctcae_version: CtcaeVersion = DEFAULT_CTCAE_VERSION,
    jobs: Jobs = None,
    activity_tolerance: Annotated[float, typer.Option(
        "--activity-tolerance", min=0.0, max=49.0, metavar="PERCENT",
        help="a cycle counts as given at the full (7.4 GBq) or reduced (3.7 GBq) activity within this many "
             "percent of it")] = 10.0,
) -> None:
    """Cohort report: survival, response, toxicity and performance status, as JSON, Markdown and HTML."""
    from cds.input_checks import parse_day

    run_report(paths, out, output_format, ci_method, parse_day(data_cutoff, DATA_CUTOFF), response,
               ctcae_version, jobs, activity_tolerance=activity_tolerance)
