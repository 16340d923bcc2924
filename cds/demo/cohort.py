"""Turn a ``PatientPlan`` into one FHIR Bundle, and write a cohort of them (one file per patient).

A patient's course, in days from the first administration (day 0):

- PRRT cycles every 8 weeks (0-3 days late), none on or after the day of death;
- laboratory panels (haemoglobin, WBC, platelets, creatinine, ALT, bilirubin, each with its reference
  range; AST and albumin, always normal, and the body weight that Cockcroft-Gault needs, so that every
  result the dose table requires before a cycle is there), every 2-4 weeks across the cycles: 7 days
  before the first cycle, the day before each cycle, 3-4 weeks after each cycle, 8 weeks after the
  last, and at the last contact. The planned
  worst grade of WBC decreased / anaemia / platelet count decreased is shown 3-4 weeks after the
  second cycle (the first if there is only one), the grade below it at the next panel;
- tumour assessments (two target liver lesions): 14 days before the first cycle, then every 3
  months until progression, death or the last contact;
- ECOG and Karnofsky: 7 days before the first cycle and on each cycle day (the "before" score), 8
  weeks after the last cycle (the "after" score) and at the last contact;
- a censored patient's last contact (a laboratory panel and performance scores) on its last day, so
  the default data cut-off (the latest date of the patient's resources) is that day;
- the treatment context checked before each cycle (somatostatin analogues, amino acids, potassium,
  pregnancy tests, kidney risk factors) and dosimetry for some patients: ``cds.demo.context``.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing import get_context
from pathlib import Path

from cds.demo import fhir
from cds.demo.context import treatment_context
from cds.demo.plan import (
    AFTER_TREATMENT_DAYS,
    ASSESSMENT_GAP_DAYS,
    CYCLE_GAP_DAYS,
    SERIES_SIZE,
    PatientPlan,
    first_cycle_day,
    random_plan,
    series_plans,
)

Resource = fhir.Resource


@dataclass(frozen=True)
class LabSpec:
    loinc: str
    text: str
    unit: str
    decimals: int
    female: tuple[float, float]
    male: tuple[float, float]
    normal: tuple[float, float]  # as fractions of the way from LLN to ULN
    grades: dict[int, tuple[float, float]]  # grade -> value bounds (for the "decreased" terms)


LABS: dict[str, LabSpec] = {
    "hemoglobin": LabSpec("718-7", "Hemoglobin", "g/dL", 1, (12.0, 15.5), (13.5, 17.5), (0.15, 0.7),
                          {1: (10.2, 11.7), 2: (8.2, 9.8), 3: (7.0, 7.8)}),
    "wbc": LabSpec("6690-2", "Leukocytes", "10*9/L", 1, (4.0, 10.0), (4.0, 10.0), (0.1, 0.6),
                   {1: (3.1, 3.9), 2: (2.1, 2.9), 3: (1.2, 1.9)}),
    "platelets": LabSpec("777-3", "Platelets", "10*9/L", 0, (150, 400), (150, 400), (0.05, 0.6),
                         {1: (80, 140), 2: (55, 72), 3: (30, 45)}),
    "creatinine": LabSpec("2160-0", "Creatinine", "umol/L", 0, (45, 90), (60, 110), (0.15, 0.7), {}),
    "alt": LabSpec("1742-6", "ALT", "U/L", 0, (7, 45), (7, 45), (0.1, 0.6), {}),
    "bilirubin": LabSpec("1975-2", "Bilirubin", "umol/L", 0, (3, 21), (3, 21), (0.1, 0.6), {}),
}
# The rest of the panel the dose table requires before every cycle, drawn from a random stream of their
# own and written after every other resource, so that adding them changed no other value or id.
MORE_LABS: dict[str, LabSpec] = {
    "ast": LabSpec("1920-8", "AST", "U/L", 0, (8, 40), (8, 40), (0.1, 0.6), {}),
    "albumin": LabSpec("1751-7", "Albumin", "g/L", 0, (35, 50), (35, 50), (0.2, 0.8), {}),
}


def _birth(first: date, age: int, rng: random.Random) -> date:
    anniversary = date(first.year - age, first.month, min(first.day, 28))
    return anniversary - timedelta(days=rng.randint(1, 360))


def _cycle_days(plan: PatientPlan, rng: random.Random) -> list[int]:
    days = [0]
    for _ in plan.activities[1:]:
        days.append(days[-1] + CYCLE_GAP_DAYS + rng.randint(0, 3))
    end = plan.follow_up_days
    return [d for d in days if d < end] or [0]


def _in_follow_up(plan: PatientPlan, day: int) -> bool:
    return day < plan.follow_up_days if plan.dead else day <= plan.follow_up_days


def _assessment_days(plan: PatientPlan) -> list[int]:
    days = []
    day = ASSESSMENT_GAP_DAYS
    while _in_follow_up(plan, day):
        days.append(day)
        if plan.progression_day is not None and day >= plan.progression_day:
            break
        day += ASSESSMENT_GAP_DAYS
    return days


class _Builder:
    """Builds one patient's resources; ids are ``{patient}-{kind}-{n}``."""

    def __init__(self, plan: PatientPlan, first: date, rng: random.Random) -> None:
        self.plan, self.first, self.rng = plan, first, rng
        self.pid = plan.pid
        self.resources: list[Resource] = []
        self.counter = 0
        self.lab_days: list[int] = []

    def rid(self, kind: str) -> str:
        self.counter += 1
        return f"{self.pid}-{kind}-{self.counter}"

    def day(self, offset: int) -> date:
        return self.first + timedelta(days=offset)

    def build(self) -> list[Resource]:
        plan = self.plan
        death = self.day(plan.follow_up_days) if plan.dead else None
        self.resources.append(fhir.patient(self.pid, plan.sex, _birth(self.first, plan.age, self.rng), death))
        cycles = _cycle_days(plan, self.rng)
        given = list(zip(cycles, plan.activities, strict=False))
        for number, (offset, activity) in enumerate(given, start=1):
            self.resources.append(fhir.procedure(f"{self.pid}-cycle-{number}", self.pid, self.day(offset), activity))
        assessments = _assessment_days(plan)
        self._labs(cycles)
        self._tumour(assessments)
        self._performance(cycles, assessments)
        self._rest_of_panel(cycles)
        self.resources += treatment_context(plan, self.first, [offset for offset, _ in given],
                                            [f"{self.pid}-cycle-{n}" for n in range(1, len(given) + 1)],
                                            self.lab_days)
        return self.resources

    def _rest_of_panel(self, cycles: list[int]) -> None:
        rng = random.Random(f"{self.pid}:{self.first.isoformat()}:rest-of-panel:{self.plan.age}")
        weight = rng.uniform(55, 95) if self.plan.sex == "female" else rng.uniform(65, 110)
        for n, offset in enumerate(self.lab_days, start=1):
            for analyte, spec in MORE_LABS.items():
                low, high = spec.female if self.plan.sex == "female" else spec.male
                lo, hi = low + spec.normal[0] * (high - low), low + spec.normal[1] * (high - low)
                value = float(round(rng.uniform(lo, hi)))
                self.resources.append(fhir.lab(f"{self.pid}-{analyte}-{n}", self.pid, self.day(offset), spec.loinc,
                                               spec.text, value, spec.unit, low, high))
            weight += rng.uniform(-1.0, 0.6)
            self.resources.append(fhir.body_weight(f"{self.pid}-weight-{n}", self.pid, self.day(offset),
                                                   round(weight, 1)))

    # --- laboratory ------------------------------------------------------------------------------
    def _lab_days(self, cycles: list[int]) -> list[int]:
        rng = self.rng
        days = {-7}
        for index, start in enumerate(cycles):
            if index:
                days.add(start - 1)
            stop = cycles[index + 1] - 3 if index + 1 < len(cycles) else start + AFTER_TREATMENT_DAYS
            offset = rng.randint(21, 28)
            if start + offset < stop:
                days.add(start + offset)
        days.add(cycles[-1] + AFTER_TREATMENT_DAYS)
        if not self.plan.dead:
            days.add(self.plan.follow_up_days)
        return sorted(d for d in days if _in_follow_up(self.plan, d))

    def _value(self, analyte: str, grade: int) -> float:
        spec = LABS[analyte]
        low, high = spec.female if self.plan.sex == "female" else spec.male
        if grade and grade in spec.grades:
            lo, hi = spec.grades[grade]
            if analyte == "hemoglobin" and grade == 1:
                hi = min(hi, low - 0.2)
        else:
            lo, hi = low + spec.normal[0] * (high - low), low + spec.normal[1] * (high - low)
        value = round(self.rng.uniform(lo, hi), spec.decimals)
        return float(int(value)) if spec.decimals == 0 else value

    def _labs(self, cycles: list[int]) -> None:
        days = self._lab_days(cycles)
        self.lab_days = days
        anchor = cycles[1] if len(cycles) > 1 else cycles[0]
        nadir_index = next((i for i, d in enumerate(days) if anchor + 21 <= d <= anchor + 28), None)
        if nadir_index is None:
            nadir_index = next((i for i, d in enumerate(days) if d > 0), None)
        for index, offset in enumerate(days):
            for analyte, spec in LABS.items():
                target = self.plan.worst_grades.get(analyte, 0)
                grade = 0
                if index == nadir_index:
                    grade = target
                elif nadir_index is not None and index == nadir_index + 1:
                    grade = max(0, target - 1)
                low, high = spec.female if self.plan.sex == "female" else spec.male
                self.resources.append(fhir.lab(self.rid("lab"), self.pid, self.day(offset), spec.loinc, spec.text,
                                               self._value(analyte, grade), spec.unit, low, high))

    # --- tumour ----------------------------------------------------------------------------------
    def _tumour(self, assessments: list[int]) -> None:
        plan, rng = self.plan, self.rng
        sites = ("liver segment VII", "liver segment IVa")
        foci = [f"{self.pid}-lesion-{n}" for n in (1, 2)]
        for focus, site in zip(foci, sites, strict=True):
            self.resources.append(fhir.body_structure(focus, self.pid, site))
        baseline = [float(rng.randint(20, 45)), float(rng.randint(16, 32))]
        nadir = sum(baseline)
        shrink = {"CR": 0.5, "PR": 0.6, "SD": 0.9, "PD": 1.0}[plan.bor]
        for index, offset in enumerate([-14, *assessments]):
            if index == 0:
                sizes = baseline
            elif plan.progression_day is not None and offset >= plan.progression_day:
                # RECIST 1.1 section 4.3.1: PD is +20 % over the nadir sum and at least +5 mm.
                grown, total = max(nadir * 1.35, nadir + 6.0), sum(baseline)
                sizes = [float(round(s / total * grown)) for s in baseline]
                if sum(sizes) - nadir < 5:
                    sizes[0] += 6.0
            else:
                factor = shrink if index == 1 else {"CR": 0.0, "PR": max(0.45, 0.6 - 0.02 * index),
                                                    "SD": 0.88, "PD": 1.0}[plan.bor]
                sizes = [float(round(s * factor)) for s in baseline]
                nadir = min(nadir, sum(sizes))
            for focus, size in zip(foci, sizes, strict=True):
                self.resources.append(fhir.lesion(self.rid("lesion"), self.pid, self.day(offset), focus, float(size)))

    # --- performance status ----------------------------------------------------------------------
    def _performance(self, cycles: list[int], assessments: list[int]) -> None:
        plan = self.plan
        after_day = cycles[-1] + AFTER_TREATMENT_DAYS
        visits: list[tuple[int, int, int]] = [(-7, plan.ecog[0], plan.kps[0])]
        visits += [(c, plan.ecog[0], plan.kps[0]) for c in cycles]
        later = [plan.follow_up_days] if not plan.dead else []
        visits += [(d, plan.ecog[1], plan.kps[1]) for d in sorted({after_day, *later}) if d >= after_day]
        for offset, ecog, kps in visits:
            if not _in_follow_up(plan, offset):
                continue
            self.resources.append(fhir.performance(self.rid("ecog"), self.pid, self.day(offset), "ecog", ecog))
            self.resources.append(fhir.performance(self.rid("kps"), self.pid, self.day(offset), "karnofsky", kps))


