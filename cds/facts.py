"""Typed, immutable domain facts drawn from FHIR resources.

Only ``cds.mapping`` builds these from FHIR; everything downstream (timeline, rules, hooks, report)
reads these values and never a FHIR shape. Numbers are floats in the canonical unit of their kind;
references are ``ResourceType/id`` strings so that every conclusion can cite its evidence.
``PatientRecord`` gathers one patient's facts as the mapping produced them (a plain container, not frozen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["error", "warning", "info"]
Sex = Literal["male", "female", "other", "unknown"]
RangeSource = Literal["observation", "default", "mixed", "none"]
Flag = Literal["high", "low", "normal"]
# How a graded value was read when not as one Observation reported it: a count from a percent differential
# and its WBC; a value corrected by another of the same sample (a total calcium by its albumin:
# fhir_mappings/analytes.toml ``corrected_for``), or one graded as measured because it could not be.
Derivation = Literal["share of the WBC", "corrected", "not corrected"]
LesionRole = Literal["target", "non-target", "new"]
NonTargetState = Literal["present", "absent", "unequivocal-progression"]
# RECIST 1.1 response categories: Table 1 (target disease) CR, PR, SD, PD, NE; Table 2 (non-target
# disease only) CR, non-CR/non-PD, PD, NE (docs/outputs.md, docs/fhir-input-profile.md).
Response = Literal["CR", "PR", "SD", "non-CR/non-PD", "PD", "NE"]
# How urgent a conclusion is to the clinician: the CDS Hooks 2.0 card indicator values (Card.indicator).
Indicator = Literal["info", "warning", "critical"]


def age_years(birth: date, on: date) -> int:
    """Completed years of age on a day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class Fact(BaseModel):
    """Base of every fact: frozen, no extra fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Issue(Fact):
    """A problem with one resource or file: reported, never fatal."""

    severity: Severity
    resource: str | None
    message: str
    patient: str | None = None


class Patient(Fact):
    ref: str
    sex: Sex | None = None
    birth_date: date | None = None
    deceased: bool = False
    death_date: date | None = None


class Timed(Fact):
    """A fact that happened at one moment: ``at`` is timezone-aware, ``day`` the calendar day as written.

    ``latest_day``: set where the mapping keeps it (tumour assessments, administrations) for a partial
    FHIR date, a month ("2024-05") or a year ("2024"): ``day`` is then its first day and ``latest_day``
    its last, and an interval is met only when it is met for every day in between. None: a full date.

    ``time_known``: the record gives a time of day (a dateTime), set where the mapping keeps it
    (laboratory results, administrations); False for a date alone, whose ``at`` is midnight UTC and says
    nothing of the hour."""

    ref: str
    patient: str
    at: datetime
    day: date
    latest_day: date | None = None
    time_known: bool = False


class UnreadAdministration(Fact):
    """A Lutathera administration recorded as given (its status completed, or stopped once started) that
    cannot be read as a cycle: no usable date, or a record that fails FHIR validation. It is not counted
    among the cycles, so the cycles given, their numbers, the interval since the last one and the
    cumulative activity may all be short by it: the next cycle's recommendation says so."""

    ref: str
    patient: str
    reason: str
    part_of: str | None = None  # the Procedure a MedicationAdministration is partOf: read, it is the cycle


def lutathera_administrations(count: int) -> str:
    """"1 Lutathera administration", "2 Lutathera administrations": how the notices count such records."""
    return f"{count} Lutathera administration{'' if count == 1 else 's'}"


class Administration(Timed):
    """One PRRT administration record (a Procedure or a MedicationAdministration)."""

    activity_gbq: float | None = None
    activity_reported: str | None = None
    sources: tuple[str, ...] = ()


class LabResult(Timed):
    """A laboratory value converted to its analyte's canonical unit, with its LLN/ULN."""

    analyte: str
    loinc: str
    value: float
    unit: str
    reported_value: float
    reported_unit: str
    reported_text: str | None = None  # reported_value with the digits of the record ("7.40"), when known
    low: float | None = None
    high: float | None = None
    range_source: RangeSource = "none"
    flag: Flag | None = None
    specimen: str | None = None
    derived_from: tuple[str, ...] = ()
    derivation: Derivation | None = None
    notes: tuple[str, ...] = ()  # how the value was read (a correction and its inputs), carried to its grades


class PerformanceScore(Timed):
    scale: Literal["ecog", "karnofsky"]
    score: int


class BodyMeasure(Timed):
    kind: Literal["weight", "height"]
    value: float
    unit: str


