"""Toxicity: the worst CTCAE grade per patient per term, counted by grade, and the haematological nadirs.

Each patient counts once per term, at the worst grade of its laboratory results from the first cycle
on. ``evaluated`` is the number of patients with at least one gradable result for the term from the
first cycle on (the denominator); every term evaluated in any patient has a row, grade 0 included, so a
term measured in every patient without toxicity is shown as such, not left out. Results that could not
be graded are counted per analyte (``not_graded``), never silently left out.

Nadir: per cycle, the days from the administration to the lowest count before the next cycle
(``cds.report.patient``); the table gives the median and range over all cycles with a count after the
administration, in weeks (days / 7).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median

GRADES = (1, 2, 3, 4)
NADIR_NAMES = {"platelets": "Platelet count", "neutrophils": "Neutrophil count"}


@dataclass(frozen=True)
class ToxicityRow:
    term: str
    by_grade: dict[int, int]
    evaluated: int

    @property
    def any_grade(self) -> int:
        return sum(self.by_grade.values())

    @property
    def grade_3_plus(self) -> int:
        return sum(n for g, n in self.by_grade.items() if g >= 3)

    @property
    def worst(self) -> int:
        return max((g for g, n in self.by_grade.items() if n), default=0)


@dataclass(frozen=True)
class Nadir:
    """Days from administration to the nadir of one count, over ``cycles`` cycles of ``patients``."""

    analyte: str
    name: str
    cycles: int
    patients: int
    median_weeks: float
    min_weeks: float
    max_weeks: float


@dataclass(frozen=True)
class NotGraded:
    """Laboratory results of one analyte from the first cycle on that could not be graded (a unit that
    cannot be converted, no value, a missing limit): left out of the counts above, and counted here."""

    analyte: str
    results: int
    patients: int


@dataclass(frozen=True)
class ToxicityTable:
    rows: tuple[ToxicityRow, ...]
    grades: tuple[int, ...] = GRADES
    nadirs: tuple[Nadir, ...] = ()
    not_graded: tuple[NotGraded, ...] = ()

    @property
    def with_toxicity(self) -> tuple[ToxicityRow, ...]:
        """The rows where some patient reached grade 1 or higher."""
        return tuple(row for row in self.rows if row.any_grade)


def worst_grade_table(worst: Sequence[Mapping[str, int]],
                      nadir_days: Sequence[Mapping[str, Sequence[int]]] = (),
                      not_graded: Sequence[Mapping[str, int]] = ()) -> ToxicityTable:
    """One row per term evaluated in any patient; ``worst`` holds each patient's term -> worst grade
    (0: evaluated, no toxicity), ``nadir_days`` each patient's analyte -> days to the nadir per cycle,
    ``not_graded`` each patient's analyte -> results that could not be graded."""
    evaluated: dict[str, int] = {}
    counts: dict[str, dict[int, int]] = {}
    top = max(GRADES)
    for patient in worst:
        for term, grade in patient.items():
            evaluated[term] = evaluated.get(term, 0) + 1
            row = counts.setdefault(term, {})
            if grade >= 1:
                row[grade] = row.get(grade, 0) + 1
                top = max(top, grade)
    grades = tuple(range(1, top + 1))
    rows = [ToxicityRow(term, {g: counts[term].get(g, 0) for g in grades}, evaluated[term]) for term in counts]
    rows.sort(key=lambda r: (-r.any_grade, -r.worst, r.term))
    return ToxicityTable(tuple(rows), grades, _nadirs(nadir_days), _not_graded(not_graded))


def _not_graded(per_patient: Sequence[Mapping[str, int]]) -> tuple[NotGraded, ...]:
    analytes = sorted({a for p in per_patient for a in p})
    return tuple(NotGraded(a, sum(p.get(a, 0) for p in per_patient), sum(1 for p in per_patient if p.get(a)))
                 for a in analytes)


def _nadirs(per_patient: Sequence[Mapping[str, Sequence[int]]]) -> tuple[Nadir, ...]:
    out = []
    for analyte, name in NADIR_NAMES.items():
        days = [d for p in per_patient for d in p.get(analyte, ())]
        if days:
            weeks = [d / 7 for d in days]
            out.append(Nadir(analyte, name, len(days), sum(1 for p in per_patient if p.get(analyte)),
                             median(weeks), min(weeks), max(weeks)))
    return tuple(out)
