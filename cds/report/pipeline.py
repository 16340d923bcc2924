"""The report end to end: FHIR input -> evaluation -> cohort figures -> files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from cds.report.cohort import CohortReport, ReportSettings, build_report
from cds.report.collect import Progress, Settings, collect
from cds.report.render import FORMATS, write_report

if TYPE_CHECKING:
    from cds.report.spark_backend import SparkRun


def generate_report(
    paths: Iterable[str | Path],
    out_dir: Path,
    formats: Iterable[str] = FORMATS,
    settings: ReportSettings | None = None,
    ctcae_version: str | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    spark: SparkRun | None = None,
) -> tuple[CohortReport, list[Path]]:
    """Evaluate the input, build the cohort figures and write the chosen formats into ``out_dir``.

    ``spark``: evaluate on Spark (``cds.report.spark_backend``) instead of this machine's processes;
    the report is the same. Raises InputError when a path cannot be read at all, SparkUnavailable
    when Spark cannot run.
    """
    settings = settings or ReportSettings()
    evaluation = Settings(data_cutoff=settings.data_cutoff, confirmed=settings.confirmed)
    if ctcae_version is not None:
        evaluation = Settings(data_cutoff=settings.data_cutoff, ctcae_version=ctcae_version,
                              confirmed=settings.confirmed)
    if spark is None:
        data = collect(paths, evaluation, jobs=jobs, progress=progress)
    else:
        from cds.report.spark_backend import collect_spark  # pyspark only when the backend is chosen

        data = collect_spark(paths, evaluation, spark, progress)
    phase: Callable[[str], None] = progress.phase if progress is not None else (lambda name: None)
    report = build_report(data, settings, phase)
    return report, write_report(report, out_dir, formats, phase)
