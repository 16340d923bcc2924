"""The ``prrt-cds`` command line: evaluate | report | serve | demo (docs/outputs.md)."""

from __future__ import annotations

import contextlib
import os
import sys
from enum import StrEnum
from itertools import chain
from pathlib import Path
from typing import Annotated

import typer

from cds.cli_options import AS_OF, AsOf, CtcaeVersion, FhirPaths
from cds.demo.command import demo as demo_command
from cds.document import write_json, write_ndjson, write_text
from cds.errors import ConfigurationError, EvaluationError, InputError
from cds.evaluation import DEFAULT_CTCAE_VERSION, EvaluationStream, evaluation_stream
from cds.gc_pause import batch_collection
from cds.input_checks import (
    EVALUATION_FAILED,
    check_ctcae_version,
    echo_evaluation_error,
    echo_input_error,
    no_patients,
    no_resources,
    parse_day,
)
from cds.report.command import report as report_command

app = typer.Typer(
    name="prrt-cds",
    help="Clinical decision support for 177Lu-DOTATATE PRRT from FHIR data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # an unexpected error is reported by ``run``, never as a traceback
)

INTERNAL_ERROR = 70  # exit code: a defect of prrt-cds stopped the run (EX_SOFTWARE); no result
DEBUG_VARIABLE = "PRRT_CDS_DEBUG"  # set to 1: an unexpected error is raised with its traceback


def run(args: list[str] | None = None) -> None:
    """The ``prrt-cds`` console command: ``app``, with an unexpected error reported in one line.

    An error no command expects (a defect) stops the run with exit code 70 and its type only: its text
    and a traceback can quote the input (a validation error quotes the value it refused), so neither is
    shown unless PRRT_CDS_DEBUG=1. What was written to stdout before it is cut short and is not a result."""
    try:
        app(args)
    except Exception as exc:
        if os.environ.get(DEBUG_VARIABLE, "").strip() == "1":
            raise
        with contextlib.suppress(OSError):  # a closed pipe: the message below still goes to stderr
            sys.stdout.flush()
        typer.echo(
            f"prrt-cds: internal error ({type(exc).__name__}): the run stopped and has no result (what was written "
            f"to stdout is cut short); its details may quote patient data and are not shown "
            f"({DEBUG_VARIABLE}=1 shows them)", err=True)
        sys.exit(INTERNAL_ERROR)


class OutputFormat(StrEnum):
    json = "json"
    ndjson = "ndjson"
    text = "text"


def _write(stream: EvaluationStream, output_format: OutputFormat) -> int:
    """The evaluation on standard output as each patient is done; the number of patients."""
    if output_format is OutputFormat.text:
        return write_text(stream, sys.stdout)
    sys.stdout.flush()
    write = write_json if output_format is OutputFormat.json else write_ndjson
    count = write(stream, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    return count


@app.command()
def evaluate(
    paths: FhirPaths,
    as_of: AsOf = None,
    output_format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.json,
    ctcae_version: CtcaeVersion = DEFAULT_CTCAE_VERSION,
) -> None:
    """Map FHIR input to facts, run every ruleset, print the result per patient (json: one document;
    ndjson: a line per patient as it is done, then a line of what belongs to no patient; text)."""
    day = parse_day(as_of, AS_OF)
    check_ctcae_version(ctcae_version)
    try:
        with batch_collection(), evaluation_stream(paths, day, ctcae_version) as stream:
            if not stream.resources:  # nothing to evaluate is a failure, never an empty "all is well"
                raise no_resources(paths, stream.files_read, stream.issues)
            first = next(stream.patients, None)  # before anything is written: no document without a patient
            if first is None:  # FHIR resources, none of them a patient's (only Medications, no subject)
                raise no_patients(paths, stream.resources, stream.issues)
            stream.patients = chain([first], stream.patients)
            _write(stream, output_format)
    except InputError as exc:
        echo_input_error(exc)
        raise typer.Exit(1) from None
    except ConfigurationError as exc:  # the rule tables disagree (e.g. a dose class names an unknown term)
        typer.echo(f"prrt-cds: configuration error: {exc}", err=True)
        raise typer.Exit(2) from None
    except EvaluationError as exc:  # mid-stream: what is on stdout already is cut short, never a result
        sys.stdout.flush()
        echo_evaluation_error(exc, "the output on stdout is cut short and is not a result")
        raise typer.Exit(EVALUATION_FAILED) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    config: Annotated[Path | None, typer.Option("--config", help="service configuration (TOML)")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="uvicorn worker processes")] = 1,
) -> None:
    """The CDS Hooks 2.0 service (uvicorn); configuration: TOML file and PRRT_CDS_* variables."""
    from cds.hooks.runtime.serve import serve as run_service  # FastAPI is loaded only for this command
    from cds.hooks.store import StoreError

    try:
        run_service(host, port, config, workers)
    except (ConfigurationError, StoreError) as exc:
        typer.echo(f"prrt-cds: {exc}", err=True)
        raise typer.Exit(2) from None


app.command("report")(report_command)
app.command("demo")(demo_command)


@app.callback()
def main() -> None:
    """prrt-cds: CTCAE v5.0 grading, RECIST 1.1 response and Lutathera dose alerts from FHIR."""
