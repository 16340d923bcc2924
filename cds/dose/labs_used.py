"""The laboratory results a recommendation used: which (the latest of each analyte the table requires),
their date and age, and how a clinician says it.

Shared by the text output and the cards (issue: no card from stale data without saying so).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from cds.dose.conclusions import LabsUsed
from cds.dose.table import DoseTable
from cds.dose.table import table as dose_table
from cds.facts import LabResult
from cds.timeline import Timeline


def labs_used(latest: Mapping[str, LabResult], table: DoseTable, decision: date) -> LabsUsed:
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


def measured_to(labs: LabsUsed, day: date, what: str, table: DoseTable | None = None) -> LabsUsed:
    """The same results, their age and staleness measured to ``day`` (``what`` it is: "the order's planned
    day") rather than to the decision date: labs of 2024-04-12 are 17 days old on a cycle due 2024-04-29,
    3 days old on the 2024-04-15 an order plans it for. Unchanged when none was found, or when one was
    taken after ``day``."""
    if labs.oldest is None or labs.latest is None or labs.latest > day:
        return labs
    table = table or dose_table()
    missing = len(labs.observations) < len(table.required_analytes)
    too_old = labs.oldest < day - timedelta(days=labs.max_age_days)
    return labs.model_copy(update={"age_days": (day - labs.oldest).days, "stale": missing or too_old,
                                   "measured_on": day, "measured_as": what})


def record_labs(timeline: Timeline, table: DoseTable, as_of: date) -> LabsUsed:
    """The latest required results of the whole record up to ``as_of`` (for a card without a decision)."""
    latest: dict[str, LabResult] = {}
    for lab in timeline.labs:
        if lab.day <= as_of:
            latest[lab.analyte] = lab
    return labs_used(latest, table, as_of)


def latest_labs(timeline: Timeline, as_of: date) -> LabsUsed:
    """``record_labs`` with the dose table in force: what a card without a next cycle shows."""
    return record_labs(timeline, dose_table(), as_of)


def dated_after(timeline: Timeline, day: date) -> list[LabResult]:
    """The laboratory results dated after ``day``: a decision on ``day`` does not read them, whatever they
    show (a result written on a clock ahead of the service's, or a date entered wrongly)."""
    return [lab for lab in timeline.labs if lab.day > day]


def after_notice(labs: list[LabResult], day: date) -> str | None:
    """What a card's summary says of ``dated_after`` results: "2 laboratory results dated after 2024-04-29
    not read"; None when there are none."""
    if not labs:
        return None
    return f"{len(labs)} laboratory result{'' if len(labs) == 1 else 's'} dated after {day.isoformat()} not read"


def age_text(days: int) -> str:
    """An age as a clinician would say it: days up to 12 weeks, then months, then years."""
    if days < 90:
        return f"{days} day" + ("" if days == 1 else "s")
    if days < 730:
        return f"{days / 30.4375:.0f} months"
    return f"{days / 365.25:.1f} years"


def labs_text(labs: LabsUsed | None, decision: str) -> str:
    """"labs of 2024-04-15 to 2024-04-22, 14 days old on 2024-04-29" (the age of the oldest of them)."""
    if labs is None or labs.oldest is None or labs.latest is None:
        return f"no required laboratory result to go by, as of {decision}"
    dates = labs.latest.isoformat() if labs.oldest == labs.latest else \
        f"{labs.oldest.isoformat()} to {labs.latest.isoformat()}"
    stale = f"; not all required results are from the last {labs.max_age_days} days" if labs.stale else ""
    if labs.measured_on is not None and labs.measured_on.isoformat() != decision:
        # measured to a draft order's day: the decision date's age beside it, as the rules read the labs there
        rules = (date.fromisoformat(decision) - labs.oldest).days
        return (f"labs of {dates}, {age_text(labs.age_days or 0)} old on {labs.measured_on.isoformat()}, "
                f"{labs.measured_as or 'the day measured to'} ({age_text(rules)} old on {decision}, the date "
                f"the rules decide on){stale}")
    return f"labs of {dates}, {age_text(labs.age_days or 0)} old on {decision}{stale}"


def stale_notice(labs: LabsUsed | None) -> str | None:
    """What a card's summary must say when its labs are older than allowed or incomplete; else None."""
    if labs is None or labs.oldest is None:
        return "no recent labs"
    if labs.age_days is not None and labs.age_days > labs.max_age_days:
        return f"labs {age_text(labs.age_days)} old ({labs.oldest.isoformat()})"
    if labs.stale:
        return "required labs missing"
    return None
