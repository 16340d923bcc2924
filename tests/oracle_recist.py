"""An independent, plain-Python reading of RECIST 1.1: the oracle of the RECIST property tests.

It shares no code with ``cds.recist*``. Two readings:

- ``row_decision``: the rows of ``rules/recist_1_1.toml`` read with ``tomllib`` and its own parser,
  applied to a fact's fields in ``Decimal`` ("of the rows whose conditions hold, the one of lowest
  priority decides");
- ``Series``: RECIST 1.1 itself, written from the guideline text (§4.3.1, §4.3.3, §4.4.1 Tables 1-2,
  §4.4.3 Table 3, §4.6.1) as if/else over one patient's lesion sizes, in exact decimal arithmetic on
  sizes as written (tenths of a millimetre). It encodes the readings the table header documents:
  CR before PD for targets (normal nodes), NE for a non-target lesion not assessed, a lesion outside
  the baseline and not declared new is NE unless PD, SD after a CR and PR after a CR read as
  progression for the confirmed best response, no NE between a response and its confirmation, and
  any disease seen after a time point whose overall response was CR (a non-nodal target above 0 mm,
  a target node >= 10 mm, a non-target lesion present or progressing, a new lesion) makes that time
  point PD (Table 3 footnote a).
  Non-target disease only (Table 2): non-CR/non-PD is its own category, never SD (Table 2 footnote);
  for the best response it ranks with SD (CR > PR > SD ~ non-CR/non-PD > PD > NE), needs the SD
  minimum duration, and names the stable best response of such a patient (CR unconfirmed included).
  A date given as a month or a year meets the confirmation interval and the SD minimum only if every
  day it can be meets them (the conservative reading of RECIST 1.1 §4.6.1 for partial dates).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "rules" / "recist_1_1.toml"


@cache
def raw_table() -> dict[str, Any]:
    with TABLE.open("rb") as handle:
        return tomllib.load(handle)


def _holds(condition: str, fields: dict[str, Any]) -> bool:
    words = condition.split()
    if len(words) == 1:  # a yes/no field: `name` holds when it is set
        return bool(fields[words[0]])
    if words[0] == "not" and len(words) == 2:
        return not fields[words[1]]
    name, op, number = words
    value, threshold = Decimal(repr(float(fields[name]))), Decimal(number)
    return {"<": value < threshold, "<=": value <= threshold, ">": value > threshold, ">=": value >= threshold,
            "==": value == threshold}[op]


def row_decision(decision: str, fields: dict[str, Any]) -> str:
    """The rule id of the row of ``[[decision]]`` of lowest ``priority`` that holds for ``fields``."""
    for row in sorted(raw_table()[decision], key=lambda row: int(row["priority"])):
        if decision == "overall":
            columns = ("target", "non_target", "new_lesions", "ambiguous", "disease_after_cr")
            if all(row.get(col, "*") == "*" or fields.get(col, False) in row[col] for col in columns):
                return str(row["rule"])
        elif all(_holds(part, fields) for part in row["when"].split(" and ")):
            return str(row["rule"])
    raise AssertionError(f"no row of [[{decision}]] holds for {fields}")


# --- RECIST 1.1 from the guideline text ---------------------------------------------------------------


@dataclass
class Target:
    node: bool
    baseline: Decimal


@dataclass
class Visit:
    day: date
    sizes: dict[str, Decimal | None]  # target id -> size, None: not measured
    non_target: dict[str, str | None]  # non-target id -> present / absent / progressing, None: not assessed
    new_lesion: bool = False
    # a lesion outside the baseline and not declared new: disease seen, and the time point NE unless PD
    stranger: bool = False


@dataclass
class Series:
    targets: dict[str, Target]
    non_targets: list[str]
    visits: list[Visit] = field(default_factory=list)

    @property
    def non_target_only(self) -> bool:
        """RECIST 1.1 Table 2 applies: no target lesion, at least one non-target lesion at baseline."""
        return not self.targets and bool(self.non_targets)

    def responses(self) -> list[tuple[str | None, str | None, str]]:
        """(target, non-target, overall) per visit; None: no such lesion at baseline."""
        base = sum((t.baseline for t in self.targets.values()), Decimal(0))
        nadir = base
        out = []
        complete_response = False  # an earlier visit's overall response was CR
        for visit in self.visits:
            target = None
            seen = visit.new_lesion or visit.stranger \
                or any(v in ("present", "progressing") for v in visit.non_target.values()) \
                or any(s is not None and (s >= 10 if self.targets[i].node else s > 0) for i, s in visit.sizes.items())
            if self.targets:
                sizes = visit.sizes
                measured = [s for s in sizes.values() if s is not None]
                total = sum(measured, Decimal(0))
                complete = len(measured) == len(self.targets)
                increase = total - nadir
                progression = increase >= 5 and (nadir == 0 or increase * 100 >= nadir * 20)
                gone = complete and all(
                    (s < 10) if self.targets[i].node else (s == 0) for i, s in sizes.items() if s is not None
                )
                if gone:
                    target = "CR"
                elif progression:
                    target = "PD"
                elif not complete:
                    target = "NE"
                elif (total - base) * 100 <= base * -30:
                    target = "PR"
                else:
                    target = "SD"
                if complete:
                    nadir = min(nadir, total)
            non_target = None
            if self.non_targets:
                states = [visit.non_target.get(n) for n in self.non_targets]
                if "progressing" in states:
                    non_target = "PD"
                elif None in states:
                    non_target = "NE"
                elif "present" in states:
                    non_target = "non-CR/non-PD"
                else:
                    non_target = "CR"
            response = "PD" if complete_response and seen else overall(target, non_target, visit.new_lesion)
            if visit.stranger and response != "PD":
                response = "NE"
            complete_response = complete_response or response == "CR"
            out.append((target, non_target, response))
        return out


def overall(target: str | None, non_target: str | None, new_lesion: bool) -> str:
    """RECIST 1.1 Table 1 (target disease) and Table 2 (non-target disease only)."""
    if new_lesion or target == "PD" or non_target == "PD":
        return "PD"
    if target is None:
        return {"CR": "CR", "non-CR/non-PD": "non-CR/non-PD", "NE": "NE", None: "NE"}[non_target]
    if target == "CR":
        return "CR" if non_target in ("CR", None) else "PR"
    return target  # PR, SD, NE: "non-PD or not all evaluated"


def best_response(points: list[tuple[date, str]], first_day: date, confirm_days: int = 28,
                  sd_days: int = 42, non_target_only: bool = False, last_day: dict[date, date] | None = None,
                  first_last_day: date | None = None) -> tuple[str | None, str | None]:
    """(unconfirmed, confirmed) per RECIST 1.1 §4.4.3 and Table 3.

    SD and non-CR/non-PD are one rank ("stable"), each needing ``sd_days`` from the first
    administration; a stable best response is called non-CR/non-PD for non-target disease only (Table 2
    footnote), SD otherwise. After a CR, SD, non-CR/non-PD or PR is progression (Table 3).

    Partial dates (a month or a year): ``last_day`` maps such a date, written as its first day, to its
    last day, and ``first_last_day`` is the last day of a first administration so dated. An interval
    counts only when every day the dates can be meets it: from the last day of the earlier date to the
    first day of the later one.
    """
    if not points:
        return None, None
    ends = last_day or {}
    start = first_last_day or first_day
    stable_name = "non-CR/non-PD" if non_target_only else "SD"
    seq: list[tuple[date, str]] = []
    for day, response in points:
        seq.append((day, response))
        if response == "PD":
            break

    def stable(day: date) -> bool:
        return (day - start).days >= sd_days

    def best(candidates: list[tuple[date, str]]) -> str:
        responses = [r for _, r in candidates]
        for wanted in ("CR", "PR"):
            if wanted in responses:
                return wanted
        if any(r in ("SD", "non-CR/non-PD") and stable(d) for d, r in candidates):
            return stable_name
        return "PD" if "PD" in responses else "NE"

    unconfirmed = best(seq)
    # Table 3: disease after a CR (SD, non-CR/non-PD or PR) is progression; then keep what can be confirmed.
    table3: list[tuple[date, str]] = []
    after_cr = False
    for day, response in seq:
        if after_cr and response in ("SD", "non-CR/non-PD", "PR"):
            table3.append((day, "PD"))
            break
        after_cr = after_cr or response == "CR"
        table3.append((day, response))
    confirmed = None
    for wanted, ok in (("CR", {"CR"}), ("PR", {"CR", "PR"})):
        for i, (day, response) in enumerate(table3):
            if response not in ok:
                continue
            for later_day, later in table3[i + 1:]:
                if later not in ok:
                    break
                if (later_day - ends.get(day, day)).days >= confirm_days:
                    confirmed = wanted
                    break
            if confirmed:
                break
        if confirmed:
            break
    if confirmed is None:
        if any(r in ("CR", "PR", "SD", "non-CR/non-PD") and stable(d) for d, r in table3):
            confirmed = stable_name
        else:
            confirmed = "PD" if any(r == "PD" for _, r in table3) else "NE"
    return unconfirmed, confirmed
