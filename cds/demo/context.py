"""The treatment context around each demo patient's cycles, and post-therapy dosimetry for some.

Drawn from a random stream of its own and written after every other resource of the patient, so that
adding it changed no other value or id (the published series' figures stay as they were):

- somatostatin analogues: octreotide LAR 30 mg last taken 5-6 weeks before the first cycle and given
  6 hours after each cycle (label section 2.2); about one patient in fifteen has an extra LAR 20-27
  days before a later cycle. About a quarter also take short-acting octreotide, stopped 2 days before
  each cycle, one in five of them only 12 hours before one cycle;
- the amino-acid solution (lysine + arginine) on each cycle's day, missing at one cycle for about one
  patient in twenty; serum potassium with every laboratory panel, high (5.6-5.9 mmol/L) the day before
  a cycle for about one patient in twenty-five;
- women aged 55 or less at the first cycle: a negative urine pregnancy test 1-3 days before each cycle
  for most; never for about one in ten; for about one in twenty, none before one of the later cycles;
- hypertension (about a quarter) and diabetes (about one in ten) as active Conditions;
- post-therapy SPECT/CT dosimetry for about a third: the kidney and bone-marrow absorbed dose of each
  cycle, the day after, with the kidney's effective half-life and Gy/GBq; one patient in about
  fifty has kidneys that take up more (1.05-1.2 Gy/GBq) and approaches the cumulative limit.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from cds.demo import fhir
from cds.demo.plan import PatientPlan

Resource = fhir.Resource

LAR = "Octreotide LAR 30 mg (Sandostatin LAR Depot) intramuscular"
SHORT = "Octreotide 100 micrograms subcutaneous (short-acting)"
AMINO_ACIDS = "LysaKare (L-lysine hydrochloride / L-arginine hydrochloride) amino acid solution for renal protection"
POTASSIUM = ("2823-3", "Potassium", "mmol/L", 3.5, 5.1)
CHILD_BEARING_MAX_AGE = 55


def _at(day: date, hour: float) -> datetime:
    whole = int(hour)
    return datetime.combine(day, time(whole, round((hour - whole) * 60)), tzinfo=UTC)


def treatment_context(plan: PatientPlan, first: date, cycle_days: list[int], cycle_ids: list[str],
                      lab_days: list[int]) -> list[Resource]:
    """The patient's context resources; ``cycle_days`` and ``lab_days`` in days from ``first``."""
    rng = random.Random(f"{plan.pid}:{first.isoformat()}:treatment-context:{plan.age}")
    pid, out = plan.pid, []
    count = 0

    def rid(kind: str) -> str:
        nonlocal count
        count += 1
        return f"{pid}-{kind}-{count}"

    def day(offset: int) -> date:
        return first + timedelta(days=offset)

    # Somatostatin analogues.
    out.append(fhir.medication_statement(rid("ssa"), pid, LAR, _at(day(-rng.randint(35, 42)), 11)))
    for offset in cycle_days:
        out.append(fhir.medication_administration(rid("ssa"), pid, LAR, _at(day(offset), 16)))
    if len(cycle_days) > 1 and rng.random() < 1 / 15:
        late = rng.randrange(1, len(cycle_days))
        out.append(fhir.medication_administration(rid("ssa"), pid, LAR,
                                                  _at(day(cycle_days[late] - rng.randint(20, 27)), 11)))
    if rng.random() < 0.25:
        close = rng.randrange(len(cycle_days)) if rng.random() < 0.2 else None
        for n, offset in enumerate(cycle_days):
            hours_before = 12 if n == close else 48
            out.append(fhir.medication_statement(rid("ssa"), pid, SHORT,
                                                 _at(day(offset), 10) - timedelta(hours=hours_before)))

    # Amino acids with each cycle, potassium with each panel.
    missing = rng.randrange(len(cycle_days)) if rng.random() < 0.05 else None
    for n, offset in enumerate(cycle_days):
        if n != missing:
            out.append(fhir.medication_administration(rid("amino-acids"), pid, AMINO_ACIDS, _at(day(offset), 9.5)))
    high = rng.randrange(len(cycle_days)) if rng.random() < 0.04 else None
    before_cycle = {offset - 1 if n else -7: n for n, offset in enumerate(cycle_days)}
    loinc, text, unit, low, upper = POTASSIUM
    for offset in lab_days:
        value = round(rng.uniform(5.6, 5.9), 1) if before_cycle.get(offset, -1) == high else round(
            rng.uniform(3.8, 4.8), 1)
        out.append(fhir.lab(rid("potassium"), pid, day(offset), loinc, text, value, unit, low, upper))

    # Pregnancy status before each cycle.
    if plan.sex == "female" and plan.age <= CHILD_BEARING_MAX_AGE:
        draw = rng.random()
        skipped = rng.randrange(1, len(cycle_days)) if 0.1 <= draw < 0.15 and len(cycle_days) > 1 else None
        if draw >= 0.1:
            for n, offset in enumerate(cycle_days):
                if n != skipped:
                    out.append(fhir.pregnancy_test(rid("hcg"), pid, day(offset - rng.randint(1, 3))))

    # Kidney risk factors.
    if rng.random() < 0.25:
        out.append(fhir.condition(rid("condition"), pid, "38341003", "Hypertensive disorder",
                                  day(-rng.randint(400, 4000))))
    if rng.random() < 0.1:
        out.append(fhir.condition(rid("condition"), pid, "73211009", "Diabetes mellitus",
                                  day(-rng.randint(400, 4000))))

    # Post-therapy dosimetry.
    if rng.random() < 1 / 3:
        uptake = rng.uniform(1.05, 1.2) if rng.random() < 0.06 else rng.uniform(0.4, 0.8)
        half_life = rng.uniform(35.0, 60.0)
        marrow = rng.uniform(0.03, 0.07)
        for offset, administration, activity in zip(cycle_days, cycle_ids, plan.activities, strict=False):
            per_gbq = round(uptake * rng.uniform(0.95, 1.05), 3)
            out.append(fhir.dosimetry(rid("dosimetry"), pid, day(offset + 1), "kidney",
                                      round(per_gbq * activity, 2), administration,
                                      round(half_life * rng.uniform(0.95, 1.05), 1), per_gbq))
            out.append(fhir.dosimetry(rid("dosimetry"), pid, day(offset + 1), "bone-marrow",
                                      round(marrow * activity, 3), administration))
    return out
