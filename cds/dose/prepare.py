"""The engine facts of one decision point, prepared from the timeline and the CTCAE grades.

Measures (one fact each, ``TRIGGER_KIND``): a CTCAE grade by toxicity class, creatinine clearance
(observed or Cockcroft-Gault), creatinine and clearance ratios to baseline, bilirubin x ULN, albumin
with its INR, eligibility values; the latest value per analyte in the labs since the previous
administration. The reasons a result cannot give (labs missing, an exempt term) are kept beside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cds.concern import DEFAULT_CTCAE_VERSION
from cds.ctcae.conclusions import ToxicityGrade
from cds.dose.conclusions import DoseReason, LabsUsed
from cds.dose.labs_used import labs_used
from cds.dose.renal import baseline_clearance, clearance
from cds.dose.schedule import DecisionPoint
from cds.dose.table import DoseTable
from cds.engine import EngineFact
from cds.facts import LabResult, UngradableLab
from cds.numbers import signif
from cds.tables import analytes, correction_partner, shown_value
from cds.timeline import Baseline, Timeline

TRIGGER_KIND = "dose_measure"  # the facts of the trigger rules: one per measure
STATE_KIND = "dose_state"  # the facts of the action rules: one per toxicity class
# Analytes the renal and hepatic measures read directly (an observed clearance; the INR beside albumin),
# whatever their CTCAE grade
MEASURE_ANALYTES = ("creatinine_clearance", "inr")


def _digits(grade: ToxicityGrade, by_ref: dict[str, LabResult]) -> str | None:
    """The digits the graded value was reported with, when it is that Observation's value."""
    lab = by_ref.get(grade.observation)
    return lab.reported_text if lab is not None and lab.reported_value == grade.value else None


def _derived(grade: ToxicityGrade) -> str | None:
    """How the value was read when not as reported: for a count derived from a percent differential (the
    value is the percentage reported), the count that was graded: "graded as the count 0.4 x10^9/L, this
    share of the WBC"; for a calcium, that it was corrected for albumin (the value is the corrected one)
    or not."""
    if grade.derivation is None:
        return None
    if grade.derivation != "share of the WBC":
        return f"{grade.derivation} for {correction_partner(grade.analyte)}"
    if grade.value_canonical is None:
        return None
    return f"graded as the count {shown_value(grade.value_canonical, grade.unit_canonical)}, this share of the WBC"


def _with_note(detail: str, baseline: Baseline) -> str:
    """A measure's detail, with why its baseline is not the last result before the first cycle."""
    note = baseline.passed_over_note()
    return detail if note is None else f"{detail}; {note}"


class MeasureFact(EngineFact):
    """One measure of a decision point (``TRIGGER_KIND``); the albumin fact carries the latest INR."""

    phase: str
    measure: str
    value: float
    inr: float = 0.0
    has_inr: float = 0.0
    inr_x_uln: float = 0.0
    has_inr_uln: float = 0.0


class StateFact(EngineFact):
    """The state of one toxicity class at a decision point (``STATE_KIND``); flags are 1.0 / 0.0."""

    cls: str
    active: float
    occurred: float
    reduced: float
    last_reduced: float
    delay_days: float


@dataclass
class Measure:
    """What a fact stands for, to turn a rule hit back into a reason."""

    latest: bool
    observations: tuple[str, ...]
    term: str | None = None
    grade: int | None = None
    value: float | None = None
    unit: str | None = None
    value_text: str | None = None
    detail: str | None = None


