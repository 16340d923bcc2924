"""Timeline -> the doses of each cycle, the cumulative doses and the engine facts: every step that is
arithmetic or bookkeeping, not a decision (the decisions are the rules of rules/kidney_dosimetry.toml).

- A dosimetry Observation belongs to the cycle of the administration its ``partOf`` / ``derivedFrom``
  names, else to the latest administration on or before its date (FHIR input profile); one dated before
  the first administration belongs to no cycle and is not used (an issue says so).
- A cycle's kidney dose is the mean of both kidneys when recorded, else the higher side; of several,
  the highest (conservative; an issue says which was used). Its Gy/GBq is the Observation's, else its
  dose over the cycle's recorded activity.
- The cumulative dose is the sum over every cycle given; a cycle given without a usable dose makes it
  "cannot evaluate" with the reason (a sum that leaves a cycle out would understate it).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from cds.dosimetry.bed import Radiobiology
from cds.dosimetry.conclusions import CycleDose
from cds.dosimetry.table import DosimetryTable
from cds.engine import EngineFact
from cds.facts import DosimetryResult, Issue
from cds.numbers import signif
from cds.timeline import Cycle, Timeline

FACT_KIND = "kidney_dosimetry"
PROBE = 1e6  # a value above every limit: the rows that fire on it are the limits in force


class DoseFact(EngineFact):
    """One cumulative quantity (delivered, projected, or the probe) with the patient's risk factor flag."""

    kind: str = FACT_KIND
    quantity: str  # "bed_gy", "absorbed_gy", "bone_marrow_gy"
    value: float
    risk_factor: float  # 1.0: a kidney risk factor is recorded


def radiobiology(table: DosimetryTable) -> Radiobiology:
    return Radiobiology(alpha_beta_gy=table.alpha_beta_gy, t_rep_h=table.t_rep_h)


def place(timeline: Timeline, issues: list[Issue]) -> dict[tuple[str, int], list[DosimetryResult]]:
    """(organ, cycle) -> its dosimetry results, in time order."""
    by_source = {source: cycle.number for cycle in timeline.cycles for source in cycle.sources}
    placed: dict[tuple[str, int], list[DosimetryResult]] = defaultdict(list)
    for result in timeline.dosimetry:
        number = by_source.get(result.administration or "")
        if number is None:
            if result.administration is not None:
                issues.append(Issue(severity="warning", resource=result.ref, patient=result.patient,
                                    message=f"dosimetry names {result.administration}, not a PRRT cycle of this "
                                            "record: placed by its date"))
            number = timeline.cycle_of(result.day)
        if number == 0:
            issues.append(Issue(severity="warning", resource=result.ref, patient=result.patient,
                                message="dosimetry dated before the first PRRT administration: in no cycle, not used"))
            continue
        placed[(result.organ, number)].append(result)
    return placed


def cycle_dose(cycle: Cycle, results: Sequence[DosimetryResult], bio: Radiobiology | None,
               issues: list[Issue], tolerance: float = 0.1) -> CycleDose:
    """One cycle's dose to one organ (``bio``: the kidney's radiobiology, for its BED; None for marrow)."""
    refs = tuple(r.ref for r in results)
    usable = [r for r in results if r.absorbed_gy is not None]
    if not usable:
        problems = "; ".join(f"{r.ref}: {r.problem}" for r in results) or "no dosimetry"
        return CycleDose(cycle=cycle.number, observations=refs, reason=f"no usable absorbed dose ({problems})")
    means = [r for r in usable if r.side == "mean"]
    pool = means or usable
    chosen = max(pool, key=lambda r: (r.absorbed_gy or 0.0, r.at))
    if len(pool) > 1:
        which = "mean" if means else "side"
        issues.append(Issue(severity="info", resource=chosen.ref, patient=chosen.patient,
                            message=f"cycle {cycle.number}: {len(pool)} {results[0].organ} doses ({which}); "
                                    "the highest is used"))
    dose = chosen.absorbed_gy
    assert dose is not None
    gy_per_gbq, origin = chosen.gy_per_gbq, "observation"
    implied = dose / cycle.activity_gbq if cycle.activity_gbq is not None and cycle.activity_gbq > 0 else None
    if gy_per_gbq is None and implied is not None:
        gy_per_gbq, origin = implied, "activity"
    elif gy_per_gbq is not None and implied is not None and gy_per_gbq < implied * (1 - tolerance):
        # A stated Gy/GBq well below what the cycle's own dose and activity give (0.81 mGy/GBq written for
        # 0.81 Gy/GBq) would project a thousand-fold activity: the larger, the record's own arithmetic, is used.
        issues.append(Issue(severity="warning", resource=chosen.ref, patient=chosen.patient,
                            message=f"cycle {cycle.number}: stated {gy_per_gbq:.4g} Gy/GBq is below the "
                                    f"{implied:.4g} Gy/GBq of its dose and activity; the larger is used"))
        gy_per_gbq, origin = implied, "activity"
    bed = reason = None
    if bio is not None:
        if chosen.t_eff_h is None:
            reason = "no effective half-life: BED cannot be evaluated"
        else:
            bed = bio.bed(dose, chosen.t_eff_h)
    return CycleDose(
        cycle=cycle.number, absorbed_gy=dose, bed_gy=bed, gy_per_gbq=gy_per_gbq,
        gy_per_gbq_from=origin if gy_per_gbq is not None else None,
        t_eff_h=chosen.t_eff_h, side=chosen.side, observation=chosen.ref, observations=refs, reason=reason,
    )


