"""Best overall response over the time points, unconfirmed and confirmed (RECIST 1.1 §4.4.3, §4.6.1).

Computed in Python over the decided time-point responses, not as engine rules: it is a rule over a
sequence of dates (a later assessment at least N days after, no intervening SD, a minimum interval
from the first administration), and the engine adapter compares one flat fact with constants.

- Only time points up to the first PD count (RECIST 1.1 §4.4.3: best response until progression).
- The stable category is SD, or non-CR/non-PD for a patient with non-target disease only (RECIST 1.1
  Table 2 and its footnote: non-CR/non-PD is preferred over SD, which is not assigned when no lesion
  can be measured). Both rank alike: CR > PR > SD ~ non-CR/non-PD > PD > NE; which of the two names
  the best response follows the patient's disease (``non_target_only``), not the time point.
- A stable time point counts only at least ``sd_minimum_days`` after the first administration
  (§4.6.1, the SD minimum, applied to non-CR/non-PD alike); an earlier one followed by PD gives PD,
  alone NE (§4.4.3 examples). With no administration the minimum cannot be checked and the stable
  category is not counted (an issue says so).
- Confirmed (Table 3): CR needs a later CR at least ``confirmation_days`` after it, with only CR (and
  up to ``max_ne_between_confirmation`` NE) between; PR needs a later PR or CR likewise, with only
  PR, CR or allowed NE between. After a CR, SD or non-CR/non-PD is read as progression (Table 3: "CR,
  SD: SD provided minimum criteria for SD duration met, otherwise PD"; for non-target disease the
  lesions seen again after their disappearance), and so is PR unless ``cr_followed_by_pr`` is
  "partial-response" (footnote a: the earlier CR is then relabelled PR). A measured time point that
  shows disease after a CR is already PD (row recist11.table3.pd_after_cr, cds/recist/decide.py), so
  this reading is left for investigator responses, and for measured ones under "partial-response".
  An unconfirmed CR or PR counts as the stable category when its time point meets the minimum.
- A date given as a month or a year (a partial FHIR date, ``latest``: its last day) meets an interval
  only when it is met for every day the date can be (cds/recist/spans.py): a confirmation counts from
  the last day of the response's date to the first day of the confirming date, the SD minimum from the
  last day of the first administration's date to the first day of the time point's. Where an interval
  may or may not be met, the response is not confirmed (the stable category not counted) and a warning
  names the partial date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from cds.facts import Response
from cds.recist.conclusions import BestOverallResponse, RecistSettings
from cds.recist.spans import Span, possibly, span, surely
from cds.recist.timepoints import IssueLog

Point = tuple[date, Response]
STABLE: tuple[Response, ...] = ("SD", "non-CR/non-PD")  # RECIST 1.1 Table 1 SD, Table 2 non-CR/non-PD


def _until_progression(points: Sequence[Point]) -> list[Point]:
    out: list[Point] = []
    for point in points:
        out.append(point)
        if point[1] == "PD":
            break
    return out


def _after_complete_response(points: list[Point], settings: RecistSettings, log: IssueLog) -> list[Point]:
    """Table 3 rows "CR, PR" and "CR, SD": disease seen after a CR (footnote a for PR)."""
    out: list[Point] = []
    cr_day: date | None = None
    for day, response in points:
        if response == "CR":
            cr_day = cr_day or day
        elif cr_day is not None and response in STABLE:
            log.add("info", None, f"{response} on {day} after CR on {cr_day}: read as progression for the confirmed "
                                  "best overall response (RECIST 1.1 Table 3)")
            out.append((day, "PD"))
            return out
        elif cr_day is not None and response == "PR":
            if settings.cr_followed_by_pr == "progression":
                log.add("warning", None, f"PR on {day} after CR on {cr_day}: read as progression after a true CR "
                                         "(RECIST 1.1 Table 3 footnote a); if the CR was residual disease, a "
                                         "reviewer may relabel it PR")
                out.append((day, "PD"))
                return out
            log.add("warning", None, f"PR on {day} after CR on {cr_day}: the CR is relabelled PR (RECIST 1.1 "
                                     "Table 3 footnote a, setting cr_followed_by_pr = partial-response)")
            out = [(d, "PR" if r == "CR" else r) for d, r in out]
            cr_day = None
        out.append((day, response))
    return out


Interval = Callable[[Span, Span, int], bool]  # spans.surely or spans.possibly


def _confirmation(
    points: list[Point], first: set[str], later: set[str], settings: RecistSettings,
    when: Callable[[date], Span] = span, met: Interval = surely,
) -> tuple[date, date] | None:
    """The first (response, confirmation) pair: a later ``later`` response >= confirmation_days after."""
    for i, (day, response) in enumerate(points):
        if response not in first:
            continue
        ne_between = 0
        for other_day, other in points[i + 1:]:
            if other in later and met(when(day), when(other_day), settings.confirmation_days):
                return day, other_day
            if other == "NE":
                ne_between += 1
                if ne_between > settings.max_ne_between_confirmation:
                    break
            elif other not in later:
                break
    return None


def _partial_dates(*dated: tuple[str, Span]) -> str:
    return "; ".join(s.partial_text(what) for what, s in dated if s.partial)


def _unsure_confirmation(name: str, pair: tuple[date, date], when: Callable[[date], Span],
                         settings: RecistSettings, log: IssueLog) -> None:
    first, then = when(pair[0]), when(pair[1])
    dates = _partial_dates(("the date", first), ("the date", then))
    log.add("warning", None, f"{name} on {first.written} and on {then.written}: {dates}; the interval may be less "
                             f"than {settings.confirmation_days} days (RECIST 1.1 §4.6.1: confirmation at least 4 "
                             f"weeks after the criteria are first met), so the {name} is not confirmed")


def best_overall_response(points: Sequence[Point], first_day: date | None, settings: RecistSettings,
                          log: IssueLog, non_target_only: bool = False, latest: Mapping[date, date] | None = None,
                          first_latest: date | None = None) -> BestOverallResponse:
    """``points``: (date, time-point response) after baseline, in date order. ``non_target_only``: the
    patient has non-target disease only, so the stable category is non-CR/non-PD (RECIST 1.1 Table 2).
    ``latest``: the last day of each date of ``points`` given as a month or a year; ``first_latest``:
    likewise for the first administration's date."""
    if not points:
        return BestOverallResponse(settings=settings, non_target_only=non_target_only)
    counted = _until_progression(points)
    stable_name: Response = "non-CR/non-PD" if non_target_only else "SD"
    last_days = latest or {}

    def when(day: date) -> Span:
        return span(day, last_days.get(day))

    start = span(first_day, first_latest) if first_day is not None else None

    def sd_qualifies(day: date) -> bool:
        return start is not None and surely(start, when(day), settings.sd_minimum_days)

    unsure_minimum = [(d, r) for d, r in counted if start is not None and r in ("CR", "PR", *STABLE)
                      and not sd_qualifies(d) and possibly(start, when(d), settings.sd_minimum_days)]

    if first_day is None and any(r in ("CR", "PR", *STABLE) for _, r in counted):
        log.add("info", None, f"no PRRT administration: the minimum duration of {stable_name} cannot be checked, "
                              f"{stable_name} is not counted")

    def best_of(candidates: list[Point]) -> tuple[Response, date | None]:
        for wanted in ("CR", "PR"):
            found = [d for d, r in candidates if r == wanted]
            if found:
                return wanted, found[0]
        stable = [d for d, r in candidates if r in ("CR", "PR", *STABLE) and sd_qualifies(d)]
        if stable:
            return stable_name, stable[0]
        progression = [d for d, r in candidates if r == "PD"]
        if progression:
            return "PD", progression[0]
        return "NE", None

    unconfirmed, unconfirmed_day = best_of(counted)
    sequence = _after_complete_response(counted, settings, log)
    confirmed: Response
    confirmed_days: tuple[date, ...]
    complete = _confirmation(sequence, {"CR"}, {"CR"}, settings, when)
    partial = _confirmation(sequence, {"PR", "CR"}, {"PR", "CR"}, settings, when)
    maybe_complete = _confirmation(sequence, {"CR"}, {"CR"}, settings, when, possibly)
    maybe_partial = _confirmation(sequence, {"PR", "CR"}, {"PR", "CR"}, settings, when, possibly)
    if complete is None and maybe_complete is not None:
        _unsure_confirmation("CR", maybe_complete, when, settings, log)
    elif complete is None and partial is None and maybe_partial is not None:
        _unsure_confirmation("PR", maybe_partial, when, settings, log)
    if complete is not None:
        confirmed, confirmed_days = "CR", complete
    elif partial is not None:
        confirmed, confirmed_days = "PR", partial
    else:
        downgraded: list[Point] = [(d, stable_name) if r in ("CR", "PR") else (d, r) for d, r in sequence]
        response, day = best_of(downgraded)
        confirmed, confirmed_days = response, (() if day is None else (day,))
    for point_day, point_response in unsure_minimum:  # a CR or PR only where it was not confirmed
        if point_response in STABLE or confirmed not in ("CR", "PR"):
            assert start is not None
            shown = when(point_day)
            dates = _partial_dates(("the first administration date", start), ("the assessment date", shown))
            log.add("warning", None, f"{point_response} on {shown.written}: {dates}; it may be less than "
                                     f"{settings.sd_minimum_days} days after the first administration, so it does "
                                     f"not count toward the minimum duration of {stable_name} (RECIST 1.1 §4.6.1)")
    return BestOverallResponse(
        unconfirmed=unconfirmed, confirmed=confirmed, unconfirmed_day=unconfirmed_day,
        confirmed_days=confirmed_days, non_target_only=non_target_only, settings=settings,
    )
