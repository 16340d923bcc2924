"""What the commands refuse before or instead of evaluating, and how they say it.

- input that holds no FHIR resource at all (an empty folder, an empty file, only non-FHIR JSON) is
  not "no finding": it is ``NoFhirResources``, exit 1, "no FHIR resources found in ...";
- input whose FHIR resources make no patient to evaluate (only Medications, or results whose subject
  names no patient) is not "no finding" either: ``NoPatients``, exit 1, "no patient to evaluate in ...";
- an output directory that is an existing file, or lies below one, is a usage error of its option;
- a CTCAE version without a table is a usage error that lists the versions there are;
- a date option (``--as-of``, ``--data-cutoff``) that is not a date, or lies outside the plausible date
  window of ``fhir_mappings/codes.toml`` (the window every FHIR date is checked against), is a usage
  error of its option: "today" in 0001 or 9999 would otherwise overflow the date arithmetic;
- the rule engine failing during a run (``EvaluationError``) is never "no finding" and never a
  traceback: exit 3 with one line that says the result is incomplete (``echo_evaluation_error``).

Messages name paths and reasons only, never a value from the input.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import typer

from cds.ctcae.table import available_versions
from cds.errors import EvaluationError, InputError, NoFhirResources, NoPatients
from cds.facts import Issue
from cds.reading import SUFFIXES
from cds.tables import codes

MAX_SHOWN = 10  # problems listed before "... and N more"


def _named(paths: Sequence[str | Path]) -> str:
    names = [str(p) for p in paths[:3]]
    more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
    return ", ".join(names) + more


def no_resources(paths: Iterable[str | Path], files_read: int, issues: Iterable[Issue]) -> NoFhirResources:
    """The error for input in which nothing is a FHIR resource, with the file-level issues met."""
    given = list(paths)
    problems = tuple(f"{i.resource}: {i.message}" for i in issues if i.patient is None)
    message = f"no FHIR resources found in {_named(given)}"
    if files_read == 0:
        message += f" (no {', '.join(SUFFIXES[:-1])} or {SUFFIXES[-1]} file)"
    return NoFhirResources(message, problems)


def no_patients(paths: Iterable[str | Path], resources: int, issues: Iterable[Issue]) -> NoPatients:
    """The error for input whose FHIR resources make no patient to evaluate, with the issues of no patient."""
    problems = tuple(f"{i.resource}: {i.message}" for i in issues if i.patient is None)
    read = f"{resources} FHIR resource{'' if resources == 1 else 's'} read"
    return NoPatients(f"no patient to evaluate in {_named(list(paths))}: {read}, none of them a Patient "
                      "or a record of one that prrt-cds uses", problems)


def echo_input_error(exc: InputError) -> None:
    """``prrt-cds: <what went wrong>`` on stderr, after the file problems that led to it."""
    problems = exc.problems if isinstance(exc, NoFhirResources | NoPatients) else ()
    for problem in problems[:MAX_SHOWN]:
        typer.echo(f"prrt-cds: {problem}", err=True)
    if len(problems) > MAX_SHOWN:
        typer.echo(f"prrt-cds: ... and {len(problems) - MAX_SHOWN} more", err=True)
    typer.echo(f"prrt-cds: {exc}", err=True)


EVALUATION_FAILED = 3  # exit code: the rule engine failed, the run has no valid result (docs/outputs.md)


def echo_evaluation_error(exc: EvaluationError, consequence: str) -> None:
    """``prrt-cds: evaluation failed: <the engine's reason>; <consequence>`` on stderr. The reason names a
    ruleset or a fact field, never a value from the input."""
    typer.echo(f"prrt-cds: evaluation failed: {exc}; {consequence}", err=True)


def check_out_dir(out: Path, option: str = "--out") -> None:
    """``out`` must be a directory or a path where one can be made: else a usage error (exit 2)."""
    if out.exists() and not out.is_dir():
        raise typer.BadParameter(f"{out} is an existing file, not a directory", param_hint=option)
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if existing is None:
        return
    if not existing.is_dir():
        raise typer.BadParameter(f"{existing} is a file: cannot make a directory below it", param_hint=option)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise typer.BadParameter(f"cannot write in {existing}", param_hint=option)


def check_ctcae_version(version: str) -> None:
    """A usage error naming the versions that have a table in rules/."""
    versions = sorted(available_versions())
    if version not in versions:
        raise typer.BadParameter(f"no CTCAE table for version {version!r}; available: {', '.join(versions)}",
                                 param_hint="--ctcae-version")


def parse_day(value: str | None, option: str) -> date | None:
    """A date option: None when not given; a usage error naming the option when not a plausible date."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("expected a date YYYY-MM-DD", param_hint=option) from None
    window = codes().dates
    if not window.admits(day):
        raise typer.BadParameter(f"expected a date from {window.window_text()}", param_hint=option)
    return day
