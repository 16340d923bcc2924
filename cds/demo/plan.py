"""What each synthetic patient is meant to show: the plan the FHIR resources are drawn from.

With 16 patients (the default) the plans are the published series, row by row (``SERIES``): 8 women
and 8 men aged 24-74 (median 60.5), 1-7 cycles (median 3.5), 7.4-49.95 GBq (median 20.35), best overall
response 2 CR / 11 PR / 1 SD / 2 PD, 3 deaths, WBC decreased and anaemia of grades 1-2, ECOG 1.5 -> 1 and
KPS 75 -> 80. The survival times are chosen so that the Kaplan-Meier median is 700 days (23.0 months)
and median -/+ 1.96 SE(median) (Collett's SE) is 7.90-38.09 months. The seed moves calendar dates and
laboratory noise only, never these figures.

With any other number, plans are drawn at random (seeded, one random stream per patient, so a
patient's plan does not depend on how the cohort is split into processes), shaped like a PRRT
population: mostly four cycles of 7.4 GBq, some reduced to 3.7 GBq, deaths and censoring over up to
five years of follow-up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

Sex = Literal["female", "male"]
Bor = Literal["CR", "PR", "SD", "PD"]

SERIES_SIZE = 16
CYCLE_GAP_DAYS = 56  # Lutathera US PI section 2.2: every 8 weeks
ASSESSMENT_GAP_DAYS = 91  # tumour assessment every 3 months
AFTER_TREATMENT_DAYS = 56  # the post-treatment visit, 8 weeks after the last cycle


@dataclass(frozen=True)
class PatientPlan:
    """One patient's course, in days from the first administration (day 0).

    ``follow_up_days``: the day of death (``dead``) or of the last contact (censored).
    ``progression_day``: the tumour assessment that shows progression, if any.
    ``worst_grades``: the worst CTCAE grade to show per analyte (``wbc``, ``hemoglobin``, ``platelets``).
    """

    pid: str
    sex: Sex
    age: int
    activities: tuple[float, ...]
    bor: Bor
    follow_up_days: int
    dead: bool
    progression_day: int | None
    ecog: tuple[int, int]
    kps: tuple[int, int]
    worst_grades: dict[str, int] = field(default_factory=dict)


# The published series. Columns: sex, age, activities (GBq), best response, follow-up days, dead,
# progression day, ECOG before/after, KPS before/after, worst WBC decreased / anaemia grade.
_ROWS: tuple[tuple[Sex, int, tuple[float, ...], Bor, int, bool, int | None, tuple[int, int], tuple[int, int],
                   int, int], ...] = (
    ("female", 63, (7.4, 7.4), "PR", 184, False, None, (1, 1), (80, 80), 1, 0),
    ("male", 55, (7.4, 7.4, 3.7), "PR", 189, False, None, (2, 1), (70, 80), 0, 1),
    ("female", 70, (7.4, 5.55, 3.7), "PR", 195, False, None, (1, 1), (80, 80), 2, 1),
    ("male", 72, (7.4, 7.4), "PD", 203, True, 91, (1, 2), (70, 60), 0, 1),
    ("female", 59, (7.4, 7.4, 3.7), "SD", 241, False, None, (1, 1), (80, 80), 1, 0),
    ("male", 45, (7.4, 7.4, 3.7), "PR", 290, False, None, (2, 1), (70, 80), 0, 0),
    ("female", 66, (7.4, 7.4, 7.4), "PR", 333, False, None, (1, 1), (80, 90), 0, 1),
    ("male", 74, (7.4,), "PD", 375, True, 91, (2, 2), (60, 60), 0, 2),
    ("female", 61, (7.4,) * 6, "PR", 402, False, None, (2, 1), (70, 80), 1, 0),
    ("male", 24, (7.4, 3.7, 3.7, 3.7), "PR", 455, False, None, (0, 0), (100, 100), 0, 0),
    ("female", 57, (7.4, 7.4, 3.7, 3.7), "PR", 497, False, None, (2, 1), (70, 70), 2, 0),
    ("male", 68, (7.4,) * 4, "PR", 560, False, None, (1, 1), (90, 90), 1, 0),
    ("female", 38, (7.4,) * 4, "PR", 611, False, 455, (2, 1), (70, 70), 0, 1),
    ("male", 60, (7.4, 7.4, 7.4, 5.55), "CR", 668, False, None, (1, 1), (90, 100), 0, 1),
    ("female", 65, (7.4,) * 5, "PR", 700, True, 546, (3, 2), (60, 70), 2, 2),
    ("male", 51, (7.4,) * 6 + (5.55,), "CR", 1010, False, None, (2, 1), (80, 90), 1, 0),
)


def series_plans() -> list[PatientPlan]:
    """The 16 patients of the published series."""
    return [
        PatientPlan(pid=f"series-{index:02d}", sex=sex, age=age, activities=activities, bor=bor,
                    follow_up_days=days, dead=dead, progression_day=progression, ecog=ecog, kps=kps,
                    worst_grades={"wbc": wbc, "hemoglobin": hb})
        for index, (sex, age, activities, bor, days, dead, progression, ecog, kps, wbc, hb) in enumerate(_ROWS, 1)
    ]


def _weighted(rng: random.Random, weights: dict[int, float]) -> int:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def random_plan(index: int, seed: int) -> PatientPlan:
    """A random PRRT patient; the same (index, seed) always gives the same plan."""
    rng = random.Random(f"prrt-cds-demo:{seed}:{index}")
    sex: Sex = "female" if rng.random() < 0.5 else "male"
    age = max(24, min(88, round(rng.gauss(61, 11))))
    n_cycles = _weighted(rng, {1: 0.04, 2: 0.07, 3: 0.09, 4: 0.72, 5: 0.04, 6: 0.02, 7: 0.02})
    activities = tuple(
        7.4 if k == 0 else rng.choices((7.4, 3.7, 5.55), weights=(0.86, 0.1, 0.04))[0] for k in range(n_cycles)
    )
    bor: Bor = rng.choices(("CR", "PR", "SD", "PD"), weights=(0.04, 0.36, 0.45, 0.15))[0]
    # Overall survival: exponential, median about 50 months (PD: 14); administrative censoring after
    # 6-60 months of follow-up; a few patients lost to follow-up earlier.
    median_days = 14 * 30.4375 if bor == "PD" else 50 * 30.4375
    death = rng.expovariate(0.6931471805599453 / median_days)
    last_treatment = (n_cycles - 1) * CYCLE_GAP_DAYS
    follow_up = rng.uniform(max(last_treatment + 120, 183), 60 * 30.4375)
    if rng.random() < 0.05:
        follow_up = rng.uniform(120, follow_up)
    dead = death < follow_up
    days = max(30, round(death if dead else follow_up))
    progression: int | None = ASSESSMENT_GAP_DAYS if bor == "PD" else None
    if bor != "PD" and rng.random() < (0.8 if dead else 0.35):
        visits, earliest = days // ASSESSMENT_GAP_DAYS, 4 if bor != "CR" else 5
        if visits >= earliest:
            progression = ASSESSMENT_GAP_DAYS * rng.randint(earliest, visits)
    ecog_before = _weighted(rng, {0: 0.3, 1: 0.45, 2: 0.2, 3: 0.05})
    ecog_after = max(0, min(4, ecog_before + _weighted(rng, {-1: 0.3, 0: 0.6, 1: 0.1 if bor != "PD" else 0.4})))
    kps_before = max(40, min(100, 100 - 10 * ecog_before - 10 * rng.randint(0, 1)))
    kps_after = max(40, min(100, kps_before - 10 * (ecog_after - ecog_before)))
    grades = {
        "wbc": _weighted(rng, {0: 0.55, 1: 0.3, 2: 0.12, 3: 0.03}),
        "hemoglobin": _weighted(rng, {0: 0.45, 1: 0.4, 2: 0.12, 3: 0.03}),
        "platelets": _weighted(rng, {0: 0.6, 1: 0.3, 2: 0.07, 3: 0.03}),
    }
    return PatientPlan(pid=f"demo-{index:06d}", sex=sex, age=age, activities=activities, bor=bor,
                       follow_up_days=days, dead=dead, progression_day=progression,
                       ecog=(ecog_before, ecog_after), kps=(kps_before, kps_after), worst_grades=grades)


def first_cycle_day(index: int, seed: int) -> date:
    """The calendar day of a patient's first administration: 2018-2022, from the seed."""
    rng = random.Random(f"prrt-cds-demo-calendar:{seed}:{index}")
    return date(2018, 1, 8) + timedelta(days=rng.randrange(0, 5 * 365))


def plans(n_patients: int, seed: int) -> list[PatientPlan]:
    """The cohort's plans: the published series for 16 patients, random plans otherwise."""
    if n_patients == SERIES_SIZE:
        return series_plans()
    return [random_plan(index, seed) for index in range(1, n_patients + 1)]
