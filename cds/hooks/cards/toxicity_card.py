"""The ``prrt-toxicity`` card (patient-view): where the patient is in the PRRT course, and what next.

One card: the recommendation for the next cycle (with the date and age of the labs it used), the
worst CTCAE grade per laboratory term over the whole course (with its cycle) and in the current cycle
(the latest administration; terms at grade 0 folded into one line), the cycles given otherwise than
recommended, the latest RECIST 1.1 response and the best overall response. The
indicator is the next cycle's (info to proceed; warning to reduce or when labs are needed; critical
to withhold or discontinue), raised to warning when a check before the cycle warns (cds.protocol) and
to critical when one says the cycle must not be given (a positive pregnancy test), which then leads
the summary, or when no activity keeps the kidney dose limits (the order card's critical "at most 0
GBq"). An unknown check that alone asks for a card on the order hooks (``card_when_unknown``: pregnancy
not excluded) is a warning here too, its "verify ..." in the summary; so are laboratory results dated
after the day the labs are read up to (graded on the card, read by no recommendation), and Lutathera
administrations dated after the day decided on (counted as given; the summary says so first). With no next cycle
(the planned course given, or the patient recorded as deceased, which then leads the summary), a CTCAE
grade at or above ``after_course_warning_grade`` since the last cycle makes the card a warning. No card
for a patient without a recorded PRRT administration: the eligibility check before cycle 1 belongs to the
order (``prrt-dose-check``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cds.ctcae.conclusions import ToxicityGrade
from cds.ctcae.document import graded_value
from cds.ctcae.table import table as ctcae_table
from cds.dose.conclusions import DoseAlert, LabsUsed
from cds.dose.labs_used import after_notice, dated_after, labs_text, latest_labs, stale_notice
from cds.dose.schedule import planned_course
from cds.evaluation import DEFAULT_CTCAE_VERSION, PatientEvaluation
from cds.facts import LabResult, lutathera_administrations
from cds.hooks.cards import markdown as md
from cds.hooks.cards.card import Card, IssuedCard, notices_after, override_reasons, summary_noting, toxicity_source
from cds.hooks.cards.evidence import (
    alert_section,
    deceased_text,
    deviations_section,
    footer,
    given_after_notice,
    given_after_section,
    recommendation,
)
from cds.hooks.cards.incomplete import history_card, incomplete_notice, incomplete_section
from cds.hooks.cards.kidney_dose import kidney_cap, kidney_dose_notice, kidney_dose_section, kidney_dose_warns
from cds.hooks.cards.protocol_notice import LABELS, checks_lines, hold_summary, open_checks, to_verify
from cds.protocol.conclusions import ProtocolChecks
from cds.recist.conclusions import TimepointResponse
from cds.recist.document import best_text
from cds.tables import shown_unit
from cds.timeline import Cycle, Timeline


def next_alert(result: PatientEvaluation) -> DoseAlert | None:
    return next((alert for alert in result.alerts if not alert.given), None)


def worst_per_term(result: PatientEvaluation, cycle: int | None) -> list[ToxicityGrade]:
    """The worst grade of each CTCAE term among the cycle's results (the latest on a tie), worst first;
    ``cycle`` None: over the whole course (from cycle 1 on, as the cohort report counts it)."""
    worst: dict[str, ToxicityGrade] = {}
    for grade in result.toxicities:
        in_scope = grade.cycle >= 1 if cycle is None else grade.cycle == cycle
        if not in_scope or grade.grade is None:
            continue
        held = worst.get(grade.term)
        if held is None or held.grade is None or (grade.grade, grade.effective) >= (held.grade, held.effective):
            worst[grade.term] = grade
    return sorted(worst.values(), key=lambda g: (-(g.grade or 0), g.term))


def latest_response(result: PatientEvaluation) -> TimepointResponse | None:
    assessment = result.recist
    return assessment.responses[-1] if assessment is not None and assessment.responses else None


def _summary(cycle: Cycle, worst: list[ToxicityGrade], response: TimepointResponse | None,
             alert: DoseAlert | None, planned: int, labs: LabsUsed | None, kidney: str | None = None,
             cap: float | None = None, checks: ProtocolChecks | None = None, incomplete: str | None = None,
             unread: str | None = None, deceased: str | None = None, given_after: str | None = None,
             course: str | None = None) -> str:
    hold = hold_summary(checks) if alert is not None and checks is not None else None
    warned = [LABELS[c.check] for c in open_checks(checks) if c.status == "warning" and not c.stops_cycle]
    unverified = [LABELS[c.check] for c in to_verify(checks)]  # pregnancy not excluded: as the order card says
    if hold is not None and alert is not None:
        # A check stops the cycle (a positive pregnancy test): that leads, never "proceed at 7.4 GBq".
        first = f"{hold} (laboratory rules: {recommendation(alert)})"
        kidney = None
    elif alert is not None and cap is not None and alert.action in ("proceed", "reduce"):
        # The kidney dose limits hold this cycle below what the laboratory rules allow: the lower figure
        # leads, so the summary never reads as an instruction to give the higher one.
        first = (f"Lutathera cycle {alert.cycle}: at most {cap:g} GBq within the kidney dose limits "
                 f"(laboratory rules: {recommendation(alert)})")
        kidney = None
    elif alert is not None:
        first = f"Lutathera cycle {alert.cycle}: {recommendation(alert)}"
    elif deceased is not None:
        first = f"{deceased}: no further Lutathera cycle ({cycle.number} of {planned} cycles given)"
    else:
        first = f"Lutathera course complete ({cycle.number} of {planned} cycles given)"
    top = [g for g in worst if g.grade]
    if top:
        more = f" (+{len(top) - 1} more)" if len(top) > 1 else ""
        second = f"cycle {cycle.number}: worst CTCAE grade {top[0].grade} {top[0].term}{more}"
    else:
        second = f"cycle {cycle.number}: no CTCAE grade 1 or higher"
    parts = [first, *([f"check {', '.join(warned)}"] if warned and alert is not None else []),
             *([f"verify {', '.join(unverified)}"] if unverified and alert is not None else []),
             *([kidney] if kidney else []), second]
    if response is not None:
        parts.append(f"RECIST {response.overall_for_best} on {response.day.isoformat()}")
    # cycles dated after the day decided on come first, then records not read: what the course reads as
    # given depends on them
    return summary_noting(parts, notices_after(given_after, (course, stale_notice(labs), incomplete, unread)))


def _course_notice(timeline: Timeline) -> str | None:
    """"course not fully checked: 1 Lutathera administration not read" (cds.facts.UnreadAdministration)."""
    count = len(timeline.unread_administrations)
    if not count:
        return None
    return f"course not fully checked: {lutathera_administrations(count)} not read"


def _unread_section(unread: list[LabResult], day: date, what: str) -> str:
    """The results dated after the day the labs are read up to: graded below, not read for ``what``."""
    if not unread:
        return ""
    refs = ", ".join(lab.ref for lab in unread)
    return (f"**Laboratory results dated after {day.isoformat()}** are not read for the {what} above; the "
            f"grades below include them. Check their dates: {md.text(refs)}.")


def _value(grade: ToxicityGrade, labs: dict[str, LabResult]) -> str | None:
    """The graded value as reported: its digits (7.40, not 7.4) and its unit as a clinician writes it.
    A count derived from a percent differential is the count that was graded, with the share it came
    from: "0.4 x10^9/L (20 % of the WBC)", never the percentage alone beside a count's thresholds."""
    lab = labs.get(grade.observation)
    digits = lab.reported_text if lab is not None and lab.reported_value == grade.value else None
    return graded_value(grade, digits)


