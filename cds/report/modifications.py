"""Dose modifications of the series: what was given, what was recommended, what was stopped and when.

From each patient's summary (``cds.report.patient``), over the cycles given:

- ``given_full`` / ``given_reduced``: cycles whose recorded activity lies within ``tolerance`` (a
  fraction, default 0.10: +/-10%) of the dose table's full (7.4 GBq) or reduced (3.7 GBq) activity;
  an activity near neither, or not recorded, is counted in ``given_other`` / ``activity_unknown``;
- ``decisions``: the recommendation in force when each cycle was given, by action (so they add up to
  ``cycles_given``); the next cycle due is not a cycle given and is not counted;
- ``patients_discontinued``: patients for whom any recommendation of the course was "discontinue",
  with the reasons counted in ``discontinued_why``;
- ``deviations``: cycles given that depart from the recommendation in force (the safety rules of
  ``cds.dose.deviations``), with the count of each kind in ``deviation_kinds``;
- ``delay_days``: for every interval between two consecutive cycles, the days beyond the dose table's
  interval (56 days: 8 weeks), 0 when on time or early; median and maximum over all intervals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from cds.dose.conclusions import DoseCourse
from cds.report.patient import PatientSummary

DEFAULT_ACTIVITY_TOLERANCE = 0.10
ACTIONS = ("proceed", "withhold", "reduce", "discontinue", "labs-needed")


@dataclass(frozen=True)
class Delays:
    """Days beyond the planned interval over ``intervals`` intervals between cycles."""

    intervals: int
    median: float | None
    max: int | None
    delayed: int  # intervals longer than planned


@dataclass(frozen=True)
class DoseModifications:
    cycles_given: int
    given_full: int
    given_reduced: int
    given_other: int
    activity_unknown: int
    decisions: dict[str, int]
    patients_discontinued: int
    discontinued_why: dict[str, int]
    deviations: int
    deviation_kinds: dict[str, int]
    delays: Delays
    full_activity_gbq: float
    reduced_activity_gbq: float
    tolerance: float
    interval_days: int
    patients_reduced: int = 0  # patients with at least one cycle given at the reduced activity
    patients_delayed: int = 0


def _near(activity: float, target: float, tolerance: float) -> bool:
    return abs(activity - target) <= tolerance * target + 1e-9


def summarize_modifications(patients: Sequence[PatientSummary], course: DoseCourse, interval_days: int,
                            tolerance: float = DEFAULT_ACTIVITY_TOLERANCE) -> DoseModifications:
    """The dose modifications of every treated patient. ``tolerance`` is a fraction in [0, 0.5)."""
    if not 0 <= tolerance < 0.5:
        raise ValueError("the activity tolerance is a fraction from 0 to below 0.5")
    full, reduced = course.full_activity_gbq, course.reduced_activity_gbq
    counts = Counter[str]()
    decisions = Counter[str]({action: 0 for action in ACTIONS})
    why = Counter[str]()
    kinds = Counter[str]()
    delays: list[int] = []
    deviations = discontinued = patients_reduced = patients_delayed = 0
    for p in patients:
        had_reduced = False
        for activity in p.activities_gbq:
            if activity is None:
                counts["unknown"] += 1
            elif _near(activity, full, tolerance):
                counts["full"] += 1
            elif _near(activity, reduced, tolerance):
                counts["reduced"] += 1
                had_reduced = True
            else:
                counts["other"] += 1
        patients_reduced += had_reduced
        decisions.update(p.cycle_actions)
        for found in p.cycle_deviations:
            if found:
                deviations += 1
                kinds.update(found)
        if p.discontinued:
            discontinued += 1
            why.update(p.discontinued)
        gaps = [max(0, (b - a).days - interval_days) for a, b in zip(p.cycle_days, p.cycle_days[1:], strict=False)]
        delays += gaps
        patients_delayed += any(gaps)
    return DoseModifications(
        cycles_given=sum(p.n_cycles for p in patients),
        given_full=counts["full"], given_reduced=counts["reduced"], given_other=counts["other"],
        activity_unknown=counts["unknown"],
        decisions=dict(decisions), patients_discontinued=discontinued,
        discontinued_why=dict(why.most_common()), deviations=deviations, deviation_kinds=dict(kinds.most_common()),
        delays=Delays(len(delays), median(delays) if delays else None, max(delays) if delays else None,
                      sum(1 for d in delays if d > 0)),
        full_activity_gbq=full, reduced_activity_gbq=reduced, tolerance=tolerance, interval_days=interval_days,
        patients_reduced=patients_reduced, patients_delayed=patients_delayed,
    )
