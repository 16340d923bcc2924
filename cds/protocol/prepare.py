"""Timeline -> one engine fact per protocol check of the next cycle due: the arithmetic (days and hours
before the cycle, ages, the latest record of each kind), done here; the decision is the engine's.

The cycle not yet given is taken to start at ``cycle_hour`` o'clock of its decision date (a setting of
rules/protocol_checks.toml). Records dated after the decision date are not used (``--as-of``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from cds.ctcae.conclusions import ToxicityGrade
from cds.dosimetry.conclusions import KidneyDosimetry
from cds.engine import EngineFact
from cds.facts import LabResult, PregnancyEvidence, TreatmentRecord, UngradableLab, age_years
from cds.protocol.table import CheckId, ProtocolTable
from cds.tables import shown_value
from cds.timeline import Timeline

KIND = "protocol"
TEST_NAMES = {"status": "pregnancy status", "hcg-qualitative": "hCG test", "hcg-quantitative": "serum beta-hCG"}


class CheckFact(EngineFact):
    """What one check's rules read: flags (1.0 / 0.0) and numbers; the fields a check does not use stay 0."""

    check: str
    unusable: float = 0.0
    recorded: float = 0.0
    ongoing: float = 0.0
    absence_reads_ok: float = 0.0
    # the latest analogue record is an order no longer active: its date (authoredOn) is when it was written,
    # and a dose given under it came on that day or later, how much later unknown
    order_only: float = 0.0
    days: float = 0.0
    hours: float = 0.0
    pregnant: float = 0.0
    indeterminate: float = 0.0
    age_days: float = 0.0
    sex_known: float = 0.0
    female: float = 0.0
    age_known: float = 0.0
    age_years: float = 0.0
    later_cycle: float = 0.0
    excluded: float = 0.0  # a Condition the site lists says the patient cannot be pregnant
    earlier_positive: float = 0.0  # a result before the latest one said pregnant
    earlier_positive_days: float = 0.0  # days from the most recent such result to the decision date
    every_cycle: float = 0.0
    volume_known: float = 0.0
    volume_ml: float = 0.0
    in_orders: float = 0.0  # on an order hook: the orders being signed were read for the amino acids
    graded: float = 0.0
    grade: float = 0.0
    delivered_over: float = 0.0  # the kidney dose given so far is above a limit in force
    projected: float = 0.0  # the next cycle could be projected (the patient's kinetics are known)
    projected_over: float = 0.0  # the planned next activity would take the kidney dose above a limit


@dataclass(frozen=True)
class Prepared:
    """One check's fact, the values its texts name, and the FHIR references it was drawn from."""

    fact: CheckFact
    values: dict[str, str] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()


def _flag(value: bool) -> float:
    return 1.0 if value else 0.0


def _number(value: float) -> str:
    return f"{round(value, 1):g}"


def cycle_start(day: date, table: ProtocolTable) -> datetime:
    """When the cycle is taken to start: ``cycle_hour`` o'clock of its decision date (wall clock)."""
    return datetime.combine(day, time(int(table.setting("cycle_hour"))))