def _grade_rows(worst: list[ToxicityGrade], labs: dict[str, LabResult], with_cycle: bool) -> tuple[str, int]:
    """The table of terms graded 1 or higher, and how many terms were graded 0 (folded into one line)."""
    graded = [g for g in worst if g.grade]
    rows = [
        [g.term, g.grade, *([g.cycle] if with_cycle else []), _value(g, labs), g.effective, _range(g),
         g.criterion, g.rule, g.observation]
        for g in graded
    ]
    header = ["Term", "Grade", *(["Cycle"] if with_cycle else []), "Value", "Result date", "Normal range",
              "Threshold", "Rule", "Observation"]
    return (md.table(header, rows) if rows else ""), len(worst) - len(graded)


def _folded(zero: int, graded: bool) -> str | None:
    if not zero:
        return None
    terms = "term" if zero == 1 else "terms"
    return f"{zero} {'other ' if graded else ''}{terms} grade 0."


def _grades_section(cycle: Cycle, course: list[ToxicityGrade], worst: list[ToxicityGrade],
                    ungradable: list[ToxicityGrade], labs: dict[str, LabResult],
                    ctcae_version: str) -> str:
    lines = [f"**Worst CTCAE grade per term over the course (cycles 1 to {cycle.number})**", ""]
    table, zero = _grade_rows(course, labs, with_cycle=True)
    lines += [table] if table else ["No laboratory result graded 1 or higher since cycle 1."]
    lines += [part for part in ["", _folded(zero, bool(table))] if part is not None] if zero else []
    activity = "activity not recorded" if cycle.activity_gbq is None else f"{cycle.activity_gbq:g} GBq"
    lines += ["", f"**Current cycle {cycle.number} (given {cycle.date.isoformat()}, {activity}): "
                  "worst CTCAE grade per term**", ""]
    table, zero = _grade_rows(worst, labs, with_cycle=False)
    if table:
        lines.append(table)
    elif not zero:
        lines.append("No graded laboratory result in this cycle.")
    else:
        lines.append("No laboratory result graded 1 or higher in this cycle.")
    if zero:
        lines += ["", _folded(zero, bool(table)) or ""]
    if course or worst:
        ctcae = ctcae_table(ctcae_version)
        lines += ["", f"Thresholds: {md.text(ctcae.title)}; source: {md.text(ctcae.source)}."]
    if ungradable:
        lines += ["", "Not gradable: " + md.text("; ".join(
            f"{g.term} ({g.observation}): {g.reason}" for g in ungradable))]
    return "\n".join(lines)


