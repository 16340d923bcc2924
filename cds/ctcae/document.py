"""CTCAE parts of the output contract (docs/outputs.md: ``toxicities``), as JSON and as text lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cds.ctcae.conclusions import ToxicityGrade
from cds.tables import shown_share, shown_unit


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


def graded_lines(grades: Sequence[ToxicityGrade]) -> list[str]:
    """The text output's "CTCAE grade >= 1" block (nothing when no grade >= 1)."""
    graded = [t for t in grades if t.grade]
    lines = ["  CTCAE grade >= 1:"] if graded else []
    for tox in graded:
        value = f"{tox.value:g} {shown_unit(tox.unit)}{converted_text(tox)}"
        if tox.derived_from and tox.value_canonical is not None:  # the count graded, not the percentage alone
            value = shown_share(tox.value_canonical, tox.unit_canonical, tox.value, tox.unit)
        lines.append(
            f"    cycle {tox.cycle}  {tox.effective.date().isoformat()}  {tox.term}: grade {tox.grade}"
            f"  ({value}; {tox.criterion}) [{tox.rule}]"
        )
    return lines


def ungraded_lines(grades: Sequence[ToxicityGrade]) -> list[str]:
    """The text output's count of results that could not be graded (their reasons are in the JSON)."""
    ungraded = [t for t in grades if t.grade is None]
    return [f"  not gradable: {len(ungraded)} (see the JSON output for reasons)"] if ungraded else []
