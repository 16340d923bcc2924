"""The dose decision: the engine rulesets compiled from the dose table, and engine hits -> ``DoseAlert``s.

Two rulesets: the triggers (one fact per measure, ``cds.dose.prepare`` -> which trigger is met) and the
actions (one fact per toxicity class state -> withhold / reduce / proceed / discontinue). The most severe
action wins: discontinue > withhold > labs-needed > reduce > proceed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from cds.ctcae.conclusions import ToxicityGrade
from cds.dose.conclusions import Decision, DoseAlert, DoseReason
from cds.dose.deviations import deviations as deviations_of
from cds.dose.prepare import STATE_KIND, TRIGGER_KIND, Measure, PointEvaluation, StateFact, shown
from cds.dose.schedule import DecisionPoint, History, decision_points
from cds.dose.table import PARTNERS, DoseAction, DoseTable, Trigger
from cds.engine import Comparator, Engine, Hit, Rule, Ruleset, Test
from cds.facts import Indicator, LabResult, lutathera_administrations
from cds.tables import analytes
from cds.timeline import Timeline

TRIGGER_RULESET = "lutathera_triggers"
ACTION_RULESET = "lutathera_actions"
SEVERITY: dict[Decision, int] = {"proceed": 0, "reduce": 1, "labs-needed": 2, "withhold": 3, "discontinue": 4}
INDICATOR: dict[Decision, Indicator] = {
    "proceed": "info", "reduce": "warning", "labs-needed": "warning", "withhold": "critical", "discontinue": "critical",
}


def compile_rulesets(table: DoseTable) -> list[Ruleset]:
    """The two engine rulesets of the dose table: the triggers (on measure facts) and, per toxicity class,
    the actions (on class state facts)."""
    triggers = []
    for trigger in table.triggers:
        tests = [Test("phase", "==", trigger.phase), Test("measure", "==", trigger.measure)]
        for comparison in trigger.tests:
            if comparison.field in PARTNERS:
                tests.append(Test(PARTNERS[comparison.field], "==", 1.0))
            tests.append(Test(comparison.field, comparison.op, comparison.threshold))
        triggers.append(Rule(id=trigger.rule, tests=tuple(tests)))
    actions = []
    for toxicity_class in table.classes:
        for action in table.actions:
            tests = [Test("cls", "==", toxicity_class)]
            tests += [Test(flag, "==", 1.0 if wanted else 0.0) for flag, wanted in action.flags.items()]
            if action.delay_reached is not None:
                op: Comparator = ">=" if action.delay_reached else "<"
                tests.append(Test("delay_days", op, float(table.max_delay_days)))
            actions.append(Rule(id=action.rule_id(toxicity_class), tests=tuple(tests)))
    return [
        Ruleset(name=TRIGGER_RULESET, kind=TRIGGER_KIND, rules=tuple(triggers)),
        Ruleset(name=ACTION_RULESET, kind=STATE_KIND, rules=tuple(actions)),
    ]


def _trigger_reason(trigger: Trigger, meaning: Measure) -> DoseReason:
    return DoseReason(kind="eligibility" if trigger.phase == "pre" else "finding", rule=trigger.rule,
                      text=trigger.text, term=meaning.term, grade=meaning.grade,
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
            PointEvaluation(point, timeline, grades, self.table, key=f"{index}:")
            for index, point in enumerate(decision_points(timeline, self.table, as_of))
        ]
        # The triggers of every decision point in one engine session (they do not depend on each
        # other); the actions, which carry each cycle's outcome to the next, point by point.
        facts = [fact for evaluation in points for fact in evaluation.build()]
        hits: dict[str, list[Hit]] = {evaluation.key: [] for evaluation in points}
        for hit in self.engine.evaluate(TRIGGER_RULESET, facts):
            hits[hit.fact_id.split(":", 1)[0] + ":"].append(hit)
        history = History()
        alerts = [self._decide(evaluation, hits[evaluation.key], history) for evaluation in points]
        return [_course_unread(alert, timeline) if not alert.given else alert for alert in alerts]

    def _decide(self, evaluation: PointEvaluation, trigger_hits: list[Hit], history: History) -> DoseAlert:
        point = evaluation.point
        active: dict[str, list[DoseReason]] = {}
        occurred: dict[str, list[DoseReason]] = {}
        last_toxic: dict[str, date] = {}
        toxic_analytes: dict[str, set[str]] = {}
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
            toxic_analytes.setdefault(cls, set()).update(
                lab.analyte for lab in evaluation.labs if lab.ref in meaning.observations)
        resolved_on: dict[str, date] = {}
        for cls, last in last_toxic.items():
            if cls in active:
                continue
            after = [lab.day for lab in evaluation.labs if lab.analyte in toxic_analytes.get(cls, set())
                     and lab.day > last]
            if after:
                resolved_on[cls] = min(after)
        candidates: dict[Decision, list[DoseReason]] = {}
        if history.discontinued_at is not None:
            candidates["discontinue"] = [DoseReason(
                kind="discontinued", rule="lutathera.discontinued",
                text=f"discontinued permanently at cycle {history.discontinued_at}",
            )]
        if eligibility:
            candidates.setdefault("withhold", []).extend(eligibility)
        class_actions = list(self._class_actions(evaluation, active, occurred, last_toxic, resolved_on, history))
        for class_action, class_reasons in class_actions:
            candidates.setdefault(class_action, []).extend(class_reasons)
        if evaluation.missing:
            candidates["labs-needed"] = list(evaluation.missing)
        action: Decision = max(candidates, key=SEVERITY.__getitem__) if candidates else "proceed"
        reasons = list(candidates.get(action, []))
        if action not in ("labs-needed", "proceed") and "labs-needed" in candidates:
            reasons += candidates["labs-needed"]
        if action == "proceed" and not reasons:
            reasons = [DoseReason(kind="proceed", rule="lutathera.proceed",
                                  text="no dose-modifying finding in the labs considered",
                                  source=self.table.title, status="verified")]
        reasons += evaluation.exempt
        activity = {"proceed": self.table.full_activity_gbq, "reduce": self.table.reduced_activity_gbq}
        recommended = activity.get(action)
        deviations = deviations_of(self.table, point, action, recommended, history) if point.given else ()
        self._remember(point, class_actions, history)
        return DoseAlert(
            cycle=point.cycle, due=point.due, decision_date=point.decision, given=point.given,
            given_activity_gbq=point.given_activity_gbq, action=action, indicator=INDICATOR[action],
            recommended_activity_gbq=recommended, reasons=tuple(reasons), deviations=deviations,
            labs=evaluation.labs_used,
        )

    def _resolved(self, evaluation: PointEvaluation, found: list[DoseReason]) -> DoseReason | None:
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
        detail = "; ".join(f"{analytes().analytes[lab.analyte].display} {shown(lab)} on {lab.day.isoformat()}"
                           for lab in recovered)
        return DoseReason(kind="action", rule="", text="", value=first.reported_value, unit=first.reported_unit,
                          value_text=first.reported_text, observations=tuple(lab.ref for lab in recovered),
                          detail=f"latest result: {detail}")

    def _class_actions(self, evaluation: PointEvaluation, active: dict[str, list[DoseReason]],
                       occurred: dict[str, list[DoseReason]], last_toxic: dict[str, date],
                       resolved_on: dict[str, date], history: History) -> Iterable[tuple[DoseAction, list[DoseReason]]]:
        point = evaluation.point
        if point.cycle == 1:
            return []

        def delay(cls: str) -> float:
            """Days the toxicity has required the cycle to wait after its due date (label: "requires a
            treatment delay of 16 weeks"): to today while it is present, else to the first result that
            showed it resolved (the cycle could not have been given before that day). Measured to the last
            result that still showed it, a later normal result would shorten a delay that had already
            reached the limit and turn a permanent discontinuation back into a reduction."""
            if cls in active:
                until = point.decision
            elif cls in resolved_on:
                until = resolved_on[cls]
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
        out: list[tuple[DoseAction, list[DoseReason]]] = []
        for hit in self.engine.evaluate(ACTION_RULESET, states):
            cls, rule = self.actions[hit.rule_id]
            found = occurred.get(cls, []) if rule.action != "withhold" else active.get(cls, [])
            decision = DoseReason(kind="action", rule=hit.rule_id, text=rule.text, source=rule.source,
                                  status=rule.status)
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

    def _remember(self, point: DecisionPoint, class_actions: list[tuple[DoseAction, list[DoseReason]]],
                  history: History) -> None:
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


UNREAD_RULE = "lutathera.course.unread"


def _course_unread(alert: DoseAlert, timeline: Timeline) -> DoseAlert:
    """The next cycle's recommendation when Lutathera administrations recorded as given could not be read
    as cycles: its first reason says so and it is at least a warning, whatever the laboratory rules say.
    Not counted, such an administration may make this cycle a later one (beyond the planned course), and the
    interval since the last cycle and the cumulative activity cannot be checked (a prrt-cds reading: a
    course record that cannot be read is never taken as a course that was not given)."""
    unread = timeline.unread_administrations
    if not unread:
        return alert
    count = lutathera_administrations(len(unread))
    reason = DoseReason(
        kind="course", rule=UNREAD_RULE, observations=tuple(u.ref for u in unread),
        text=(f"{count} recorded as given could not be read ({'; '.join(f'{u.ref}: {u.reason}' for u in unread)}): "
              f"not counted, so this may not be cycle {alert.cycle}, and the interval since the last cycle and the "
              "cumulative activity cannot be checked; record the administration's date, or correct the record"))
    indicator = "warning" if alert.indicator == "info" else alert.indicator
    return alert.model_copy(update={"reasons": (reason, *alert.reasons), "indicator": indicator})


def dose_alerts(timeline: Timeline, grades: Sequence[ToxicityGrade], as_of: date, table: DoseTable,
                engine: Engine) -> list[DoseAlert]:
    """The recommendation for every cycle given and for the next cycle due."""
    return DoseAdvisor(table, engine).alerts(timeline, grades, as_of)