def plan_for(index: int, n_patients: int, seed: int) -> PatientPlan:
    """Patient ``index`` (1-based) of a cohort of ``n_patients``."""
    if n_patients == SERIES_SIZE:
        return series_plans()[index - 1]
    return random_plan(index, seed)


def patient_bundle(index: int, n_patients: int, seed: int) -> tuple[str, Resource]:
    """Patient ``index``'s id and Bundle."""
    plan = plan_for(index, n_patients, seed)
    rng = random.Random(f"prrt-cds-demo-resources:{seed}:{index}")
    resources = _Builder(plan, first_cycle_day(index, seed), rng).build()
    return plan.pid, fhir.bundle(resources)


def _write_range(out_dir: str, start: int, stop: int, n_patients: int, seed: int) -> int:
    written = 0
    for index in range(start, stop):
        pid, bundle = patient_bundle(index, n_patients, seed)
        Path(out_dir, f"{pid}.json").write_text(json.dumps(bundle, separators=(",", ":")), encoding="utf-8")
        written += 1
    return written


def _ranges(n: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(1, n + 1, size):
        yield start, min(n + 1, start + size)


def write_cohort(
    out_dir: Path,
    n_patients: int = SERIES_SIZE,
    seed: int = 0,
    jobs: int | None = None,
    advance: Callable[[int], None] | None = None,
) -> Path:
    """Write one Bundle per patient into ``out_dir`` (created); returns it. Large cohorts use processes."""
    if n_patients < 1:
        raise ValueError("a cohort needs at least one patient")
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in (*out_dir.glob("series-*.json"), *out_dir.glob("demo-*.json")):  # an earlier demo's patients
        stale.unlink()
    workers = jobs or len(os.sched_getaffinity(0))
    chunk = max(1, min(250, n_patients // (4 * workers) or 1))
    if workers <= 1 or n_patients < 500:
        for start, stop in _ranges(n_patients, chunk):
            done = _write_range(str(out_dir), start, stop, n_patients, seed)
            if advance:
                advance(done)
        return out_dir
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_write_range, str(out_dir), start, stop, n_patients, seed)
                   for start, stop in _ranges(n_patients, chunk)]
        for future in futures:
            done = future.result()
            if advance:
                advance(done)
    return out_dir
