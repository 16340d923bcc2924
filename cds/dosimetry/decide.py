"""The kidney dosimetry decision: the engine ruleset compiled from rules/kidney_dosimetry.toml, and the
patient's doses -> ``KidneyDosimetry``.

One ruleset, run once per patient over three scopes of facts (``cds.dosimetry.prepare``):
  probe      each quantity at a value above every limit: the rows that fire are the limits in force for
             this patient (the table, not the code, says which limit holds with or without risk factors);
  delivered  the cumulative doses of the cycles given: a row that fires is a limit exceeded;
  projected  the cumulative doses after the planned next cycle: a row that fires is a limit the planned
             activity would exceed.
The largest next activity within every limit in force is arithmetic (``cds.dosimetry.bed``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cds.dose.conclusions import DoseAlert
from cds.dosimetry import prepare
from cds.dosimetry.bed import Budget, Radiobiology, largest_activity
from cds.dosimetry.conclusions import (
    BoneMarrow,
    CycleDose,
    Finding,
    KidneyDosimetry,
    LimitInForce,
    LimitRoom,
    NextCycle,
)
from cds.dosimetry.table import LIMIT_KEY, DosimetryTable, LimitRow
from cds.engine import Engine, Rule, Ruleset, Test
from cds.facts import Issue, RiskFactor
from cds.timeline import Timeline

RULESET = "kidney_dosimetry"


def compile_rulesets(table: DosimetryTable) -> list[Ruleset]:
    rules = []
    for row in table.rows:
        tests = [Test("quantity", "==", row.quantity)]
        for comparison in row.comparisons:
            field = "value" if comparison.field == row.quantity else comparison.field
            tests.append(Test(field, comparison.op, comparison.threshold))
        rules.append(Rule(id=row.rule, tests=tuple(tests)))
    return [Ruleset(name=RULESET, kind=prepare.FACT_KIND, rules=tuple(rules))]


@dataclass(frozen=True)
class Planned:
    """The activity of the next cycle: the dose advice's recommendation, else the label's full activity."""

    cycle: int
    activity_gbq: float
    origin: str  # "dose-recommendation" | "full-activity"


def planned_next(timeline: Timeline, alerts: Sequence[DoseAlert], full_activity_gbq: float) -> Planned:
    due = next((a for a in alerts if not a.given), None)
    number = due.cycle if due is not None else len(timeline.cycles) + 1
    if due is not None and due.recommended_activity_gbq is not None:
        return Planned(number, due.recommended_activity_gbq, "dose-recommendation")
    return Planned(number, full_activity_gbq, "full-activity")


def _why(risk_factors: Sequence[RiskFactor], unknown: bool = False) -> str:
    if unknown:
        known = "".join(f", {r.factor} ({r.ref})" for r in risk_factors)
        return ("kidney risk factors could not be retrieved: the limits with a risk factor apply (conservative)"
                + known)
    if not risk_factors:
        return "no kidney risk factor recorded (active hypertension or diabetes)"
    return ", ".join(f"{r.factor} ({r.ref})" for r in risk_factors)


def _bed_after(bio: Radiobiology, bed_gy: float, rate: float, t_eff_h: float) -> Callable[[float], float]:
    def projected(activity: float) -> float:
        return bed_gy + bio.bed(activity * rate, t_eff_h)
    return projected


def _dose_after(dose_gy: float, rate: float) -> Callable[[float], float]:
    def projected(activity: float) -> float:
        return dose_gy + activity * rate
    return projected


def _budgets(limits: dict[str, LimitRow], cum: dict[str, float | None], kidney: CycleDose | None,
             marrow: CycleDose | None, bio: Radiobiology) -> tuple[list[Budget], str | None]:
    """The budget of every limit in force for the next cycle, or the reason one cannot be made."""
    budgets = []
    for key, row in limits.items():
        if key == "bed_gy":
            bed = cum["bed_gy"]
            if bed is None or kidney is None or kidney.gy_per_gbq is None or kidney.t_eff_h is None:
                return [], ("the kidney BED after the next cycle cannot be projected "
                            "(cumulative BED, Gy/GBq or T_eff unknown)")
            rate, t_eff = kidney.gy_per_gbq, kidney.t_eff_h
            budgets.append(Budget(key, row.threshold, _bed_after(bio, bed, rate, t_eff),
                                  bio.max_dose(row.threshold - bed, t_eff) / rate, bed, rate))
        else:
            dose = cum["absorbed_gy" if key == "absorbed_gy" else "bone_marrow_gy"]
            source = kidney if key == "absorbed_gy" else marrow
            if dose is None or source is None or source.gy_per_gbq is None:
                return [], f"the {key} after the next cycle cannot be projected (cumulative dose or Gy/GBq unknown)"
            rate = source.gy_per_gbq
            budgets.append(Budget(key, row.threshold, _dose_after(dose, rate), (row.threshold - dose) / rate,
                                  dose, rate))
    return budgets, None


def assess(timeline: Timeline, alerts: Sequence[DoseAlert], full_activity_gbq: float, table: DosimetryTable,
           engine: Engine) -> KidneyDosimetry | None:
    """The patient's kidney dosimetry, or None when the record has no dosimetry Observation."""
    if not timeline.dosimetry:
        return None
    issues: list[Issue] = []
    bio = prepare.radiobiology(table)
    placed = prepare.place(timeline, issues)
    kidney = prepare.organ_doses(timeline, placed, "kidney", bio, issues, table.gy_per_gbq_tolerance)
    marrow_placed = any(organ == "bone-marrow" for organ, _ in placed)
    marrow = prepare.organ_doses(timeline, placed, "bone-marrow", None, issues, table.gy_per_gbq_tolerance) \
        if marrow_placed else ()
    cum_absorbed, absorbed_reason = prepare.total(kidney, "absorbed_gy", "kidney absorbed dose")
    cum_bed, bed_reason = prepare.total(kidney, "bed_gy", "kidney BED")
    cum_marrow, marrow_reason = prepare.total(marrow, "absorbed_gy", "bone marrow absorbed dose") \
        if marrow else (None, None)
    cumulative: dict[str, float | None] = {"bed_gy": cum_bed, "absorbed_gy": cum_absorbed,
                                           "bone_marrow_gy": cum_marrow}
    risk = bool(timeline.risk_factors) or timeline.risk_factors_unknown

    # the limits in force, then what the doses delivered exceed
    probe = prepare.facts("probe", {q: prepare.PROBE for q in cumulative}, risk)
    delivered = prepare.facts("delivered", cumulative, risk)
    hits = engine.evaluate(RULESET, [*probe, *delivered])
    by_row = {row.rule: row for row in table.rows}
    in_force: dict[str, LimitRow] = {}
    for hit in hits:
        if hit.fact_id.startswith("probe:"):
            row = by_row[hit.rule_id]
            key = LIMIT_KEY[row.quantity]
            if key not in in_force or row.threshold < in_force[key].threshold:
                in_force[key] = row
    findings = [_finding(by_row[h.rule_id], "delivered", cumulative, in_force)
                for h in hits if h.fact_id.startswith("delivered:")]

    planned = planned_next(timeline, alerts, full_activity_gbq)
    rate_cycle = prepare.kinetics(kidney, table.kinetics_cycle)
    marrow_rate = prepare.kinetics(marrow, table.kinetics_cycle) if marrow else None
    next_cycle, projected = _next(planned, in_force, cumulative, rate_cycle, marrow_rate, bio, table)
    if projected:
        for hit in engine.evaluate(RULESET, prepare.facts("projected", projected, risk)):
            findings.append(_finding(by_row[hit.rule_id], "projected", projected, in_force))
    findings = [f for f in findings if f is not None]

    return KidneyDosimetry(
        cycles=kidney, cumulative_absorbed_gy=cum_absorbed, cumulative_bed_gy=cum_bed,
        absorbed_reason=absorbed_reason, bed_reason=bed_reason, risk_factors=timeline.risk_factors,
        limits=tuple(LimitInForce(key=key, value_gy=row.threshold, rule=row.rule, text=row.text, source=row.source,
                                  status=row.status) for key, row in in_force.items()),
        why=_why(timeline.risk_factors, timeline.risk_factors_unknown), alpha_beta_gy=table.alpha_beta_gy,
        t_rep_h=table.t_rep_h,
        parameters_source=table.parameters_source, next=next_cycle, findings=tuple(findings),
        bone_marrow=BoneMarrow(
            cycles=marrow, cumulative_absorbed_gy=cum_marrow, reason=marrow_reason,
            limit_gy=table.bone_marrow_limit_gy, reference_gy=table.bone_marrow_reference_gy,
            reference_source=table.bone_marrow_reference_source,
            reference_status=table.bone_marrow_reference_status,
        ) if marrow else None,
        issues=tuple(issues),
    )


