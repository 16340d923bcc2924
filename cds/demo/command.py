"""``prrt-cds demo [--out DIR] [--patients N] [--seed S]``: write a synthetic cohort, then evaluate and
report it. Registered in ``cds.cli``.

The cohort size is bounded twice before anything is written: by ``--max-patients`` (a setting, also
``PRRT_CDS_DEMO_MAX_PATIENTS``), and by an estimate of the output size against the free space where
``--out`` is, so that a mistyped size is a usage error, not a full disk.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from cds.cli_options import Jobs, ReportFormats
from cds.demo import DEFAULT_SEED, SERIES_SIZE
from cds.evaluation import DEFAULT_CTCAE_VERSION
from cds.report.command import (
    ALL_FORMATS,
    CiMethod,
    CiMethodOption,
    PerformanceTest,
    PerformanceTestOption,
    ResponseOption,
    formats_option,
    run_report,
)

DEFAULT_MAX_PATIENTS = 100_000
# Measured: a random cohort's Bundles are about 81-83 KiB per patient (the published series too, since
# the demo writes the full panel and the treatment context); the estimate allows 92 KiB each, 4 KiB per
# patient for the report and 16 MiB for its figures.
BYTES_PER_PATIENT = 96 * 1024
FIXED_BYTES = 16 * 1024 * 1024


def estimated_bytes(patients: int) -> int:
    """What ``demo`` writes for ``patients`` patients (FHIR Bundles and the report), generously."""
    return patients * BYTES_PER_PATIENT + FIXED_BYTES


def _free_bytes(out: Path) -> int | None:
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if existing is None:
        return None
    try:
        return shutil.disk_usage(existing).free
    except OSError:
        return None


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover - the loop returns


def check_cohort_size(patients: int, max_patients: int, out: Path) -> None:
    """Usage errors (exit 2) for a cohort over the maximum or larger than the free disk space."""
    if patients > max_patients:
        raise typer.BadParameter(f"at most {max_patients} patients (--max-patients); got {patients}",
                                 param_hint="--patients")
    free = _free_bytes(out)
    need = estimated_bytes(patients)
    if free is not None and need > free:
        raise typer.BadParameter(f"{patients} patients need about {_size(need)} in {out}; only {_size(free)} free",
                                 param_hint="--patients")


def demo(
    out: Annotated[Path, typer.Option("--out", help="directory for fhir/ and report/")] = Path("prrt-cds-demo"),
    patients: Annotated[int, typer.Option(
        "--patients", min=1, help=f"cohort size; {SERIES_SIZE} (the default) is the published series")] = SERIES_SIZE,
    seed: Annotated[int, typer.Option("--seed", help="random seed (dates, lab noise; random cohorts)")] = DEFAULT_SEED,
    output_format: ReportFormats = ALL_FORMATS,
    ci_method: CiMethod = CiMethodOption.log_log,
    performance_test: PerformanceTest = PerformanceTestOption.exact,
    jobs: Jobs = None,
    max_patients: Annotated[int, typer.Option(
        "--max-patients", min=1, envvar="PRRT_CDS_DEMO_MAX_PATIENTS",
        help="the largest cohort --patients may ask for")] = DEFAULT_MAX_PATIENTS,
    ctcae_version: Annotated[
        str, typer.Option("--ctcae-version", help="CTCAE table in rules/ to grade with")] = DEFAULT_CTCAE_VERSION,
) -> None:
    """Write a synthetic PRRT cohort as FHIR R4 Bundles (DIR/fhir), then evaluate and report it (DIR/report)."""
    from cds.demo.cohort import write_cohort
    from cds.input_checks import check_ctcae_version, check_out_dir
    from cds.report.progress import TerminalProgress

    formats_option(output_format)
    check_ctcae_version(ctcae_version)  # before anything is written
    for folder in (out, out / "fhir", out / "report"):
        check_out_dir(folder)
    check_cohort_size(patients, max_patients, out)
    try:
        with TerminalProgress("writing FHIR") as progress:
            progress.start(patients, "patients")
            fhir_dir = write_cohort(out / "fhir", patients, seed, jobs, progress.advance)
    except OSError as exc:
        typer.echo(f"prrt-cds: cannot write the cohort to {out}: {exc.strerror or type(exc).__name__}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{patients} patients written to {fhir_dir}")
    run_report([fhir_dir], out / "report", output_format, ci_method, None, ResponseOption.confirmed,
               ctcae_version, jobs, performance_test=performance_test)
