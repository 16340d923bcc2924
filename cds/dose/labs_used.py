"""The date and age of the laboratory results a recommendation used, in a clinician's words.

Shared by the text output and the cards (issue: no card from stale data without saying so).
"""

from __future__ import annotations

from cds.dose.conclusions import LabsUsed


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
