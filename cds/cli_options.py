"""The command-line options that more than one command takes, each defined once (``typer`` ``Annotated`` aliases).

``evaluate``, ``report`` and ``demo`` use these, so that an option reads, helps and fails the same way in
each. A date option stays a string here and is parsed in the command by ``cds.input_checks.parse_day``
under the option's own name (``AS_OF``, ``DATA_CUTOFF``), which keeps its usage error the same everywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

AS_OF = "--as-of"
DATA_CUTOFF = "--data-cutoff"
FORMATS_HELP = "comma-separated: md,html,json"

FhirPaths = Annotated[list[Path], typer.Argument(help="FHIR Bundle / NDJSON files or directories")]
AsOf = Annotated[str | None, typer.Option(AS_OF, help="'today' for the next-cycle decision")]
DataCutoff = Annotated[str | None, typer.Option(
    DATA_CUTOFF, help="YYYY-MM-DD: facts after it are not used; living patients are censored on it "
                      "(default: each patient's latest date)")]
CtcaeVersion = Annotated[str, typer.Option("--ctcae-version", help="CTCAE table in rules/ to grade with")]
ReportFormats = Annotated[str, typer.Option("--format", help=FORMATS_HELP)]
Jobs = Annotated[int | None, typer.Option("--jobs", min=1, help="worker processes (default: all CPUs)")]