def _label_grade(grade: ToxicityGrade) -> int:
    """The grade a CTCAE grade acts as on the label's bands (``DoseCourse.label_grade``)."""
    return planned_course().label_grade(grade.term, grade.grade or 0, grade.ctcae_version)


def _severe_text(grade: ToxicityGrade) -> str:
    acts_as = _label_grade(grade)
    shifted = f" (CTCAE v{grade.ctcae_version}; acts as grade {acts_as} of the label's bands)" \
        if acts_as != grade.grade else ""
    return f"{grade.term} grade {grade.grade}{shifted}"


def _range(grade: ToxicityGrade) -> str | None:
    """LLN to ULN, in the unit the value was reported in when the conversion is known (a count derived
    from a percentage: in the count's unit)."""
    if grade.lln is None and grade.uln is None:
        return None
    factor, unit = 1.0, grade.unit_canonical
    # a derived count's range is the count's: rescaled by count / percentage it would read as a percent
    if grade.value and grade.value_canonical and grade.derivation != "share of the WBC":
        factor, unit = grade.value_canonical / grade.value, grade.unit
    low = "—" if grade.lln is None else f"{grade.lln / factor:.4g}"
    high = "—" if grade.uln is None else f"{grade.uln / factor:.4g}"
    where = " (default range)" if grade.range_source == "default" else ""
    return f"{low} to {high} {shown_unit(unit)}".rstrip() + where


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
    line = (f"{title}: latest time point {response.day.isoformat()}: **{md.text(response.overall_for_best)}** "
            f"({md.text(', '.join(details))}; {response.source}). {md.text(best_response_text(result))}")
    return line


def best_response_text(result: PatientEvaluation) -> str:
    """"Best overall response: PR (confirmed)"; the unconfirmed one only where it differs."""
    return "Best overall response: none." if result.recist is None else best_text(result.recist.best)