def _ssa(check: CheckId, acting: str, timeline: Timeline, day: date, table: ProtocolTable) -> Prepared:
    # a record that does not say its form counts in both checks (the stricter reading for each)
    records = [t for t in timeline.treatment if t.agent == "ssa" and t.acting in (acting, None)]
    unusable = [t for t in records if t.day is None]
    # a period that began by the decision date and ends after it: taken on the cycle day, ongoing since its start
    spanning = [t.model_copy(update={"ongoing": True, "day": t.since, "local": t.since_local}) for t in records
                if t.day is not None and t.day > day and t.since is not None and t.since <= day]
    dated = [t for t in records if t.day is not None and t.day <= day] + spanning
    values: dict[str, str] = {"problem": (unusable[0].problem or "") if unusable else "", "form": ""}
    fact = CheckFact(id=check, kind=KIND, check=check, unusable=_flag(bool(unusable)),
                     absence_reads_ok=table.setting("no_ssa_reads_ok"))
    evidence = [t.ref for t in unusable]
    if dated:
        ongoing = [t for t in dated if t.ongoing]
        latest: TreatmentRecord = ongoing[-1] if ongoing else dated[-1]
        assert latest.day is not None and latest.local is not None
        start = cycle_start(day, table)
        hours = (start - latest.local).total_seconds() / 3600
        fact = fact.model_copy(update={
            "recorded": 1.0, "ongoing": _flag(latest.ongoing), "days": float((day - latest.day).days),
            "hours": hours, "order_only": _flag(latest.record == "request" and not latest.ongoing)})
        values |= {"date": latest.local.strftime("%Y-%m-%d %H:%M") if check == "ssa-short-acting"
                   else latest.day.isoformat(),
                   "days": str((day - latest.day).days), "hours": _number(hours),
                   # a dose on the decision day after the cycle's start hour is not "-3 hours before" it
                   "hours_to_start": f"{_number(abs(hours))} hours {'before' if hours >= 0 else 'after'}",
                   "form": "" if latest.acting is not None else " (its form is not recorded: read as this kind)"}
        evidence.insert(0, latest.ref)
    return Prepared(fact=fact, values=values, evidence=tuple(evidence))


def _pregnancy(timeline: Timeline, cycle: int, day: date, table: ProtocolTable) -> Prepared:
    patient = timeline.patient
    sex = patient.sex
    age = age_years(patient.birth_date, day) if patient.birth_date is not None else None
    fact = CheckFact(
        id="pregnancy", kind=KIND, check="pregnancy", sex_known=_flag(sex in ("male", "female")),
        female=_flag(sex == "female"), age_known=_flag(age is not None), age_years=float(age or 0),
        later_cycle=_flag(cycle > 1), every_cycle=table.setting("pregnancy_every_cycle"),
    )
    values = {"sex": sex or "unknown", "age_years": "unknown" if age is None else str(age)}
    exclusions = [e.ref for e in timeline.pregnancy_excluded]
    if exclusions:
        fact = fact.model_copy(update={"excluded": 1.0})
        values["condition"] = ", ".join(exclusions)
    found: list[PregnancyEvidence] = [p for p in timeline.pregnancy if p.day <= day]
    if not found:
        return Prepared(fact=fact, values=values, evidence=tuple(exclusions))
    # Results at the latest moment that disagree: the one that says pregnant, else the one that cannot be
    # read, decides (never the order of their ids).
    same = [p for p in found if p.at == found[-1].at]
    latest = next((p for p in same if p.result == "pregnant"), None) or \
        next((p for p in same if p.result == "indeterminate"), None) or same[-1]
    fact = fact.model_copy(update={
        "recorded": 1.0, "pregnant": _flag(latest.result == "pregnant"),
        "indeterminate": _flag(latest.result == "indeterminate"), "age_days": float((day - latest.day).days)})
    values |= {"test": TEST_NAMES[latest.test], "date": latest.day.isoformat(),
               "age_days": str((day - latest.day).days), "problem": latest.problem or ""}
    evidence = [latest.ref]
    # A positive before the latest result is not undone by it: whether it is recent enough to need a
    # review is the table's (pregnancy_positive_review_days), not decided here.
    earlier = [p for p in found if p.at < latest.at and p.result == "pregnant"]
    if earlier and latest.result != "pregnant":
        positive = earlier[-1]
        fact = fact.model_copy(update={"earlier_positive": 1.0,
                                       "earlier_positive_days": float((day - positive.day).days)})
        values |= {"positive_test": TEST_NAMES[positive.test], "positive_date": positive.day.isoformat(),
                   "positive_days": str((day - positive.day).days)}
        evidence.append(positive.ref)
    return Prepared(fact=fact, values=values, evidence=(*evidence, *exclusions))