class TreatmentRecord(Fact):
    """A medication of the treatment context checked before a cycle (FHIR input profile, "Treatment
    context checked before a cycle"): a somatostatin analogue or the amino-acid renal protection, as
    given (MedicationAdministration), taken (MedicationStatement) or ordered (MedicationRequest).

    ``day`` is None when the record has no usable date, and ``problem`` then says why: such a record
    makes its check "unknown", never "ok". ``local`` is the wall-clock time as written (for the
    hours before a cycle); a date without a time is taken at the end of that day (the later moment).
    ``ongoing``: still given, taken or ordered (an administration in-progress, an order active, a period
    with no end while the record is active)."""

    ref: str
    patient: str
    agent: Literal["ssa", "amino-acids"]
    record: Literal["administration", "statement", "request"]
    acting: Literal["long", "short"] | None = None  # of a somatostatin analogue
    day: date | None = None
    local: datetime | None = None
    ongoing: bool = False
    # a record dated by its period's end (``day``): the period's start, so that a period that runs past the
    # cycle's decision date reads as ongoing on the cycle day (cds.protocol.prepare)
    since: date | None = None
    since_local: datetime | None = None
    volume_ml: float | None = None  # amino acids: the volume the record states, when it states one
    problem: str | None = None


class PregnancyEvidence(Timed):
    """A pregnancy status or pregnancy test Observation: pregnant, not pregnant, or indeterminate (an
    answer that says neither, or a result that cannot be read; ``problem`` says why)."""

    test: Literal["status", "hcg-qualitative", "hcg-quantitative"]
    result: Literal["pregnant", "not-pregnant", "indeterminate"]
    problem: str | None = None


class PregnancyExclusion(Fact):
    """A Condition the site lists as meaning the patient cannot be pregnant (fhir_mappings/
    treatment_context.toml ``cannot_be_pregnant_snomed``), while it holds."""

    ref: str
    patient: str
    code: str


class LesionMeasurement(Timed):
    """One lesion's size at one time point (longest diameter, or short axis for a lymph node), in mm."""

    lesion: str
    role: LesionRole
    lymph_node: bool = False
    size_mm: float
    organ: str | None = None  # BodyStructure.location of the lesion, when known (RECIST 1.1 §4.2 per-organ limit)


class NonTargetStatus(Timed):
    lesion: str
    status: NonTargetState


class NewLesion(Timed):
    lesion: str | None = None


class UnreadableLesion(Timed):
    """A lesion measurement that cannot be used (its size, unit, lesion identity or role): the mapping's
    issue says why. It is kept so that RECIST 1.1 knows the lesion was recorded: a baseline with one may
    not hold the whole tumour burden, and a lesion it names that is not in the baseline cannot be placed;
    never a response read from the other lesions alone."""

    lesion: str | None = None
    role: LesionRole | None = None


class ReportedResponse(Timed):
    """An investigator-reported RECIST time-point response."""

    response: Response


class UngradableLab(Timed):
    """A laboratory Observation of a mapped analyte whose value cannot be used (unit, %, missing value)."""

    analyte: str
    reason: str


class DosimetryResult(Timed):
    """One post-therapy dosimetry Observation (FHIR input profile, "Post-therapy dosimetry"), in Gy, h
    and Gy/GBq. ``absorbed_gy`` is None when the Observation cannot be used; ``problem`` then says why,
    so that the cycle it belongs to reads "cannot evaluate", never a smaller cumulative dose."""

    organ: Literal["kidney", "bone-marrow"]
    side: Literal["mean", "left", "right"] = "mean"
    absorbed_gy: float | None = None
    t_eff_h: float | None = None
    gy_per_gbq: float | None = None
    administration: str | None = None  # partOf / derivedFrom: the administration it follows
    problem: str | None = None


class RiskFactor(Fact):
    """A present kidney risk factor: an active Condition of hypertension or diabetes."""

    ref: str
    patient: str
    factor: Literal["hypertension", "diabetes"]
    code: str


Tumour = LesionMeasurement | NonTargetStatus | NewLesion | UnreadableLesion | ReportedResponse
"""One tumour assessment fact of RECIST 1.1: a measurement, a non-target status, a new lesion, a measurement
that cannot be used, or a response."""


@dataclass
class PatientRecord:
    """Every fact of one patient, as mapped (unordered)."""

    patient: Patient
    administrations: list[Administration] = field(default_factory=list)
    unread_administrations: list[UnreadAdministration] = field(default_factory=list)
    labs: list[LabResult] = field(default_factory=list)
    ungradable: list[UngradableLab] = field(default_factory=list)
    treatment: list[TreatmentRecord] = field(default_factory=list)
    pregnancy: list[PregnancyEvidence] = field(default_factory=list)
    pregnancy_excluded: list[PregnancyExclusion] = field(default_factory=list)
    performance: list[PerformanceScore] = field(default_factory=list)
    body: list[BodyMeasure] = field(default_factory=list)
    tumour: list[Tumour] = field(default_factory=list)
    dosimetry: list[DosimetryResult] = field(default_factory=list)
    risk_factors: list[RiskFactor] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    seen_patient_resource: bool = False
