"""Render an ``Evaluation`` as the stable JSON document of docs/outputs.md, or as text."""

from __future__ import annotations

from typing import Any

from cds.ctcae.conclusions import ToxicityGrade
from cds.dose.document import alerts_document, alerts_text
from cds.evaluation import Evaluation, PatientEvaluation
from cds.facts import Issue
from cds.recist.document import best_document, best_text, responses_document
from cds.tables import shown_unit


def _issue(issue: Issue) -> dict[str, Any]:
    return {"severity": issue.severity, "resource": issue.resource, "message": issue.message}


def _toxicity(grade: ToxicityGrade) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "term": grade.term,
        "ctcae_version": grade.ctcae_version,
        "grade": grade.grade,
        "observation": grade.observation,
        "effective": grade.effective.isoformat().replace("+00:00", "Z"),
        "cycle": grade.cycle,
    }
    if grade.value is not None:
        entry.update(value=grade.value, unit=grade.unit, range_source=grade.range_source)
        entry.update(value_canonical=grade.value_canonical, unit_canonical=grade.unit_canonical,
                     lln=grade.lln, uln=grade.uln)
        if grade.baseline is not None:
            entry["baseline"] = grade.baseline
    if grade.grade is not None:
        entry.update(criterion=grade.criterion, rule=grade.rule, criterion_set=grade.criterion_set)
    else:
        entry["reason"] = grade.reason
    if grade.notes:
        entry["notes"] = list(grade.notes)
    if grade.derived_from:
        entry["derived_from"] = list(grade.derived_from)
    if grade.converted_from is not None:
        entry["converted_from"] = grade.converted_from
    return entry


def _converted(grade: ToxicityGrade) -> str:
    """How the text output says a value was graded after conversion to the SI criteria."""
    if grade.converted_from is None or grade.unit_canonical is None:
        return ""
    converted = f"{grade.value_canonical:.4g} {grade.unit_canonical}"
    return f", graded as {converted}: CTCAE has no {grade.converted_from} criteria"


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
        "toxicities": [_toxicity(grade) for grade in result.toxicities],
        "responses": responses_document(result.recist),
        "best_overall_response": best_document(result.recist),
        "alerts": alerts_document(result.alerts),
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
        graded = [t for t in result.toxicities if t.grade]
        if graded:
            lines.append("  CTCAE grade >= 1:")
        for tox in graded:
            lines.append(
                f"    cycle {tox.cycle}  {tox.effective.date().isoformat()}  {tox.term}: grade {tox.grade}"
                f"  ({tox.value:g} {shown_unit(tox.unit)}{_converted(tox)}; {tox.criterion}) [{tox.rule}]"
            )
        lines += alerts_text(result.alerts)
        recist = result.recist
        if recist is not None and recist.responses:
            burden = ("non-target disease only" if recist.best.non_target_only else
                      "no target sum" if recist.baseline_sum_mm is None else f"sum {recist.baseline_sum_mm:g} mm")
            lines.append(f"  RECIST 1.1 (baseline {recist.baseline_day or 'none'}, {burden}):")
            for tp in recist.responses:
                pct = tp.change_from_baseline_pct
                change = "" if pct is None else f", {pct:+.1f}% vs baseline"
                lines.append(f"    {tp.day.isoformat()}  {tp.overall} ({tp.source}; target {tp.target or 'none'}, "
                             f"non-target {tp.non_target or 'none'}{change})")
            lines.append(f"    {best_text(recist.best)}")
        ungraded = [t for t in result.toxicities if t.grade is None]
        if ungraded:
            lines.append(f"  not gradable: {len(ungraded)} (see the JSON output for reasons)")
        for issue in doc["issues"]:
            lines.append(f"  [{issue['severity']}] {issue['resource']}: {issue['message']}")
    for issue in evaluation.issues:
        lines.append(f"[{issue.severity}] {issue.resource}: {issue.message}")
    return "\n".join(lines) + "\n"