def organ_doses(timeline: Timeline, placed: dict[tuple[str, int], list[DosimetryResult]], organ: str,
                bio: Radiobiology | None, issues: list[Issue], tolerance: float = 0.1) -> tuple[CycleDose, ...]:
    """Every cycle given, with its dose to the organ (a cycle without dosimetry says so)."""
    return tuple(cycle_dose(cycle, placed.get((organ, cycle.number), []), bio, issues, tolerance)
                 for cycle in timeline.cycles)


def total(doses: Sequence[CycleDose], field: str, what: str) -> tuple[float | None, str | None]:
    """The sum of one value over the cycles, or None with the reason naming the cycles that lack it. The sum
    is rounded (``signif``) here, where every reader takes it (the limits, the projection, the document,
    the card's bar): 6.4 + 9.8 + 6.8 Gy is 23 Gy, on the 23 Gy limit, not 23.000000000000004 above it."""
    lacking = [d.cycle for d in doses if getattr(d, field) is None]
    if not doses:
        return None, "no cycle given"
    if lacking:
        listed = ("cycle " if len(lacking) == 1 else "cycles ") + ", ".join(str(c) for c in lacking)
        return None, f"{listed}: no usable {what}; the cumulative dose cannot be evaluated"
    return signif(math.fsum(getattr(d, field) for d in doses)), None


def kinetics(doses: Sequence[CycleDose], preferred: int) -> CycleDose | None:
    """The cycle whose Gy/GBq and T_eff project the next. ``preferred`` (the table's ``kinetics_cycle``)
    0: the cycle with the highest Gy/GBq among those with both (the most dose per GBq the patient has
    shown: kinetics that worsen are never projected from a better cycle); a cycle number: that cycle
    when it has both, else the earliest that has both. Failing both, the same choice among the cycles
    with a Gy/GBq alone (the absorbed dose can still be projected)."""
    complete = [d for d in doses if d.gy_per_gbq is not None and d.t_eff_h is not None]
    with_rate = [d for d in doses if d.gy_per_gbq is not None]
    for pool in (complete, with_rate):
        if preferred == 0:
            chosen = max(pool, key=lambda d: d.gy_per_gbq or 0.0) if pool else None
        else:
            chosen = next((d for d in pool if d.cycle == preferred), None) or (pool[0] if pool else None)
        if chosen is not None:
            return chosen
    return None


def facts(scope: str, values: dict[str, float | None], risk_factor: bool) -> list[DoseFact]:
    """The engine facts of one scope (``probe``, ``delivered``, ``projected``): one per known quantity,
    its value a sum of cycles rounded (``signif``) so that floating point cannot carry a dose exactly on
    a limit (6.4 + 9.8 + 6.8 = 23.000000000000004 Gy) above it: "within the limit" is inclusive."""
    flag = 1.0 if risk_factor else 0.0
    return [DoseFact(id=f"{scope}:{quantity}", quantity=quantity, value=signif(float(value)), risk_factor=flag)
            for quantity, value in values.items() if value is not None]