def toxicity_card(result: PatientEvaluation, ruleset_version: str, as_of: date, unavailable: list[str],
                  planned_cycles: int, ctcae_version: str = DEFAULT_CTCAE_VERSION,
                  incomplete: Sequence[str] = (), history_incomplete: bool = False) -> IssuedCard | None:
    """The patient-view card, or None when the patient has no recorded PRRT administration. ``incomplete``:
    data the rules decide from that could not be had; the card then says "not fully checked" (a warning).
    ``history_incomplete``: medication records could not be told to be Lutathera cycles or not; without a
    known cycle, the card says the course is not fully checked instead of giving no card."""
    timeline = result.timeline
    if not timeline.cycles:
        if history_incomplete:
            return history_card(incomplete, footer(ruleset_version, as_of, unavailable), toxicity_source(ctcae_version))
        return None
    cycle = timeline.cycles[-1]
    worst = worst_per_term(result, cycle.number)
    course = worst_per_term(result, None)
    ungradable = [g for g in result.toxicities if g.cycle == cycle.number and g.grade is None]
    alert = next_alert(result)
    deceased = deceased_text(timeline) if len(timeline.cycles) < planned_cycles else None
    after_course = planned_course().after_course_warning_grade
    # no next cycle: a severe grade since the last cycle is still for the clinician's attention, on the
    # label's bands as the dose rules read it (a CTCAE v6.0 neutrophil grade 2 acts as grade 3: grade_shift)
    severe = [g for g in worst if g.grade is not None and _label_grade(g) >= after_course] if alert is None else []
    sections = []
    if alert is not None:
        labs = alert.labs
        sections.append(alert_section(alert, timeline, "Next cycle"))
    else:
        labs = latest_labs(timeline, as_of)
        ended = (f"**{deceased}**: {cycle.number} cycles given (the label plans {planned_cycles}); no further "
                 "cycle is decided." if deceased is not None else
                 f"**Planned course complete**: {cycle.number} cycles given (the label plans "
                 f"{planned_cycles}); no next cycle is due.")
        if severe:
            ended += (f" Since cycle {cycle.number}: " + md.text("; ".join(_severe_text(g) for g in severe))
                      + f" (grade {after_course} or higher: follow it up, no cycle decides it).")
        sections.append(f"{ended} Latest laboratory results: {md.text(labs_text(labs, as_of.isoformat()))}.")
    checks = result.protocol_checks if alert is not None else None
    by_ref = {lab.ref: lab for lab in timeline.labs}
    read_to = alert.decision_date if alert is not None else as_of  # the day the labs are read up to
    unread = dated_after(timeline, read_to)
    given_after = timeline.given_after(as_of)  # counted as given, dated after the day decided on
    sections += [part for part in (
        given_after_section(given_after, as_of),
        _unread_section(unread, read_to, "recommendation" if alert is not None else "latest laboratory results"),
        incomplete_section(incomplete) if incomplete and alert is not None else "",
        checks_lines(checks) if checks is not None else "",
        kidney_dose_section(result.kidney_dosimetry), deviations_section(result.alerts),
        _grades_section(cycle, course, worst, ungradable, by_ref, ctcae_version),
        response_section(result), footer(ruleset_version, as_of, unavailable)) if part]
    indicator = alert.indicator if alert is not None else "warning" if severe else "info"
    if indicator == "info" and kidney_dose_warns(result.kidney_dosimetry):  # a kidney limit asks for attention
        indicator = "warning"
    if indicator == "info" and any(c.status == "warning" for c in open_checks(checks)):  # a check before the cycle
        indicator = "warning"
    if indicator == "info" and to_verify(checks):  # an unknown that asks for attention (pregnancy not excluded)
        indicator = "warning"
    if indicator == "info" and incomplete and alert is not None:  # decided without data the rules need
        indicator = "warning"
    if indicator == "info" and unread:  # results the recommendation did not read, graded on the card
        indicator = "warning"
    if indicator == "info" and given_after:  # cycles counted as given whose dates cannot be right
        indicator = "warning"
    if checks is not None and hold_summary(checks) is not None:  # a check says the cycle must not be given
        indicator = "critical"
    cap = kidney_cap(result, alert) if alert is not None else None
    if cap is not None and cap <= 0 and alert is not None and alert.action in ("proceed", "reduce"):
        # no activity keeps the kidney dose limits: the cycle is not to be given, as the order card says
        indicator = "critical"
    card = Card(
        summary=_summary(cycle, worst, latest_response(result), alert, planned_cycles, labs,
                         kidney_dose_notice(result.kidney_dosimetry), cap, checks,
                         incomplete_notice(incomplete) if alert is not None else None,
                         after_notice(unread, read_to), deceased, given_after_notice(given_after, as_of),
                         _course_notice(timeline) if alert is not None else None),
        detail="\n\n".join(sections), indicator=indicator, source=toxicity_source(ctcae_version),
        overrideReasons=override_reasons() if indicator != "info" else None,
    )
    action = alert.action if alert is not None else "deceased" if deceased is not None else "course-complete"
    return IssuedCard(card=card, action=action, cycle=alert.cycle if alert else cycle.number)
