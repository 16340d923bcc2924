"""``prrt-cds report PATH... --out DIR``: the cohort report (docs/outputs.md). Registered in ``cds.cli``.

Heavy modules (lifelines, scipy, matplotlib) are imported when the command runs, not when the CLI starts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cds.cli_options import DATA_CUTOFF, CtcaeVersion, DataCutoff, FhirPaths, Jobs, ReportFormats
from cds.evaluation import DEFAULT_CTCAE_VERSION

if TYPE_CHECKING:
    from cds.report.spark_backend import SparkRun


class CiMethodOption(StrEnum):
    log_log = "log-log"
    log = "log"
    plain = "plain"
    symmetric = "symmetric"


class BackendOption(StrEnum):
    local = "local"
    spark = "spark"


class PerformanceTestOption(StrEnum):
    exact = "exact"
    asymptotic = "asymptotic"


class ResponseOption(StrEnum):
    confirmed = "confirmed"
    unconfirmed = "unconfirmed"


CI_HELP = ("interval of the median survival: log-log (lifelines' default; the default here), log (R's default), "
           "plain, or symmetric (median ± 1.96·SE, as SPSS prints)")
CiMethod = Annotated[CiMethodOption, typer.Option("--ci-method", help=CI_HELP)]
PERFORMANCE_TEST_HELP = ("p-value of the ECOG and Karnofsky signed-rank test: exact (the exact distribution, "
                         "conditional on ties; the default) or asymptotic (the normal approximation, as SPSS prints)")
PerformanceTest = Annotated[PerformanceTestOption, typer.Option("--performance-test", help=PERFORMANCE_TEST_HELP)]
ALL_FORMATS = "md,html,json"
# rich reads "[spark]" as markup and drops it from the help: the bracket is escaped
BACKEND_HELP = ("where patients are evaluated: local (this machine's processes) or spark (Apache Spark; "
                f"needs {escape('prrt-cds[spark]')} and Java 17)")
SPARK_MASTER_HELP = "Spark master URL for --backend spark: local[2] (default), local[*], spark://host:7077, yarn"
SPARK_CONF_HELP = "a Spark setting for --backend spark, KEY=VALUE (repeatable), e.g. spark.executor.memory=4g"


def spark_conf_option(values: list[str]) -> dict[str, str]:
    conf: dict[str, str] = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{value!r} is not KEY=VALUE", param_hint="--spark-conf")
        conf[key.strip()] = setting
    return conf


def formats_option(value: str) -> tuple[str, ...]:
    from cds.report.render import parse_formats

    try:
        return parse_formats(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--format") from None


def run_report(paths: list[Path], out: Path, output_format: str, ci_method: CiMethodOption,
               data_cutoff: date | None, response: ResponseOption, ctcae_version: str, jobs: int | None,
               description: str = "evaluating", activity_tolerance: float | None = None,
               spark: SparkRun | None = None,
               performance_test: PerformanceTestOption = PerformanceTestOption.exact) -> None:
    """Evaluate, report, print the files written; exit 1 when no input could be read or the FHIR resources
    make no patient to evaluate (nothing written), 2 when the Spark backend (``spark``) cannot run here, 3
    when the rule engine failed (nothing written)."""
    from cds.bootstrap import check_tables, memo_size_setting
    from cds.errors import ConfigurationError, EvaluationError, InputError
    from cds.input_checks import (
        EVALUATION_FAILED,
        check_ctcae_version,
        check_out_dir,
        echo_evaluation_error,
        echo_input_error,
    )
    from cds.report.cohort import ReportSettings
    from cds.report.pipeline import generate_report
    from cds.report.progress import TerminalProgress
    from cds.report.spark_backend import SparkJobFailed, SparkUnavailable
    from cds.report.survival import ci_method as parse_ci

    formats = formats_option(output_format)
    check_ctcae_version(ctcae_version)
    check_out_dir(out)
    if spark is not None:
        _check_spark()
    try:
        check_tables(ctcae_version)
        memo_size_setting()  # read by every worker process: refused once, here
    except ConfigurationError as exc:  # the rule tables disagree (e.g. a dose class names an unknown term)
        typer.echo(f"prrt-cds: configuration error: {exc}", err=True)
        raise typer.Exit(2) from None
    settings = ReportSettings(ci_method=parse_ci(ci_method.value), data_cutoff=data_cutoff,
                              confirmed=response is ResponseOption.confirmed, performance_test=performance_test.value)
    if activity_tolerance is not None:
        settings = replace(settings, activity_tolerance=activity_tolerance / 100)
    try:
        with TerminalProgress(description) as progress:
            report, written = generate_report(paths, out, formats, settings, ctcae_version, jobs, progress, spark)
    except SparkUnavailable as exc:
        typer.echo(f"prrt-cds: {exc}", err=True)
        raise typer.Exit(2) from None
    except SparkJobFailed as exc:
        typer.echo(f"prrt-cds: {exc}", err=True)
        raise typer.Exit(1) from None
    except InputError as exc:
        echo_input_error(exc)
        raise typer.Exit(1) from None
    except EvaluationError as exc:  # the report is written only after every patient: nothing was written
        echo_evaluation_error(exc, "no report was written")
        raise typer.Exit(EVALUATION_FAILED) from None
    except OSError as exc:  # the report could not be written (disk full, permissions): said, not a traceback
        typer.echo(f"prrt-cds: cannot write the report to {out}: {exc.strerror or type(exc).__name__}", err=True)
        raise typer.Exit(1) from None
    for path in written:
        typer.echo(str(path))
    unreadable = sum(1 for i in report.issues if i.severity == "error" and i.patient is None)
    if report.files_read and unreadable >= report.files_read and not report.n_patients:
        raise typer.Exit(1)


def _check_spark() -> None:
    """Before anything is read: one line and exit 2 when pyspark or Java is missing."""
    from cds.report.spark_backend import spark_problem

    problem = spark_problem()
    if problem is not None:
        typer.echo(f"prrt-cds: {problem}", err=True)
        raise typer.Exit(2)


def report(
    paths: FhirPaths,
    out: Annotated[Path, typer.Option("--out", help="directory to write the report into")],
    output_format: ReportFormats = ALL_FORMATS,
    ci_method: CiMethod = CiMethodOption.log_log,
    performance_test: PerformanceTest = PerformanceTestOption.exact,
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
    backend: Annotated[BackendOption, typer.Option("--backend", help=BACKEND_HELP)] = BackendOption.local,
    spark_master: Annotated[str | None, typer.Option("--spark-master", metavar="URL", help=SPARK_MASTER_HELP)] = None,
    spark_conf: Annotated[list[str] | None, typer.Option("--spark-conf", metavar="KEY=VALUE",
                                                         help=SPARK_CONF_HELP)] = None,
) -> None:
    """Cohort report: survival, response, toxicity and performance status, as JSON, Markdown and HTML."""
    from cds.input_checks import parse_day
    from cds.report.spark_backend import DEFAULT_MASTER, SparkRun

    if backend is BackendOption.local and (spark_master is not None or spark_conf):
        raise typer.BadParameter("--spark-master and --spark-conf need --backend spark", param_hint="--backend")
    if backend is BackendOption.spark and jobs is not None:
        raise typer.BadParameter("--jobs is for --backend local; Spark's cores are those of --spark-master",
                                 param_hint="--jobs")
    spark = None
    if backend is BackendOption.spark:
        spark = SparkRun(master=spark_master or DEFAULT_MASTER, conf=spark_conf_option(spark_conf or []))
    run_report(paths, out, output_format, ci_method, parse_day(data_cutoff, DATA_CUTOFF), response,
               ctcae_version, jobs, activity_tolerance=activity_tolerance, spark=spark,
               performance_test=performance_test)