class PointEvaluation:
    """The facts of one decision point and the reasons they stand for."""

    def __init__(self, point: DecisionPoint, timeline: Timeline, grades: Sequence[ToxicityGrade],
                 table: DoseTable, key: str = "") -> None:
        self.point, self.timeline, self.table, self.key = point, timeline, table, key
        self.phase = "pre" if point.cycle == 1 else "on"
        self.labs = [lab for lab in timeline.labs if point.holds(lab)]
        self.latest: dict[str, LabResult] = {}
        for lab in self.labs:
            self.latest[lab.analyte] = lab
        window = {lab.ref for lab in self.labs}
        self.ungraded = [g for g in grades if g.observation in window and g.grade is None]
        self.grades = [g for g in grades if g.observation in window and g.grade is not None]
        # the results of the same window that cannot be used (no unit, not final, implausible), with the
        # terms they would have been graded for
        self.window_unusable = [u for u in timeline.ungradable if point.holds(u)]  # in time order
        self.unusable = {u.analyte: u for u in self.window_unusable}
        unusable = {u.ref for u in self.unusable.values()}
        # the results of the window (usable or not) graded, or that would be, for a term of a toxicity class
        self.acting = {g.observation for g in grades
                       if (g.observation in window or g.observation in unusable)
                       and table.has_class(g.term, g.ctcae_version)}
        self.facts: list[MeasureFact] = []
        self.meaning: dict[str, Measure] = {}
        self.missing: list[DoseReason] = []
        self.exempt: list[DoseReason] = []  # exempt terms graded where they would otherwise count
        self.labs_used: LabsUsed | None = None

    def _add(self, measure: str, value: float, meaning: Measure, **partner: float) -> None:
        fact_id = f"{self.key}{measure}|{len(self.facts)}"
        self.facts.append(MeasureFact(id=fact_id, kind=TRIGGER_KIND, phase=self.phase, measure=measure,
                                      value=signif(value), **partner))
        self.meaning[fact_id] = meaning

    def _is_latest(self, lab: LabResult) -> bool:
        return self.latest.get(lab.analyte) is lab

    def build(self) -> list[MeasureFact]:
        if self.phase == "on":
            self._grade_facts()
        else:
            self._eligibility_facts()
        self._renal_facts()
        self._hepatic_facts()
        self._freshness()
        return self.facts

    def _grade_facts(self) -> None:
        latest_refs = {lab.ref for lab in self.latest.values()}
        by_ref = {lab.ref: lab for lab in self.labs}
        for grade in self.grades:
            toxicity_class = self.table.class_of(grade.term, grade.ctcae_version)
            if toxicity_class is None or grade.grade is None:
                self._note_exempt(grade, grade.observation in latest_refs, by_ref)
                continue
            digits = _digits(grade, by_ref)
            acts_as, shift = self.table.dose_grade(grade.term, grade.grade, grade.ctcae_version)
            detail = (f"CTCAE v{grade.ctcae_version} grade {grade.grade} acts as grade {acts_as} of the label's "
                      f"row, whose bands are CTCAE v{DEFAULT_CTCAE_VERSION}'s (grade_shift)") if shift else None
            detail = "; ".join(part for part in (_derived(grade), detail) if part) or None
            self._add(f"grade:{toxicity_class}", float(acts_as), Measure(
                latest=grade.observation in latest_refs, observations=(grade.observation,), term=grade.term,
                grade=grade.grade, value=grade.value, unit=grade.unit, value_text=digits, detail=detail,
            ))

    def _note_exempt(self, grade: ToxicityGrade, latest: bool, by_ref: dict[str, LabResult]) -> None:
        """An exempt term (lymphopenia) graded at or above the "other" class's grade, in the latest
        result: the reasons say it was exempt and why, instead of leaving it unmentioned."""
        if not latest or grade.grade is None or grade.grade < self.table.other_grade:
            return
        if not self.table.is_exempt(grade.term, grade.ctcae_version):
            return
        digits = _digits(grade, by_ref)
        self.exempt.append(DoseReason(
            kind="exempt", rule=self.table.exempt_rule,
            text=f"{grade.term} grade {grade.grade} does not modify the dose (exempt)",
            term=grade.term, grade=grade.grade, value=grade.value, unit=grade.unit, observations=(grade.observation,),
            source=self.table.exempt_source, status=self.table.exempt_status,
            value_text=digits, detail=_derived(grade),
        ))

    def _eligibility_facts(self) -> None:
        for analyte in ("hemoglobin", "wbc", "platelets", "creatinine"):
            lab = self.latest.get(analyte)
            if lab is not None:
                self._add(analyte, lab.value, Measure(latest=True, observations=(lab.ref,), value=lab.value,
                                                       unit=lab.unit))

    def _renal_facts(self) -> None:
        baseline = self.timeline.baseline("creatinine")
        baseline_crcl = baseline_clearance(self.timeline)
        latest_known = False  # a clearance, observed or computed, for the latest result
        for lab in self.labs:
            latest = self._is_latest(lab)
            if lab.analyte == "creatinine_clearance":
                latest_known |= latest
                self._add("crcl", lab.value, Measure(latest=latest, observations=(lab.ref,), value=lab.value,
                                                      unit="mL/min"))
            if lab.analyte != "creatinine":
                continue
            if baseline is not None and baseline.lab.value > 0 and self.phase == "on":
                ratio = lab.value / baseline.lab.value
                self._add("creatinine_ratio", ratio, Measure(
                    latest=latest, observations=(lab.ref, baseline.lab.ref), value=round(ratio, 3),
                    unit="x baseline", detail=_with_note(
                        f"creatinine {shown(lab)} on {lab.day.isoformat()} vs {shown(baseline.lab)} at "
                        f"baseline ({baseline.lab.day.isoformat()})", baseline)))
            computed = clearance(self.timeline, lab)
            if computed is None:
                continue
            value, refs, formula = computed
            latest_known |= latest
            self._add("crcl", value, Measure(latest=latest, observations=refs, value=round(value, 1),
                                              unit="mL/min (Cockcroft-Gault)", detail=formula))
            if baseline_crcl and self.phase == "on":
                ratio = value / baseline_crcl
                assert baseline is not None  # a baseline clearance needs a baseline creatinine
                self._add("crcl_ratio", ratio, Measure(
                    latest=latest, observations=refs, value=round(ratio, 3), unit="x baseline clearance",
                    detail=_with_note(f"creatinine clearance {value:.1f} mL/min on {lab.day.isoformat()} vs "
                                      f"{baseline_crcl:.1f} mL/min at baseline ({baseline.lab.day.isoformat()}); "
                                      f"{formula}", baseline)))
        if not latest_known:
            self.missing.append(DoseReason(
                kind="labs", rule="lutathera.labs.crcl",
                text="creatinine clearance cannot be known: no observed clearance, and Cockcroft-Gault needs "
                     "a creatinine, a body weight and a birth date",
            ))

    def _hepatic_facts(self) -> None:
        for lab in self.labs:
            latest = self._is_latest(lab)
            if lab.analyte == "bilirubin" and lab.high:
                ratio = lab.value / lab.high
                self._add("bilirubin_x_uln", ratio, Measure(latest=latest, observations=(lab.ref,),
                                                             value=round(ratio, 3), unit="x ULN"))
            elif lab.analyte == "bilirubin" and latest:  # a laboratory ULN of 0: the hepatic rule cannot apply
                self.missing.append(DoseReason(
                    kind="labs", rule="lutathera.labs.bilirubin",
                    text="total bilirubin x ULN cannot be computed: the latest result has no upper limit of normal",
                    observations=(lab.ref,), value=lab.value, unit=lab.unit,
                ))
            if lab.analyte != "albumin":
                continue
            inrs = [i for i in self.labs if i.analyte == "inr" and i.day <= lab.day]
            partner: dict[str, float] = {}
            refs: tuple[str, ...] = (lab.ref,)
            if inrs:
                inr = inrs[-1]
                partner = {"inr": inr.value, "has_inr": 1.0}
                if inr.high:
                    partner.update(inr_x_uln=inr.value / inr.high, has_inr_uln=1.0)
                refs = (lab.ref, inr.ref)
            elif latest and lab.value < 30:
                self.missing.append(DoseReason(
                    kind="labs", rule="lutathera.labs.inr",
                    text="albumin below 30 g/L: an INR is needed to judge hepatotoxicity",
                    observations=(lab.ref,), value=lab.value, unit="g/L",
                ))
            self._add("albumin", lab.value, Measure(latest=latest, observations=refs, value=lab.value, unit="g/L"),
                      **partner)

    def _conflicts(self) -> None:
        """Two usable results of one analyte at the latest moment that disagree (an original and a
        correction sent as a new resource, two feeds): which is right cannot be told, and the order of
        their ids must not decide, so the result is needed again."""
        differing: dict[str, list[LabResult]] = {}  # one pass over the labs, not one per analyte
        for other in self.labs:
            lab = self.latest[other.analyte]
            if other is not lab and other.at == lab.at and other.value != lab.value:
                differing.setdefault(other.analyte, []).append(other)
        for analyte, others in differing.items():
            lab = self.latest[analyte]
            name = analytes().analytes[analyte].display
            shown_all = " and ".join(f"{o.ref} ({shown(o)})" for o in (*others, lab))
            self.missing.append(DoseReason(
                kind="labs", rule=f"lutathera.labs.{analyte}",
                text=f"{name} results of the same moment disagree: {shown_all}",
                observations=tuple(o.ref for o in (*others, lab)),
            ))

    def _read_by_rules(self, ref: str, analyte: str) -> bool:
        """Whether the dose rules read this result: its analyte is one the measures use (an observed
        clearance, the INR beside albumin), or it is (or would be) graded for a term of a toxicity class."""
        return analyte in MEASURE_ANALYTES or ref in self.acting

    def _latest_unusable_from(self, analyte: str, first: date) -> UngradableLab | None:
        """The latest result of ``analyte`` of this decision point from ``first`` on that cannot be used (an
        implausible value, a unit that cannot be converted, no value): the dose rules name it in their
        labs-needed reason and never use it."""
        found = [u for u in self.window_unusable if u.analyte == analyte and u.day >= first]
        return found[-1] if found else None

    def _latest_unusable(self, analyte: str, lab: LabResult) -> bool:
        """A latest usable result that does not show the value now: a newer result of its analyte that
        cannot be used, or no grade for the term that modifies the dose; the reason is noted, True."""
        name = analytes().analytes[analyte].display
        newer = self._latest_unusable_from(analyte, lab.day)
        if newer is not None and newer.at > lab.at:
            # The latest result is the one that counts: an earlier usable one does not show the value now
            # (platelets "<10" after 160 is grade 4, not grade 0).
            self.missing.append(DoseReason(
                kind="labs", rule=f"lutathera.labs.{analyte}",
                text=f"the latest {name} result cannot be used: {newer.ref}: {newer.reason}; the earlier "
                     f"usable one ({lab.day.isoformat()}) does not show the value now",
                observations=(newer.ref, lab.ref),
            ))
            return True
        for grade in self.ungraded:
            if grade.observation == lab.ref and self.table.has_class(grade.term, grade.ctcae_version):
                # e.g. a laboratory ULN of 0: the term that modifies the dose cannot be graded
                self.missing.append(DoseReason(
                    kind="labs", rule=f"lutathera.labs.{analyte}",
                    text=f"the latest {name} result cannot be graded for {grade.term}: {grade.reason}",
                    observations=(lab.ref,),
                ))
                return True
        return False

    def _freshness(self) -> None:
        oldest = self.point.decision - timedelta(days=self.table.labs_max_age_days)
        self.labs_used = labs_used(self.latest, self.table, self.point.decision)
        self._conflicts()
        for analyte in self.table.required_analytes:
            lab = self.latest.get(analyte)
            name = analytes().analytes[analyte].display
            if lab is not None and lab.day >= oldest:
                self._latest_unusable(analyte, lab)
                continue
            text = f"no {name} result from {oldest.isoformat()} to {self.point.decision.isoformat()}"
            unusable = self._latest_unusable_from(analyte, oldest)
            if unusable is not None:
                text = f"no usable {name} result from {oldest.isoformat()} to " \
                       f"{self.point.decision.isoformat()}: {unusable.ref}: {unusable.reason}"
            self.missing.append(DoseReason(
                kind="labs", rule=f"lutathera.labs.{analyte}", text=text,
                observations=tuple(f.ref for f in (lab, unusable) if f is not None),
            ))
        # Not required before every cycle, but read by the rules when present (a neutrophil count, a
        # potassium, an INR): the older usable result must not stand in for a newer one that cannot be used.
        for analyte, lab in self.latest.items():
            if analyte not in self.table.required_analytes and self._read_by_rules(lab.ref, analyte):
                self._latest_unusable(analyte, lab)
        # ... nor its absence for one whose only results since the last cycle cannot be used (a count of 0.3
        # without a unit): no decision rests on a result that was taken and cannot be read.
        for analyte in sorted(set(self.unusable) - set(self.latest) - set(self.table.required_analytes)):
            found = self.unusable[analyte]
            if self._read_by_rules(found.ref, analyte):
                since = f" since {self.point.after.isoformat()}" if self.point.after is not None else ""
                self.missing.append(DoseReason(
                    kind="labs", rule=f"lutathera.labs.{analyte}",
                    text=f"no usable {analytes().analytes[analyte].display} result{since}: {found.ref}: "
                         f"{found.reason}",
                    observations=(found.ref,),
                ))


def shown(lab: LabResult) -> str:
    """A result as reported, with its digits, in the unit as a clinician writes it."""
    return shown_value(lab.reported_value, lab.reported_unit, lab.reported_text) or ""
