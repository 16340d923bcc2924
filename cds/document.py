"""Render an ``Evaluation`` as the stable JSON document of docs/outputs.md, or as text.

``write_json``, ``write_ndjson`` and ``write_text`` write an evaluation given patient by patient
(``cds.evaluation.evaluation_stream``) as each patient is done, never holding the whole document.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, Protocol

from cds.bootstrap import CONCERNS
from cds.ctcae.document import graded_lines, ungraded_lines
from cds.dose.document import alerts_document, alerts_text
from cds.dosimetry.document import dosimetry_text
from cds.evaluation import Evaluation, PatientEvaluation
from cds.facts import Issue
from cds.jsonio import dumps_indented, dumps_line, indented
from cds.protocol.document import attach, protocol_text
from cds.protocol.hold import held
from cds.recist.document import recist_lines


def _issue(issue: Issue) -> dict[str, Any]:
    return {"severity": issue.severity, "resource": issue.resource, "message": issue.message}


class Streamed(Protocol):
    """An evaluation given patient by patient: ``cds.evaluation.EvaluationStream``, or an ``Evaluation``."""

    @property
    def ruleset_version(self) -> str: ...

    @property
    def patients(self) -> Iterable[PatientEvaluation]: ...

    @property
    def issues(self) -> tuple[Issue, ...]: ...  # complete once ``patients`` is exhausted

    @property
    def files_read(self) -> int: ...

def patient_document(result: PatientEvaluation) -> dict[str, Any]:
    timeline = result.timeline
    document: dict[str, Any] = {"patient": timeline.patient.ref}
    if timeline.patient.deceased:  # no cycle is decided from the day of death on (cds.dose.schedule)
        death = timeline.patient.death_date
        document["deceased"] = {"date": death.isoformat() if death is not None else None}
    document |= {
        "cycles": [
            {
                "number": cycle.number,
                "date": cycle.date.isoformat(),
                "activity_gbq": cycle.activity_gbq,
                "sources": list(cycle.sources),
            }
            for cycle in timeline.cycles
        ],
        # each concern's part of the contract, in registry order: toxicities, responses and
        # best_overall_response, alerts, kidney_dosimetry (docs/outputs.md)
        **{key: value for concern in CONCERNS
           for key, value in concern.document(result.conclusions[concern.name]).items()},
        "issues": [_issue(issue) for issue in result.issues],
    }
    alerts = held(result.alerts, result.protocol_checks)  # a check that stops the next cycle withholds it
    if "alerts" in document and alerts != result.alerts:
        document["alerts"] = alerts_document(alerts)
    attach(document.get("alerts", []), result.protocol_checks)  # on the next cycle's alert (docs/outputs.md)
    return document


def to_document(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "ruleset_version": evaluation.ruleset_version,
        "patients": [patient_document(p) for p in evaluation.patients],
        "issues": [_issue(issue) for issue in evaluation.issues],
    }


def write_json(evaluation: Streamed, out: BinaryIO) -> int:
    """The document of ``to_document`` as ``json.dump(document, out, indent=2)`` writes it (and a newline),
    one patient at a time; the number of patients written."""
    out.write(b'{\n  "ruleset_version": ' + dumps_indented(evaluation.ruleset_version) + b',\n  "patients": [')
    count = 0
    for result in evaluation.patients:
        out.write(b"\n" if count == 0 else b",\n")
        out.write(indented(dumps_indented(patient_document(result)), 4))
        count += 1
    out.write(b"\n  ],\n" if count else b"],\n")
    issues = dumps_indented([_issue(issue) for issue in evaluation.issues])
    out.write(b'  "issues": ' + indented(issues, 2)[2:] + b"\n}\n")
    return count


def write_ndjson(evaluation: Streamed, out: BinaryIO) -> int:
    """One line per patient (the document's patient object), each flushed as that patient is done, then one
    line of what belongs to no patient (docs/outputs.md, "NDJSON"); the number of patients written."""
    count = 0
    for result in evaluation.patients:
        out.write(dumps_line(patient_document(result)) + b"\n")
        out.flush()
        count += 1
    out.write(dumps_line({
        "ruleset_version": evaluation.ruleset_version,
        "patients": count,
        "files_read": evaluation.files_read,
        "issues": [_issue(issue) for issue in evaluation.issues],
    }) + b"\n")
    return count


# Control characters and the Unicode line breaks, which a value from the input (a reference, a unit, a
# text) could carry into a line of the text output: shown escaped, so that no value starts a line of its own
# (a "cycle 9: proceed at 7.4 GBq" written into a Patient id would otherwise read as a line of prrt-cds's own).
_BREAKS = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_BREAKS |= {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def one_line(text: str) -> str:
    """``text`` with its control characters and line breaks escaped (``\\n``, ``\\x1b``): one line of text."""
    return text.translate(_BREAKS)


def _patient_text(result: PatientEvaluation) -> Iterator[str]:
    doc = patient_document(result)
    yield ""
    yield f"{doc['patient']}"
    if "deceased" in doc:
        death = doc["deceased"]["date"]
        yield (f"  recorded as deceased on {death}: no Lutathera cycle is decided from that day on" if death else
               "  recorded as deceased (no date of death): no Lutathera cycle is decided")
    for cycle in doc["cycles"]:
        activity = "activity unknown" if cycle["activity_gbq"] is None else f"{cycle['activity_gbq']:g} GBq"
        yield f"  cycle {cycle['number']}  {cycle['date']}  {activity}"
    yield from graded_lines(result.toxicities)
    yield from alerts_text(held(result.alerts, result.protocol_checks))
    yield from dosimetry_text(result.kidney_dosimetry)
    yield from recist_lines(result.recist)
    yield from protocol_text(result.protocol_checks)
    yield from ungraded_lines(result.toxicities)
    for issue in doc["issues"]:
        yield f"  [{issue['severity']}] {issue['resource']}: {issue['message']}"


def _text_lines(evaluation: Streamed) -> Iterator[str]:
    yield f"ruleset {evaluation.ruleset_version}"
    for result in evaluation.patients:
        yield from map(one_line, _patient_text(result))
    for issue in evaluation.issues:
        yield one_line(f"[{issue.severity}] {issue.resource}: {issue.message}")


def to_text(evaluation: Evaluation) -> str:
    return "\n".join(_text_lines(evaluation)) + "\n"


def write_text(evaluation: Streamed, out: Any) -> int:
    """``to_text``, written to a text stream one patient at a time; the number of patients written."""
    count = 0
    out.write(f"ruleset {evaluation.ruleset_version}\n")
    for result in evaluation.patients:
        out.write("".join(one_line(line) + "\n" for line in _patient_text(result)))
        count += 1
    for issue in evaluation.issues:
        out.write(one_line(f"[{issue.severity}] {issue.resource}: {issue.message}") + "\n")
    return count