def _amino_acids(timeline: Timeline, day: date, table: ProtocolTable,
                 ordered: Sequence[TreatmentRecord] | None) -> Prepared:
    """The amino-acid solution recorded for this cycle: ordered after the previous cycle's day (its last
    possible day when it is dated by a month or a year: an order before may be that cycle's own), or given or
    taken at most ``amino_acid_given_max_days`` before the decision date, up to it; on an order hook
    (``ordered`` not None) also the orders being signed, which come last (the latest)."""
    previous = timeline.cycles[-1].last_possible_day if timeline.cycles else None
    records = [t for t in timeline.treatment if t.agent == "amino-acids"]
    unusable = [t for t in records if t.day is None]
    # An infusion given (or taken) is this cycle's only close to it (amino_acid_given_max_days): one given
    # the day after the previous cycle was that cycle's, recorded late, not protection for this one.
    given_from = day - timedelta(days=int(table.setting("amino_acid_given_max_days")))
    mine = [t for t in records if t.day is not None and t.day <= day and (previous is None or t.day > previous)
            and (t.record == "request" or t.day >= given_from)]
    mine += [t for t in ordered or () if t.agent == "amino-acids" and t.day is not None]
    fact = CheckFact(id="amino-acids", kind=KIND, check="amino-acids", unusable=_flag(bool(unusable)),
                     in_orders=_flag(ordered is not None))
    values = {"problem": (unusable[0].problem or "") if unusable else ""}
    if not mine:
        return Prepared(fact=fact, values=values, evidence=tuple(t.ref for t in unusable))
    latest = mine[-1]
    assert latest.day is not None
    volume = latest.volume_ml
    fact = fact.model_copy(update={"recorded": 1.0, "volume_known": _flag(volume is not None),
                                   "volume_ml": float(volume or 0.0)})
    values |= {"date": latest.day.isoformat(), "volume_ml": "" if volume is None else _number(volume)}
    return Prepared(fact=fact, values=values, evidence=(latest.ref,))


def _potassium(timeline: Timeline, grades: Sequence[ToxicityGrade], day: date, table: ProtocolTable,
               ctcae_version: str) -> Prepared:
    results: list[LabResult | UngradableLab] = [lab for lab in timeline.labs if lab.analyte == "potassium"]
    results += [u for u in timeline.ungradable if u.analyte == "potassium"]
    results = sorted((r for r in results if r.day <= day), key=lambda r: (r.at, r.ref))
    values = {"term": table.potassium_term, "ctcae_version": ctcae_version}
    fact = CheckFact(id="potassium", kind=KIND, check="potassium")
    if not results:
        return Prepared(fact=fact, values=values)
    def severity(result: LabResult | UngradableLab) -> float:
        """Of results at the same moment, the highest grade decides; one that cannot be graded ranks
        above a normal one (the check is then unknown), never the order of their ids."""
        grade = next((g for g in grades if g.observation == result.ref and g.term == table.potassium_term), None)
        return float(grade.grade) if grade is not None and grade.grade is not None else 0.5

    latest = max((r for r in results if r.at == results[-1].at), key=severity)
    values |= {"date": latest.day.isoformat(), "age_days": str((day - latest.day).days)}
    fact = fact.model_copy(update={"recorded": 1.0, "age_days": float((day - latest.day).days)})
    if isinstance(latest, UngradableLab):
        values |= {"value": "(not usable)", "reason": latest.reason}
        return Prepared(fact=fact, values=values, evidence=(latest.ref,))
    values["value"] = shown_value(latest.reported_value, latest.reported_unit, latest.reported_text) or ""
    grade = next((g for g in grades if g.observation == latest.ref and g.term == table.potassium_term), None)
    if grade is None or grade.grade is None:
        values["reason"] = grade.reason if grade is not None and grade.reason else f"no {table.potassium_term} grade"
        return Prepared(fact=fact, values=values, evidence=(latest.ref,))
    values["grade"] = str(grade.grade)
    fact = fact.model_copy(update={"graded": 1.0, "grade": float(grade.grade)})
    return Prepared(fact=fact, values=values, evidence=(latest.ref,))


