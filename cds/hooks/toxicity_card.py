"""The ``prrt-toxicity`` card (patient-view): where the patient is in the PRRT course, and what next.

One card: the current cycle (the latest administration), the worst CTCAE grade per laboratory term
in its window, the latest RECIST 1.1 response, and the recommendation for the next cycle. The
indicator is the next cycle's (info to proceed; warning to reduce or when labs are needed; critical
to withhold or discontinue). No card for a patient without a recorded PRRT administration: the
eligibility check before cycle 1 belongs to the order (``prrt-dose-check``).
"""

from __future__ import annotations

from datetime import date

from cds.conclusions import DoseAlert, ToxicityGrade
from cds.ctcae_table import table as ctcae_table
from cds.evaluation import DEFAULT_CTCAE_VERSION, PatientEvaluation
from cds.hooks import markdown as md
from cds.hooks.cards import Card, IssuedCard, override_reasons, summary_of, toxicity_source
from cds.hooks.evidence import alert_section, footer, recommendation
from cds.recist_conclusions import TimepointResponse
from cds.timeline import Cycle


def next_alert(result: PatientEvaluation) -> DoseAlert | None:
    return next((alert for alert in result.alerts if not alert.given), None)


def worst_per_term(result: PatientEvaluation, cycle: int) -> list[ToxicityGrade]:
    """The worst grade of each CTCAE term among the cycle's results (the latest on a tie), worst first."""
    worst: dict[str, ToxicityGrade] = {}
    for grade in result.toxicities:
        if grade.cycle != cycle or grade.grade is None:
            continue
        held = worst.get(grade.term)
        if held is None or held.grade is None or (grade.grade, grade.effective) >= (held.grade, held.effective):
            worst[grade.term] = grade
    return sorted(worst.values(), key=lambda g: (-(g.grade or 0), g.term))


def latest_response(result: PatientEvaluation) -> TimepointResponse | None:
    assessment = result.recist
    return assessment.responses[-1] if assessment is not None and assessment.responses else None


def _summary(cycle: Cycle, worst: list[ToxicityGrade], response: TimepointResponse | None,
             alert: DoseAlert | None, planned: int) -> str:
    if alert is not None:
        first = f"Lutathera cycle {alert.cycle}: {recommendation(alert)}"
    else:
        first = f"Lutathera course complete ({cycle.number} of {planned} cycles given)"
    top = [g for g in worst if g.grade]
    if top:
        more = f" (+{len(top) - 1} more)" if len(top) > 1 else ""
        second = f"cycle {cycle.number}: worst CTCAE grade {top[0].grade} {top[0].term}{more}"
    else:
        second = f"cycle {cycle.number}: no CTCAE grade 1 or higher"
    parts = [first, second]
    if response is not None:
        parts.append(f"RECIST {response.overall_for_best} on {response.day.isoformat()}")
    return summary_of(parts)


def _grades_section(cycle: Cycle, worst: list[ToxicityGrade], ungradable: list[ToxicityGrade]) -> str:
    activity = "activity not recorded" if cycle.activity_gbq is None else f"{cycle.activity_gbq:g} GBq"
    lines = [f"**Cycle {cycle.number} (given {cycle.date.isoformat()}, {activity}): worst CTCAE grade per term**", ""]
    if worst:
        rows = [
            [g.term, g.grade, md.quantity(g.value, g.unit), g.effective,
             _range(g), g.criterion, g.rule, g.observation]
            for g in worst
        ]
        lines.append(md.table(["Term", "Grade", "Value", "Result date", "Normal range", "Threshold", "Rule",
                               "Observation"], rows))
        ctcae = ctcae_table(DEFAULT_CTCAE_VERSION)
        lines += ["", f"Thresholds: {md.text(ctcae.title)}; source: {md.text(ctcae.source)}."]
    else:
        lines.append("No graded laboratory result in this cycle.")
    if ungradable:
        lines += ["", "Not gradable: " + md.text("; ".join(
            f"{g.term} ({g.observation}): {g.reason}" for g in ungradable))]
    return "\n".join(lines)


def _range(grade: ToxicityGrade) -> str | None:
    """LLN to ULN, in the unit the value was reported in when the conversion is known."""
    if grade.lln is None and grade.uln is None:
        return None
    factor, unit = 1.0, grade.unit_canonical
    if grade.value and grade.value_canonical:
        factor, unit = grade.value_canonical / grade.value, grade.unit
    low = "—" if grade.lln is None else f"{grade.lln / factor:.4g}"
    high = "—" if grade.uln is None else f"{grade.uln / factor:.4g}"
    where = " (default range)" if grade.range_source == "default" else ""
    return f"{low} to {high} {unit or ''}".rstrip() + where


def response_section(result: PatientEvaluation) -> str:
    response = latest_response(result)
    title = "**Tumour response (RECIST 1.1)**"
    if response is None or result.recist is None:
        return f"{title}: no assessment after baseline."
    details = [f"target {response.target or 'none'}", f"non-target {response.non_target or 'none'}",
               "new lesions" if response.new_lesions else "no new lesions"]
    if response.sum_mm is not None:
        details.append(f"sum {response.sum_mm:g} mm")
    if response.change_from_baseline_pct is not None:
        details.append(f"{response.change_from_baseline_pct:+.1f}% from baseline")
    best = result.recist.best
    line = (f"{title}: latest time point {response.day.isoformat()}: **{md.text(response.overall_for_best)}** "
            f"({md.text(', '.join(details))}; {response.source}). Best overall response: "
            f"{md.text(best.confirmed or 'none')} confirmed, {md.text(best.unconfirmed or 'none')} unconfirmed.")
    return line


def toxicity_card(result: PatientEvaluation, ruleset_version: str, as_of: date, unavailable: list[str],
                  planned_cycles: int) -> IssuedCard | None:
    """The patient-view card, or None when the patient has no recorded PRRT administration."""
    timeline = result.timeline
    if not timeline.cycles:
        return None
    cycle = timeline.cycles[-1]
    worst = worst_per_term(result, cycle.number)
    ungradable = [g for g in result.toxicities if g.cycle == cycle.number and g.grade is None]
    alert = next_alert(result)
    sections = []
    if alert is not None:
        sections.append(alert_section(alert, timeline, "Next cycle"))
    else:
        sections.append(f"**Planned course complete**: {cycle.number} cycles given (the label plans "
                        f"{planned_cycles}); no next cycle is due.")
    sections += [_grades_section(cycle, worst, ungradable), response_section(result),
                 footer(ruleset_version, as_of, unavailable)]
    indicator = alert.indicator if alert is not None else "info"
    card = Card(
        summary=_summary(cycle, worst, latest_response(result), alert, planned_cycles),
        detail="\n\n".join(sections), indicator=indicator, source=toxicity_source(),
        overrideReasons=override_reasons() if indicator != "info" else None,
    )
    action = alert.action if alert is not None else "course-complete"
    return IssuedCard(card=card, action=action, cycle=alert.cycle if alert else cycle.number)
