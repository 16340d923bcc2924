"""The evidence both services show: a dose recommendation, its reasons, and where they come from.

Each reason row gives what was found, the value, the day of the result, the CTCAE grade, the
source the rule encodes and the FHIR resources it was drawn from (architecture.md: "A clinician
can always see why").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cds.dose.conclusions import DoseAlert, DoseReason
from cds.dose.labs_used import labs_text
from cds.facts import lutathera_administrations
from cds.hooks.cards import markdown as md
from cds.tables import shown_value
from cds.timeline import Cycle, Timeline

ACTION_WORDS = {
    "proceed": "proceed", "reduce": "reduce the activity", "withhold": "withhold", "discontinue": "discontinue",
    "labs-needed": "laboratory results needed first",
}


def recommendation(alert: DoseAlert) -> str:
    """The action in a clinician's words, with the activity to give when there is one."""
    if alert.action == "proceed" and alert.recommended_activity_gbq is not None:
        return f"proceed at {alert.recommended_activity_gbq:g} GBq"
    if alert.action == "reduce" and alert.recommended_activity_gbq is not None:
        return f"reduce to {alert.recommended_activity_gbq:g} GBq"
    return ACTION_WORDS[alert.action]


def headline_reason(alert: DoseAlert) -> str | None:
    """The finding that decided: a graded term if there is one, else the first reason's text."""
    for reason in alert.reasons:
        if reason.term is not None and reason.grade is not None:
            return f"{reason.term} grade {reason.grade}"
    missing = [r for r in alert.reasons if r.kind == "labs"]
    if alert.action == "labs-needed" and len(missing) > 1:
        return f"{len(missing)} required results missing or not recent enough"
    # the course's own notice (records that could not be read) is a card of its own, never the headline
    decided = [r for r in alert.reasons if r.kind != "course"]
    for reason in decided:
        if reason.observations or reason.value is not None or alert.action == "labs-needed":
            return reason.text
    return decided[0].text if decided and alert.action != "proceed" else None


def _days(timeline: Timeline) -> dict[str, date]:
    days = {lab.ref: lab.day for lab in timeline.labs}
    days.update({body.ref: body.day for body in timeline.body})
    return days


def _reason_row(reason: DoseReason, days: dict[str, date]) -> list[object]:
    dated = sorted({days[ref] for ref in reason.observations if ref in days})
    source = reason.source if reason.status is None else f"{reason.source or '—'} ({reason.status})"
    value = shown_value(reason.value, reason.unit, reason.value_text)
    if reason.detail:  # how a derived value was found (e.g. the Cockcroft-Gault clearance), beside it
        value = f"{value}; {reason.detail}" if value else reason.detail
    return [
        reason.text, value, ", ".join(d.isoformat() for d in dated) or None,
        reason.grade, source, reason.rule, ", ".join(reason.observations) or None,
    ]


def alert_section(alert: DoseAlert, timeline: Timeline, title: str) -> str:
    """A heading with the recommendation, then the reasons table."""
    state = "given" if alert.given else "due"
    lines = [
        f"**{md.text(title)}: cycle {alert.cycle}, {state} {alert.due.isoformat()}: {md.text(recommendation(alert))}**",
        "",
        f"Laboratory results used: {md.text(labs_text(alert.labs, alert.decision_date.isoformat()))}.",
        "",
    ]
    if alert.reasons:
        rows = [_reason_row(reason, _days(timeline)) for reason in alert.reasons]
        lines.append(md.table(["Finding", "Value", "Result date", "CTCAE grade", "Source", "Rule", "Evidence"], rows))
    return "\n".join(lines)


def footer(ruleset_version: str, as_of: date, unavailable: list[str]) -> str:
    lines = []
    if unavailable:
        lines += ["**Data not available** (the EHR could not provide it; the evaluation went on without it): "
                  + md.text(", ".join(unavailable)), ""]
    lines.append(f"_prrt-cds ruleset {md.text(ruleset_version)}; evaluated as of {as_of.isoformat()}. "
                 "Supports, and does not replace, the judgement of the treating team._")
    return "\n".join(lines)


def deviations_section(alerts: tuple[DoseAlert, ...]) -> str | None:
    """The cycles given that departed from their recommendation, each deviation with its rule."""
    rows = [
        [alert.cycle, alert.decision_date, shown_value(alert.given_activity_gbq, "GBq") or "not recorded",
         recommendation(alert), deviation.text, deviation.rule]
        for alert in alerts if alert.given for deviation in alert.deviations
    ]
    if not rows:
        return None
    return "\n".join(["**Cycles given otherwise than recommended**", "",
                      md.table(["Cycle", "Given on", "Given", "Recommended", "Deviation", "Rule"], rows)])


def deceased_text(timeline: Timeline) -> str | None:
    """"Patient recorded as deceased on 2024-04-10" (or with no date), None for a patient not so recorded:
    no further cycle is decided for such a patient (cds.dose.schedule), and an order for one is critical."""
    patient = timeline.patient
    if not patient.deceased:
        return None
    return "Patient recorded as deceased" + (f" on {patient.death_date.isoformat()}" if patient.death_date else "")


def given_after_notice(cycles: Sequence[Cycle], day: date) -> str | None:
    """What a card's summary says of the cycles dated after the day decided on (``Timeline.given_after``):
    "2 Lutathera administrations dated after 2024-03-10: counted as given; verify the dates"; None when
    there are none."""
    if not cycles:
        return None
    plural = "" if len(cycles) == 1 else "s"
    return (f"{lutathera_administrations(len(cycles))} dated after {day.isoformat()}: counted as given; "
            f"verify the date{plural}")


def given_after_section(cycles: Sequence[Cycle], day: date) -> str:
    """The cycles dated after the day decided on, each with its date and records, and why they are counted."""
    if not cycles:
        return ""
    rows = "\n".join(
        f"- cycle {c.number}, "
        + (f"{c.date.isoformat()}" if c.latest_date is None else
           f"on a day from {c.date.isoformat()} to {c.latest_date.isoformat()}")
        + f": {md.text(', '.join(c.sources))}" for c in cycles)
    return (f"**Lutathera administrations dated after {day.isoformat()}**, the day decided on, are counted as "
            "given: leaving one out could recommend a cycle that may already have been given. A decision cannot "
            "follow an administration dated after it (a date entered wrongly, a clock ahead of the service's, a "
            f"planned administration recorded as completed): verify the dates.\n{rows}")
