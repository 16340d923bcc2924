"""Per-cycle Lutathera dose recommendations: proceed, reduce, withhold, discontinue or labs-needed.

For every cycle given (checked after the fact) and for the next cycle due, the labs since the previous
administration are prepared here (latest value per analyte, CTCAE grades by toxicity class,
creatinine clearance, ratios to baseline, bilirubin x ULN, albumin with INR); the durable_rules rules
compiled from rules/lutathera_dose.toml decide which triggers are met and what each toxicity class's
state calls for. The most severe action wins: discontinue > withhold > labs-needed > reduce > proceed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from cds.ctcae.conclusions import ToxicityGrade
from cds.dose.conclusions import Deviation, DoseAlert, DoseReason, LabsUsed
from cds.dose.table import (
    ACTION_RULESET,
    DEVIATION_KINDS,
    STATE_KIND,
    TRIGGER_KIND,
    TRIGGER_RULESET,
    Action,
    DeviationKind,
    DoseTable,
    Trigger,
)
from cds.engine import Engine, EngineFact, Hit
from cds.facts import BodyMeasure, LabResult
from cds.renal import age_years, cockcroft_gault, cockcroft_gault_text
from cds.tables import analytes, shown_value
from cds.timeline import Timeline

Decision = Literal["proceed", "reduce", "labs-needed", "withhold", "discontinue"]
Indicator = Literal["info", "warning", "critical"]
SEVERITY: dict[Decision, int] = {"proceed": 0, "reduce": 1, "labs-needed": 2, "withhold": 3, "discontinue": 4}
INDICATOR: dict[Decision, Indicator] = {
    "proceed": "info", "reduce": "warning", "labs-needed": "warning", "withhold": "critical", "discontinue": "critical",
}


class MeasureFact(EngineFact):
    phase: str
    measure: str
    value: float
    inr: float = 0.0
    has_inr: float = 0.0
    inr_x_uln: float = 0.0
    has_inr_uln: float = 0.0


class StateFact(EngineFact):
    cls: str
    active: float
    occurred: float
    reduced: float
    last_reduced: float
    delay_days: float


@dataclass(frozen=True)
class DecisionPoint:
    cycle: int
    due: date
    decision: date
    after: date | None  # labs strictly after this day count (the previous administration)
    given: bool
    given_activity_gbq: float | None = None
    previous: tuple[int, date] | None = None  # the cycle given before this one (number, day)


@dataclass
class _Measure:
    """What a fact stands for, to turn a rule hit back into a reason."""

    latest: bool
    observations: tuple[str, ...]
    term: str | None = None
    grade: int | None = None
    value: float | None = None
    unit: str | None = None
    value_text: str | None = None
    detail: str | None = None


@dataclass
class _History:
    """What the cycles given so far carry forward: the classes a reduced cycle was actually given for
    (by its recorded activity, not by what was recommended), and a permanent discontinuation."""

    reduced: set[str] = field(default_factory=set)
    last_reduced: set[str] = field(default_factory=set)
    last_reduced_cycle: tuple[int, date, float] | None = None  # (number, day, GBq) of the last reduced cycle
    discontinued_at: int | None = None


def decision_points(timeline: Timeline, table: DoseTable, as_of: date) -> list[DecisionPoint]:
    """Every cycle given, then the next cycle due unless the planned course is complete."""
    cycles = timeline.cycles
    interval = timedelta(days=table.interval_days)
    points = [
        DecisionPoint(
            cycle=c.number, due=c.date if i == 0 else cycles[i - 1].date + interval, decision=c.date,
            after=None if i == 0 else cycles[i - 1].date, given=True, given_activity_gbq=c.activity_gbq,
            previous=None if i == 0 else (cycles[i - 1].number, cycles[i - 1].date),
        )
        for i, c in enumerate(cycles)
    ]
    if len(cycles) < table.planned_cycles:
        due = cycles[-1].date + interval if cycles else as_of
        points.append(DecisionPoint(
            cycle=len(cycles) + 1, due=due, decision=max(due, as_of), after=cycles[-1].date if cycles else None,
            given=False,
        ))
    return points


class _PointEvaluation:
    """The facts of one decision point and the reasons they stand for."""

    def __init__(self, point: DecisionPoint, timeline: Timeline, grades: Sequence[ToxicityGrade],
                 table: DoseTable, key: str = "") -> None:
        self.point, self.timeline, self.table, self.key = point, timeline, table, key
        self.phase = "pre" if point.cycle == 1 else "on"
        self.labs = [
            lab for lab in timeline.labs
            if (point.after is None or lab.day > point.after) and lab.day <= point.decision
        ]
        self.latest: dict[str, LabResult] = {}
        for lab in self.labs:
            self.latest[lab.analyte] = lab
        window = {lab.ref for lab in self.labs}
        self.grades = [g for g in grades if g.observation in window and g.grade is not None]
        self.facts: list[MeasureFact] = []
        self.meaning: dict[str, _Measure] = {}
        self.missing: list[DoseReason] = []
        self.exempt: list[DoseReason] = []  # exempt terms graded where they would otherwise count
        self.labs_used: LabsUsed | None = None

    def _add(self, measure: str, value: float, meaning: _Measure, **partner: float) -> None:
        fact_id = f"{self.key}{measure}|{len(self.facts)}"
        self.facts.append(MeasureFact(id=fact_id, kind=TRIGGER_KIND, phase=self.phase, measure=measure,
                                      value=float(f"{value:.12g}"), **partner))
        self.meaning[fact_id] = meaning

    def _is_latest(self, lab: LabResult) -> bool:
        return self.latest.get(lab.analyte) is lab

    def build(self) -> list[MeasureFact]:
        if self.phase == "on":
            self._grade_facts()
        else:
            self._eligibility_facts()
        self._renal_facts()
        self._hepatic_facts()
        self._freshness()
        return self.facts

    def _grade_facts(self) -> None:
        latest_refs = {lab.ref for lab in self.latest.values()}
        by_ref = {lab.ref: lab for lab in self.labs}
        for grade in self.grades:
            toxicity_class = self.table.class_of(grade.term, grade.ctcae_version)
            if toxicity_class is None or grade.grade is None:
                self._note_exempt(grade, grade.observation in latest_refs)
                continue
            lab = by_ref.get(grade.observation)
            digits = lab.reported_text if lab is not None and lab.reported_value == grade.value else None
            self._add(f"grade:{toxicity_class}", float(grade.grade), _Measure(
                latest=grade.observation in latest_refs, observations=(grade.observation,), term=grade.term,
                grade=grade.grade, value=grade.value, unit=grade.unit, value_text=digits,
            ))

    def _note_exempt(self, grade: ToxicityGrade, latest: bool) -> None:
        """An exempt term (lymphopenia) graded at or above the "other" class's grade, in the latest
        result: the reasons say it was exempt and why, instead of leaving it unmentioned."""
        if not latest or grade.grade is None or grade.grade < self.table.other_grade:
            return
        if not self.table.is_exempt(grade.term, grade.ctcae_version):
            return
        self.exempt.append(DoseReason(
            rule=self.table.exempt_rule, text=f"{grade.term} grade {grade.grade} does not modify the dose (exempt)",
            term=grade.term, grade=grade.grade, value=grade.value, unit=grade.unit, observations=(grade.observation,),
            source=self.table.exempt_source, status=self.table.exempt_status,
        ))

    def _eligibility_facts(self) -> None:
        for analyte in ("hemoglobin", "wbc", "platelets", "creatinine"):
            lab = self.latest.get(analyte)
            if lab is not None:
                self._add(analyte, lab.value, _Measure(latest=True, observations=(lab.ref,), value=lab.value,
                                                       unit=lab.unit))

    def _weight_on(self, day: date) -> BodyMeasure | None:
        """The latest body weight on or before ``day``, else the first one after it (actual body weight)."""
        weights = [b for b in self.timeline.body if b.kind == "weight"]
        before = [b for b in weights if b.day <= day]
        if before:
            return before[-1]
        return weights[0] if weights else None

    def crcl(self, creatinine: LabResult) -> tuple[float, tuple[str, ...], str] | None:
        """Cockcroft-Gault clearance for one creatinine result, with the resources used and the
        computation written out."""
        patient = self.timeline.patient
        weight = self._weight_on(creatinine.day)
        if patient.birth_date is None or weight is None:
            return None
        age = age_years(patient.birth_date, creatinine.day)
        try:
            value = cockcroft_gault(age, weight.value, creatinine.value, patient.sex)
        except ValueError:  # an implausible input: no clearance (the labs.crcl reason asks for one)
            return None
        formula = cockcroft_gault_text(age, weight.value, creatinine.value, patient.sex, value)
        return value, (creatinine.ref, weight.ref, patient.ref), formula

    def _baseline_crcl(self) -> float | None:
        baseline = self.timeline.baseline("creatinine")
        if baseline is None:
            return None
        result = self.crcl(baseline.lab)
        return result[0] if result else None

    def _renal_facts(self) -> None:
        baseline = self.timeline.baseline("creatinine")
        baseline_crcl = self._baseline_crcl()
        latest_known = False  # a clearance, observed or computed, for the latest result
        for lab in self.labs:
            latest = self._is_latest(lab)
            if lab.analyte == "creatinine_clearance":
                latest_known |= latest
                self._add("crcl", lab.value, _Measure(latest=latest, observations=(lab.ref,), value=lab.value,
                                                      unit="mL/min"))
            if lab.analyte != "creatinine":
                continue
            if baseline is not None and baseline.lab.value > 0 and self.phase == "on":
                ratio = lab.value / baseline.lab.value
                self._add("creatinine_ratio", ratio, _Measure(
                    latest=latest, observations=(lab.ref, baseline.lab.ref), value=round(ratio, 3),
                    unit="x baseline", detail=(
                        f"creatinine {_shown(lab)} on {lab.day.isoformat()} vs {_shown(baseline.lab)} at "
                        f"baseline ({baseline.lab.day.isoformat()})")))
            computed = self.crcl(lab)
            if computed is None:
                continue
            value, refs, formula = computed
            latest_known |= latest
            self._add("crcl", value, _Measure(latest=latest, observations=refs, value=round(value, 1),
                                              unit="mL/min (Cockcroft-Gault)", detail=formula))
            if baseline_crcl and self.phase == "on":
                ratio = value / baseline_crcl
                assert baseline is not None  # a baseline clearance needs a baseline creatinine
                self._add("crcl_ratio", ratio, _Measure(
                    latest=latest, observations=refs, value=round(ratio, 3), unit="x baseline clearance",
                    detail=(f"creatinine clearance {value:.1f} mL/min on {lab.day.isoformat()} vs "
                            f"{baseline_crcl:.1f} mL/min at baseline ({baseline.lab.day.isoformat()}); {formula}")))
        if not latest_known:
            self.missing.append(DoseReason(
                rule="lutathera.labs.crcl",
                text="creatinine clearance cannot be known: no observed clearance, and Cockcroft-Gault needs "
                     "a creatinine, a body weight and a birth date",
            ))

    def _hepatic_facts(self) -> None:
        for lab in self.labs:
            latest = self._is_latest(lab)
            if lab.analyte == "bilirubin" and lab.high:
                ratio = lab.value / lab.high
                self._add("bilirubin_x_uln", ratio, _Measure(latest=latest, observations=(lab.ref,),
                                                             value=round(ratio, 3), unit="x ULN"))
            if lab.analyte != "albumin":
                continue
            inrs = [i for i in self.labs if i.analyte == "inr" and i.day <= lab.day]
            partner: dict[str, float] = {}
            refs: tuple[str, ...] = (lab.ref,)
            if inrs:
                inr = inrs[-1]
                partner = {"inr": inr.value, "has_inr": 1.0}
                if inr.high:
                    partner.update(inr_x_uln=inr.value / inr.high, has_inr_uln=1.0)
                refs = (lab.ref, inr.ref)
            elif latest and lab.value < 30:
                self.missing.append(DoseReason(
                    rule="lutathera.labs.inr", text="albumin below 30 g/L: an INR is needed to judge hepatotoxicity",
                    observations=(lab.ref,), value=lab.value, unit="g/L",
                ))
            self._add("albumin", lab.value, _Measure(latest=latest, observations=refs, value=lab.value, unit="g/L"),
                      **partner)

    def _freshness(self) -> None:
        oldest = self.point.decision - timedelta(days=self.table.labs_max_age_days)
        self.labs_used = labs_used(self.latest, self.table, self.point.decision)
        for analyte in self.table.required_analytes:
            lab = self.latest.get(analyte)
            if lab is None or lab.day < oldest:
                name = analytes().analytes[analyte].display
                text = f"no {name} result from {oldest.isoformat()} to {self.point.decision.isoformat()}"
                unusable = self.timeline.latest_unusable(analyte, oldest, self.point.decision, self.point.after)
                if unusable is not None:
                    text = f"no usable {name} result from {oldest.isoformat()} to " \
                           f"{self.point.decision.isoformat()}: {unusable.ref}: {unusable.reason}"
                self.missing.append(DoseReason(
                    rule=f"lutathera.labs.{analyte}", text=text,
                    observations=tuple(f.ref for f in (lab, unusable) if f is not None),
                ))


def labs_used(latest: dict[str, LabResult], table: DoseTable, decision: date) -> LabsUsed:
    """The date and age of the latest result of each analyte the table requires before every cycle."""
    used = [lab for analyte in table.required_analytes if (lab := latest.get(analyte)) is not None]
    first = min((lab.day for lab in used), default=None)
    too_old = decision - timedelta(days=table.labs_max_age_days)
    return LabsUsed(
        oldest=first, latest=max((lab.day for lab in used), default=None),
        age_days=None if first is None else (decision - first).days, max_age_days=table.labs_max_age_days,
        stale=len(used) < len(table.required_analytes) or (first is not None and first < too_old),
        observations=tuple(lab.ref for lab in used),
    )


def record_labs(timeline: Timeline, table: DoseTable, as_of: date) -> LabsUsed:
    """The latest required results of the whole record up to ``as_of`` (for a card without a decision)."""
    latest: dict[str, LabResult] = {}
    for lab in timeline.labs:
        if lab.day <= as_of:
            latest[lab.analyte] = lab
    return labs_used(latest, table, as_of)


def _shown(lab: LabResult) -> str:
    """A result as reported, with its digits, in the unit as a clinician writes it."""
    return shown_value(lab.reported_value, lab.reported_unit, lab.reported_text) or ""


def _trigger_reason(trigger: Trigger, meaning: _Measure) -> DoseReason:
    return DoseReason(rule=trigger.rule, text=trigger.text, term=meaning.term, grade=meaning.grade,
                      value=meaning.value, unit=meaning.unit, observations=meaning.observations,
                      source=trigger.source, status=trigger.status, value_text=meaning.value_text,
                      detail=meaning.detail)


class DoseAdvisor:
    """Walks one patient's cycles in order, carrying the reductions and discontinuation forward."""

    def __init__(self, table: DoseTable, engine: Engine) -> None:
        self.table = table
        self.engine = engine
        self.triggers = {t.rule: t for t in table.triggers}
        self.actions = {a.rule_id(c): (c, a) for c in table.classes for a in table.actions}

    def alerts(self, timeline: Timeline, grades: Sequence[ToxicityGrade], as_of: date) -> list[DoseAlert]:
        points = [
            _PointEvaluation(point, timeline, grades, self.table, key=f"{index}:")
            for index, point in enumerate(decision_points(timeline, self.table, as_of))
        ]
        # The triggers of every decision point in one engine session (they do not depend on each
        # other); the actions, which carry each cycle's outcome to the next, point by point.
        facts = [fact for evaluation in points for fact in evaluation.build()]
        hits: dict[str, list[Hit]] = {evaluation.key: [] for evaluation in points}
        for hit in self.engine.evaluate(TRIGGER_RULESET, facts):
            hits[hit.fact_id.split(":", 1)[0] + ":"].append(hit)
        history = _History()
        return [self._decide(evaluation, hits[evaluation.key], history) for evaluation in points]

    def _decide(self, evaluation: _PointEvaluation, trigger_hits: list[Hit], history: _History) -> DoseAlert:
        point = evaluation.point
        active: dict[str, list[DoseReason]] = {}
        occurred: dict[str, list[DoseReason]] = {}
        last_toxic: dict[str, date] = {}
        eligibility: list[DoseReason] = []
        day_of = {lab.ref: lab.day for lab in evaluation.labs}
        for hit in trigger_hits:
            trigger = self.triggers[hit.rule_id]
            meaning = evaluation.meaning[hit.fact_id]
            reason = _trigger_reason(trigger, meaning)
            if trigger.phase == "pre":
                if meaning.latest:
                    eligibility.append(reason)
                continue
            cls = trigger.toxicity_class
            assert cls is not None
            occurred.setdefault(cls, []).append(reason)
            if meaning.latest:
                active.setdefault(cls, []).append(reason)
            days = [day_of[ref] for ref in meaning.observations if ref in day_of]
            if days:
                last_toxic[cls] = max([*days, last_toxic.get(cls, days[0])])
        candidates: dict[Decision, list[DoseReason]] = {}
        if history.discontinued_at is not None:
            candidates["discontinue"] = [DoseReason(
                rule="lutathera.discontinued", text=f"discontinued permanently at cycle {history.discontinued_at}",
            )]
        if eligibility:
            candidates.setdefault("withhold", []).extend(eligibility)
        class_actions = list(self._class_actions(evaluation, active, occurred, last_toxic, history))
        for class_action, class_reasons in class_actions:
            candidates.setdefault(class_action, []).extend(class_reasons)
        if evaluation.missing:
            candidates["labs-needed"] = list(evaluation.missing)
        action: Decision = max(candidates, key=SEVERITY.__getitem__) if candidates else "proceed"
        reasons = list(candidates.get(action, []))
        if action not in ("labs-needed", "proceed") and "labs-needed" in candidates:
            reasons += candidates["labs-needed"]
        if action == "proceed" and not reasons:
            reasons = [DoseReason(rule="lutathera.proceed", text="no dose-modifying finding in the labs considered",
                                  source=self.table.title, status="verified")]
        reasons += evaluation.exempt
        activity = {"proceed": self.table.full_activity_gbq, "reduce": self.table.reduced_activity_gbq}
        recommended = activity.get(action)
        deviations = self._deviations(point, action, recommended, history) if point.given else ()
        self._remember(point, class_actions, history)
        return DoseAlert(
            cycle=point.cycle, due=point.due, decision_date=point.decision, given=point.given,
            given_activity_gbq=point.given_activity_gbq, action=action, indicator=INDICATOR[action],
            recommended_activity_gbq=recommended, reasons=tuple(reasons), deviations=deviations,
            labs=evaluation.labs_used,
        )

    def _deviations(self, point: DecisionPoint, action: Decision, recommended: float | None,
                    history: _History) -> tuple[Deviation, ...]:
        """Where the cycle given departs from the recommendation at that point, most severe first."""
        rules = self.table.deviations
        if rules is None:
            return ()
        given = point.given_activity_gbq
        found: list[Deviation] = []

        def add(kind: DeviationKind, **values: object) -> None:
            rule = rules.rules[kind]
            found.append(Deviation(kind=kind, text=rule.text.format(**values), rule=rule.rule, source=rule.source))

        maximum = self.table.max_plausible_activity_gbq
        implausible = given is not None and not 0 < given <= round(maximum, 9)
        if implausible:
            add("implausible-activity", given=f"{given:g}", maximum=f"{maximum:.6g}")
        if action == "discontinue":
            add("given-after-discontinue", discontinued_at=history.discontinued_at or point.cycle)
        if action == "withhold":
            add("given-while-withheld")
        if action == "labs-needed":  # no decision was possible: the cycle was given without the labs it needs
            add("given-without-labs")
        if point.previous is not None:
            days = (point.decision - point.previous[1]).days
            if days < rules.min_interval_days:
                add("early", days=days, previous=point.previous[0], minimum=rules.min_interval_days)
        if (given is not None and recommended is not None and not implausible
                and not self.table.within_tolerance(given, recommended)):
            add("activity", given=f"{given:g}", recommended=f"{recommended:g}")
        if given is None:  # neither a full nor a reduced cycle: never read as "given as recommended"
            add("activity-not-recorded")
        order = {kind: index for index, kind in enumerate(DEVIATION_KINDS)}
        return tuple(sorted(found, key=lambda d: order[d.kind]))

    def _resolved(self, evaluation: _PointEvaluation, found: list[DoseReason]) -> DoseReason | None:
        """The latest results of the analytes that showed the toxicity: what shows it has resolved."""
        by_ref = {lab.ref: lab for lab in evaluation.timeline.labs}
        recovered: list[LabResult] = []
        for reason in found:
            lab = next((by_ref[ref] for ref in reason.observations if ref in by_ref), None)
            latest = evaluation.latest.get(lab.analyte) if lab is not None else None
            if latest is not None and latest not in recovered:
                recovered.append(latest)
        if not recovered:
            return None
        first = recovered[0]
        detail = "; ".join(f"{analytes().analytes[lab.analyte].display} {_shown(lab)} on {lab.day.isoformat()}"
                           for lab in recovered)
        return DoseReason(rule="", text="", value=first.reported_value, unit=first.reported_unit,
                          value_text=first.reported_text, observations=tuple(lab.ref for lab in recovered),
                          detail=f"latest result: {detail}")

    def _class_actions(self, evaluation: _PointEvaluation, active: dict[str, list[DoseReason]],
                       occurred: dict[str, list[DoseReason]], last_toxic: dict[str, date], history: _History
                       ) -> Iterable[tuple[Action, list[DoseReason]]]:
        point = evaluation.point
        if point.cycle == 1:
            return []

        def delay(cls: str) -> float:
            """Days the toxicity has required the cycle to wait: to today while it is present, else to
            the last result that still showed it (label: "requires a treatment delay of 16 weeks")."""
            if cls in active:
                until = point.decision
            elif cls in last_toxic:
                until = last_toxic[cls]
            else:
                return 0.0
            return float(max(0, (until - point.due).days))

        states = [
            StateFact(id=cls, kind=STATE_KIND, cls=cls, active=1.0 if cls in active else 0.0,
                      occurred=1.0 if cls in occurred else 0.0, reduced=1.0 if cls in history.reduced else 0.0,
                      last_reduced=1.0 if cls in history.last_reduced else 0.0, delay_days=delay(cls))
            for cls in self.table.classes
        ]
        out: list[tuple[Action, list[DoseReason]]] = []
        for hit in self.engine.evaluate(ACTION_RULESET, states):
            cls, rule = self.actions[hit.rule_id]
            found = occurred.get(cls, []) if rule.action != "withhold" else active.get(cls, [])
            decision = DoseReason(rule=hit.rule_id, text=rule.text, source=rule.source, status=rule.status)
            if rule.action == "reduce":  # "resolved": cite the results that show it
                resolved = self._resolved(evaluation, found)
                if resolved is not None:
                    decision = decision.model_copy(update=resolved.model_dump(
                        include={"value", "unit", "value_text", "observations", "detail"}))
            if rule.action == "proceed" and history.last_reduced_cycle is not None:
                number, day, gbq = history.last_reduced_cycle
                detail = f"cycle {number} was given at {gbq:g} GBq on {day.isoformat()}; no recurrence since"
                decision = decision.model_copy(update={"detail": detail})
            out.append((rule.action, [decision, *found]))
        return out

    def _remember(self, point: DecisionPoint, class_actions: list[tuple[Action, list[DoseReason]]],
                  history: _History) -> None:
        """Carry forward a discontinuation, and the classes a reduced cycle was actually given for.

        The course continues from what was given: a cycle given at the reduced activity (within the
        tolerance) counts as the reduction for every class that called for reducing or withholding at
        that point; a cycle given at another activity, or whose activity is not recorded, is no
        reduction, so no "return to full activity" and no "recurrence after a reduction" follow it.
        """
        if any(action == "discontinue" for action, _ in class_actions) and history.discontinued_at is None:
            history.discontinued_at = point.cycle
        if not point.given:
            return
        given = point.given_activity_gbq
        reduced_cycle = given is not None and self.table.within_tolerance(given, self.table.reduced_activity_gbq)
        reduced_for: set[str] = set()
        if reduced_cycle:
            for action, reasons in class_actions:
                if action not in ("reduce", "withhold"):
                    continue
                for reason in reasons:
                    found = self.actions.get(reason.rule)
                    if found is not None:
                        reduced_for.add(found[0])
        history.reduced |= reduced_for
        history.last_reduced = reduced_for
        if reduced_for:
            assert given is not None
            history.last_reduced_cycle = (point.cycle, point.decision, given)
        else:
            history.last_reduced_cycle = None


def dose_alerts(timeline: Timeline, grades: Sequence[ToxicityGrade], as_of: date, table: DoseTable,
                engine: Engine) -> list[DoseAlert]:
    """The recommendation for every cycle given and for the next cycle due."""
    return DoseAdvisor(table, engine).alerts(timeline, grades, as_of)
