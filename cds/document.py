"""Render an ``Evaluation`` as the stable JSON document of docs/outputs.md, or as text."""

from __future__ import annotations

from typing import Any

from cds.ctcae.document import graded_lines, toxicities_document, ungraded_lines
from cds.dose.conclusions import Deviation, DoseAlert, DoseReason, LabsUsed
from cds.dose.labs_used import labs_text
from cds.evaluation import Evaluation, PatientEvaluation
from cds.facts import Issue
from cds.recist.document import best_document, recist_lines, responses_document
from cds.tables import shown_value


def _issue(issue: Issue) -> dict[str, Any]:
    return {"severity": issue.severity, "resource": issue.resource, "message": issue.message}


def _reason(reason: DoseReason) -> dict[str, Any]:
    entry: dict[str, Any] = {"rule": reason.rule, "text": reason.text}
    for key in ("term", "grade", "value", "unit", "value_text", "detail", "source", "status"):
        value = getattr(reason, key)
        if value is not None:
            entry[key] = value
    entry["observations"] = list(reason.observations)
    return entry


def _deviation(deviation: Deviation) -> dict[str, Any]:
    return {"kind": deviation.kind, "text": deviation.text, "rule": deviation.rule, "source": deviation.source}


def _labs(labs: LabsUsed | None) -> dict[str, Any] | None:
    if labs is None:
        return None
    return {
        "oldest": labs.oldest.isoformat() if labs.oldest else None,
        "latest": labs.latest.isoformat() if labs.latest else None,
        "age_days": labs.age_days, "max_age_days": labs.max_age_days, "stale": labs.stale,
        "observations": list(labs.observations),
    }


def _alert(alert: DoseAlert) -> dict[str, Any]:
    entry = {
        "cycle": alert.cycle,
        "due": alert.due.isoformat(),
        "decision_date": alert.decision_date.isoformat(),
        "given": alert.given,
        "given_activity_gbq": alert.given_activity_gbq,
        "action": alert.action,
        "indicator": alert.indicator,
        "recommended_activity_gbq": alert.recommended_activity_gbq,
        "reasons": [_reason(reason) for reason in alert.reasons],
        "labs": _labs(alert.labs),
    }
    if alert.given:  # docs/outputs.md: a cycle given says where it departs from the recommendation
        entry["deviation"] = _deviation(alert.deviation) if alert.deviation else None
        entry["deviations"] = [_deviation(d) for d in alert.deviations]
    return entry


def _reason_text(reason: DoseReason) -> str:
    found = []
    if reason.value is not None:
        value = shown_value(reason.value, reason.unit, reason.value_text) or ""
        if value not in (reason.detail or ""):
            found.append(value)
    if reason.detail:
        found.append(reason.detail)
    if reason.observations:
        found.append(", ".join(reason.observations))
    return f"{reason.text}" + (f" ({'; '.join(found)})" if found else "") + f" [{reason.rule}]"


def patient_document(result: PatientEvaluation) -> dict[str, Any]:
    timeline = result.timeline
    return {
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
        "toxicities": toxicities_document(result.toxicities),
        "responses": responses_document(result.recist),
        "best_overall_response": best_document(result.recist),
        "alerts": [_alert(alert) for alert in result.alerts],
        "issues": [_issue(issue) for issue in result.issues],
    }


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
        for alert in result.alerts:
            activity = "" if alert.recommended_activity_gbq is None else f" at {alert.recommended_activity_gbq:g} GBq"
            if alert.given:
                given = "activity not recorded" if alert.given_activity_gbq is None else \
                    f"{alert.given_activity_gbq:g} GBq given"
                state = f"given {alert.decision_date.isoformat()}, {given}"
            else:
                state = f"due {alert.due.isoformat()}"
            lines.append(f"  cycle {alert.cycle} ({state}): {alert.action}{activity}")
            lines.append(f"    {labs_text(alert.labs, alert.decision_date.isoformat())}")
            for deviation in alert.deviations:
                lines.append(f"    ! deviation ({deviation.kind}): {deviation.text} [{deviation.rule}]")
            for reason in alert.reasons:
                lines.append(f"    - {_reason_text(reason)}")
        lines += recist_lines(result.recist)
        lines += ungraded_lines(result.toxicities)
        for issue in doc["issues"]:
            lines.append(f"  [{issue['severity']}] {issue['resource']}: {issue['message']}")
    for issue in evaluation.issues:
        lines.append(f"[{issue.severity}] {issue.resource}: {issue.message}")
    return "\n".join(lines) + "\n"
