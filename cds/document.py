"""Render an ``Evaluation`` as the stable JSON document of docs/outputs.md, or as text."""

from __future__ import annotations

from typing import Any

from cds.bootstrap import CONCERNS
from cds.ctcae.document import graded_lines, ungraded_lines
from cds.dose.document import alerts_text
from cds.dosimetry.document import dosimetry_text
from cds.evaluation import Evaluation, PatientEvaluation
from cds.facts import Issue
from cds.protocol.document import attach, protocol_text
from cds.recist.document import recist_lines


def _issue(issue: Issue) -> dict[str, Any]:
    return {"severity": issue.severity, "resource": issue.resource, "message": issue.message}




def patient_document(result: PatientEvaluation) -> dict[str, Any]:
    timeline = result.timeline
    document = {
        "patient": timeline.patient.ref,
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
    attach(document.get("alerts", []), result.protocol_checks)  # on the next cycle's alert (docs/outputs.md)
    return document


def to_document(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "ruleset_version": evaluation.ruleset_version,
        "patients": [patient_document(p) for p in evaluation.patients],
        "issues": [_issue(issue) for issue in evaluation.issues],
    }


def to_text(evaluation: Evaluation) -> str:
    lines = [f"ruleset {evaluation.ruleset_version}"]
    for result in evaluation.patients:
        doc = patient_document(result)
        lines.append("")
        lines.append(f"{doc['patient']}")
        for cycle in doc["cycles"]:
            activity = "activity unknown" if cycle["activity_gbq"] is None else f"{cycle['activity_gbq']:g} GBq"
            lines.append(f"  cycle {cycle['number']}  {cycle['date']}  {activity}")
        lines += graded_lines(result.toxicities)
        lines += alerts_text(result.alerts)
        lines += dosimetry_text(result.kidney_dosimetry)
        lines += recist_lines(result.recist)
        lines += protocol_text(result.protocol_checks)
        lines += ungraded_lines(result.toxicities)
        for issue in doc["issues"]:
            lines.append(f"  [{issue['severity']}] {issue['resource']}: {issue['message']}")
    for issue in evaluation.issues:
        lines.append(f"[{issue.severity}] {issue.resource}: {issue.message}")
    return "\n".join(lines) + "\n"
