"""Dates that may be a span of days: a partial FHIR date (a month "2024-05", a year "2024") is any day of it.

The RECIST 1.1 intervals of the best overall response (§4.6.1: a confirmation at least 4 weeks after
the criteria are first met; SD at least a minimum time after the start of treatment) are met by such a
date only when they are met for every day it can be: the later date at its first day against the
earlier date at its last (``surely``). ``possibly`` is the other end (the later date at its last day,
the earlier at its first): where an interval is possibly but not surely met, an issue names the dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Span:
    first: date
    last: date

    @property
    def partial(self) -> bool:
        return self.first != self.last

    @property
    def written(self) -> str:
        """As FHIR writes it: "2024" for a whole year, "2024-05" for a month, else the day."""
        if not self.partial:
            return self.first.isoformat()
        if (self.first.month, self.first.day, self.last.month, self.last.day) == (1, 1, 12, 31):
            return f"{self.first.year:04d}"
        return self.first.isoformat()[:7]

    def partial_text(self, what: str) -> str:
        return f"{what} {self.written} is a partial date (any day from {self.first} to {self.last})"


def span(day: date, latest: date | None = None) -> Span:
    """The days a date can be: ``day`` itself, or up to ``latest`` for a partial date."""
    return Span(day, max(day, latest) if latest is not None else day)


def surely(earlier: Span, later: Span, days: int) -> bool:
    """``later`` is at least ``days`` after ``earlier`` whichever days the two dates are."""
    return (later.first - earlier.last).days >= days


def possibly(earlier: Span, later: Span, days: int) -> bool:
    """``later`` can be at least ``days`` after ``earlier`` (for some of the days the two dates can be)."""
    return (later.last - earlier.first).days >= days