_LIMIT_NAMES = {"bed_gy": "BED", "absorbed_gy": "absorbed dose"}


def _gy(value: float | None) -> str:
    return "cannot evaluate" if value is None else f"{round(value, 2):g} Gy"


def _kidney(dosimetry: KidneyDosimetry, cycle: int) -> Prepared:
    """The kidney dose check from the dosimetry's conclusions (which the dosimetry's own rules decided:
    the limits in force, and whether the dose given or projected exceeds them)."""
    cumulative_reason = dosimetry.bed_reason or dosimetry.absorbed_reason
    delivered = [f for f in dosimetry.findings if f.scope == "delivered"]
    nxt = dosimetry.next if dosimetry.next is not None and dosimetry.next.cycle == cycle else None
    projected = nxt is not None and nxt.max_activity_gbq is not None
    fact = CheckFact(id="kidney-dose", kind=KIND, check="kidney-dose",
                     unusable=_flag(dosimetry.cumulative_bed_gy is None or dosimetry.cumulative_absorbed_gy is None),
                     delivered_over=_flag(bool(delivered)), projected=_flag(projected),
                     projected_over=_flag(projected and nxt is not None and nxt.binding_limit is not None))
    limits = ", ".join(f"{_LIMIT_NAMES[limit.key]} {limit.value_gy:g} Gy" for limit in dosimetry.limits
                       if limit.key in _LIMIT_NAMES)
    values = {"bed": _gy(dosimetry.cumulative_bed_gy), "absorbed": _gy(dosimetry.cumulative_absorbed_gy),
              "limits": limits or "none", "why": dosimetry.why,
              "reason": cumulative_reason or (nxt.reason if nxt is not None and nxt.reason else "")
              or "no projection for this cycle",
              "exceeded": "; ".join(f"{_LIMIT_NAMES.get(f.limit, f.limit)} {_gy(f.value_gy)} above {f.limit_gy:g} Gy"
                                    for f in delivered)}
    if nxt is not None:
        values["planned"] = f"{nxt.planned_activity_gbq:g} GBq"
        if nxt.max_activity_gbq is not None:
            values["max_activity"] = f"{nxt.max_activity_gbq:g} GBq"
    evidence = tuple(dict.fromkeys(
        [*(c.observation for c in dosimetry.cycles if c.observation), *(r.ref for r in dosimetry.risk_factors)]))
    return Prepared(fact=fact, values=values, evidence=evidence)


def prepare(timeline: Timeline, grades: Sequence[ToxicityGrade], cycle: int, day: date, table: ProtocolTable,
            ctcae_version: str, ordered: Sequence[TreatmentRecord] | None = None,
            kidney: KidneyDosimetry | None = None) -> dict[CheckId, Prepared]:
    """Every check's fact for the cycle decided on ``day``, in the order of the output contract;
    ``ordered``: the orders being signed, on an order hook (None elsewhere); ``kidney``: the kidney
    dosimetry, whose check is listed only when the record holds dosimetry."""
    found: dict[CheckId, Prepared] = {
        "ssa-long-acting": _ssa("ssa-long-acting", "long", timeline, day, table),
        "ssa-short-acting": _ssa("ssa-short-acting", "short", timeline, day, table),
        "pregnancy": _pregnancy(timeline, cycle, day, table),
        "amino-acids": _amino_acids(timeline, day, table, ordered),
        "potassium": _potassium(timeline, grades, day, table, ctcae_version),
    }
    if kidney is not None:
        found["kidney-dose"] = _kidney(kidney, cycle)
    return found
