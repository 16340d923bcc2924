"""Toxicity: the worst CTCAE grade per patient per term, counted by grade.

Each patient counts once per term, at the worst grade of its laboratory results from the first cycle
on. ``graded`` is the number of patients with at least one gradable result for the term (the
denominator); terms where no patient reached grade 1 are left out of the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

GRADES = (1, 2, 3, 4)


@dataclass(frozen=True)
class ToxicityRow:
    term: str
    by_grade: dict[int, int]
    graded: int

    @property
    def any_grade(self) -> int:
        return sum(self.by_grade.values())


@dataclass(frozen=True)
class ToxicityTable:
    rows: tuple[ToxicityRow, ...]
    grades: tuple[int, ...] = GRADES


def worst_grade_table(worst: Sequence[Mapping[str, int]]) -> ToxicityTable:
    """One row per term with grade >= 1 in any patient; ``worst`` holds each patient's term -> worst grade."""
    graded: dict[str, int] = {}
    counts: dict[str, dict[int, int]] = {}
    top = max(GRADES)
    for patient in worst:
        for term, grade in patient.items():
            graded[term] = graded.get(term, 0) + 1
            if grade >= 1:
                row = counts.setdefault(term, {})
                row[grade] = row.get(grade, 0) + 1
                top = max(top, grade)
    grades = tuple(range(1, top + 1))
    rows = [ToxicityRow(term, {g: counts[term].get(g, 0) for g in grades}, graded[term]) for term in counts]
    rows.sort(key=lambda r: (-r.any_grade, -max((g for g, n in r.by_grade.items() if n), default=0), r.term))
    return ToxicityTable(tuple(rows), grades)
