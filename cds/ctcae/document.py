"""CTCAE parts of the output contract (docs/outputs.md: ``toxicities``), as JSON and as text lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cds.ctcae.conclusions import ToxicityGrade
from cds.tables import correction_partner, shown_share, shown_value


def toxicity_entry(grade: ToxicityGrade) -> dict[str, Any]:
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
    if grade.derivation is not None:
        entry["derivation"] = grade.derivation
    if grade.converted_from is not None:
        entry["converted_from"] = grade.converted_from
    return entry


def toxicities_document(grades: Sequence[ToxicityGrade]) -> list[dict[str, Any]]:
    return [toxicity_entry(grade) for grade in grades]


def converted_text(grade: ToxicityGrade) -> str:
    """How the text output says a value was graded after conversion to the SI criteria."""
    if grade.converted_from is None or grade.unit_canonical is None:
        return ""
    converted = f"{grade.value_canonical:.4g} {grade.unit_canonical}"
    return f", graded as {converted}: CTCAE has no {grade.converted_from} criteria"


def graded_value(grade: ToxicityGrade, digits: str | None = None) -> str | None:
    """The value graded as a clinician reads it, with how it was read when not simply as reported: a count
    from a percent differential, "0.4 x10^9/L (20 % of the WBC)", never the percentage alone beside a
    count's thresholds; a calcium "2.9 mmol/L, corrected for albumin" or "2.7 mmol/L, not corrected for
    albumin". ``digits``: the digits the value was reported with."""
    if grade.derivation == "share of the WBC" and grade.value_canonical is not None:
        return shown_share(grade.value_canonical, grade.unit_canonical, grade.value, grade.unit, digits)
    shown = shown_value(grade.value, grade.unit, digits)
    if shown is None or grade.derivation is None:
        return shown
    return f"{shown}, {grade.derivation} for {correction_partner(grade.analyte)}"


def graded_lines(grades: Sequence[ToxicityGrade]) -> list[str]:
    """The text output's "CTCAE grade >= 1" block (nothing when no grade >= 1)."""
    graded = [t for t in grades if t.grade]
    lines = ["  CTCAE grade >= 1:"] if graded else []
    for tox in graded:
        value = f"{graded_value(tox)}{converted_text(tox)}"
        lines.append(
            f"    cycle {tox.cycle}  {tox.effective.date().isoformat()}  {tox.term}: grade {tox.grade}"
            f"  ({value}; {tox.criterion}) [{tox.rule}]"
        )
    return lines


def ungraded_lines(grades: Sequence[ToxicityGrade]) -> list[str]:
    """The text output's count of results that could not be graded (their reasons are in the JSON)."""
    ungraded = [t for t in grades if t.grade is None]
    return [f"  not gradable: {len(ungraded)} (see the JSON output for reasons)"] if ungraded else []