def _finding(row: LimitRow, scope: str, values: dict[str, float | None],
             in_force: dict[str, LimitRow]) -> Finding | None:
    """A row that fired on a scope's fact, if it is the row in force for its limit."""
    key = LIMIT_KEY[row.quantity]
    value = values.get(row.quantity)
    if in_force.get(key) is not row or value is None:
        return None
    return Finding(rule=row.rule, limit=key, scope=scope, value_gy=value, limit_gy=row.threshold,
                   text=row.text, source=row.source, status=row.status)


def _next(planned: Planned, in_force: dict[str, LimitRow], cumulative: dict[str, float | None],
          kidney: CycleDose | None, marrow: CycleDose | None, bio: Radiobiology,
          table: DosimetryTable) -> tuple[NextCycle, dict[str, float | None]]:
    """The next cycle at the planned activity, projected, and the largest activity within the limits."""
    activity = planned.activity_gbq
    projected: dict[str, float | None] = {"bed_gy": None, "absorbed_gy": None, "bone_marrow_gy": None}
    rate = kidney.gy_per_gbq if kidney is not None else None
    if rate is not None and cumulative["absorbed_gy"] is not None:
        projected["absorbed_gy"] = cumulative["absorbed_gy"] + activity * rate
    if rate is not None and kidney is not None and kidney.t_eff_h is not None and cumulative["bed_gy"] is not None:
        projected["bed_gy"] = cumulative["bed_gy"] + bio.bed(activity * rate, kidney.t_eff_h)
    if marrow is not None and marrow.gy_per_gbq is not None and cumulative["bone_marrow_gy"] is not None:
        projected["bone_marrow_gy"] = cumulative["bone_marrow_gy"] + activity * marrow.gy_per_gbq
    step = table.activity_step_gbq
    budgets, reason = _budgets(in_force, cumulative, kidney, marrow, bio)
    maximum = within = binding = None
    if reason is None and not budgets:
        reason = "no limit in force"
    if reason is None:
        within, limit_name, _ = largest_activity(budgets, step)
        if within < activity:
            maximum, binding = within, limit_name
        else:
            maximum = activity
    return NextCycle(
        cycle=planned.cycle, planned_activity_gbq=activity, planned_from=planned.origin,
        kinetics_cycle=kidney.cycle if kidney is not None else None, gy_per_gbq=rate,
        t_eff_h=kidney.t_eff_h if kidney is not None else None,
        projected_absorbed_gy=projected["absorbed_gy"], projected_cumulative_bed_gy=projected["bed_gy"],
        max_activity_gbq=maximum, max_activity_within_limits_gbq=within, binding_limit=binding, step_gbq=step,
        reason=reason, rooms=tuple(_room(budget) for budget in budgets) if reason is None else (),
    ), projected


def _room(budget: Budget) -> LimitRoom:
    return LimitRoom(limit=budget.name, limit_gy=budget.limit, cumulative_gy=budget.cumulative,
                     gy_per_gbq=budget.gy_per_gbq, activity_gbq=max(budget.estimate, 0.0))
