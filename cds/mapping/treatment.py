"""The treatment context checked before a cycle -> facts: somatostatin analogues and the amino-acid renal
protection (MedicationAdministration, MedicationStatement, MedicationRequest -> ``TreatmentRecord``), and
pregnancy status or tests (Observation -> ``PregnancyEvidence``). Codes and texts:
``fhir_mappings/treatment_context.toml``.

A record this module recognises is never dropped for being hard to read: it is kept with its problem, so
that the check it belongs to reads "unknown" rather than "ok" (docs/fhir-input-profile.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cds.errors import ConfigurationError
from cds.facts import PregnancyEvidence, PregnancyExclusion, TreatmentRecord
from cds.mapping.fhir import (
    VALUE_AND_ABSENT_REASON,
    Unusable,
    codings,
    concept_text,
    effective,
    items,
    parse_instant,
    quantity,
    ref_of,
    value_and_absent_reason,
)
from cds.rulebook.files import mappings_dir
from cds.rulebook.reading import malformed, read_table
from cds.tables import PlausibleDates, UnitTable

Resource = Mapping[str, Any]
RecordKind = Literal["administration", "statement", "request"]
RECORD_OF: dict[str, RecordKind] = {
    "MedicationAdministration": "administration", "MedicationStatement": "statement", "MedicationRequest": "request",
}
_DATE_ONLY = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class TreatmentCodes:
    """``fhir_mappings/treatment_context.toml`` as typed data."""

    rxnorm_system: str
    atc_system: str
    loinc_system: str
    snomed_system: str
    ssa_text: tuple[str, ...]
    ssa_rxnorm: frozenset[str]
    long_acting_text: tuple[str, ...]
    short_acting_text: tuple[str, ...]
    long_acting_rxnorm: frozenset[str]
    ssa_atc: frozenset[str]
    long_acting_atc: frozenset[str]
    radiotracer_text: tuple[str, ...]
    radiotracer_atc_groups: tuple[str, ...]
    amino_all_of: tuple[str, ...]
    amino_products: tuple[str, ...]
    amino_solution: tuple[str, ...]
    amino_purpose: tuple[str, ...]
    amino_rxnorm: frozenset[str]
    volume_units: UnitTable
    used_status: Mapping[RecordKind, frozenset[str]]
    # still being given or ordered: ongoing on the cycle day, whatever its date ([medication_status] ongoing)
    ongoing_status: Mapping[RecordKind, frozenset[str]]
    not_given_status: frozenset[str]
    # an amino-acid administration halted before its end ([medication_status] amino_acid_partial)
    amino_partial_status: frozenset[str]
    # A drafted amino-acid order (a hook's draftOrders) counts as ordered with one of these statuses and
    # intents, and without doNotPerform: an order entered in error, cancelled, a proposal or a plan does not.
    draft_order_status: frozenset[str]
    draft_order_intent: frozenset[str]
    status_loinc: frozenset[str]
    presence_loinc: frozenset[str]
    quantitative_loinc: frozenset[str]
    pregnant: frozenset[str]
    not_pregnant: frozenset[str]
    unknown: frozenset[str]
    positive: frozenset[str]
    negative: frozenset[str]
    positive_text: frozenset[str]
    negative_text: frozenset[str]
    hcg_units: UnitTable
    hcg_negative_below: float
    cannot_be_pregnant: frozenset[str] = frozenset()  # SNOMED CT Condition codes (a site setting)
    # the site's time zone ([site] timezone): a time written with an offset is read on this zone's wall
    # clock, the clock the cycle hour is on; None: every time as written
    site_zone: ZoneInfo | None = None

    @property
    def pregnancy_loinc(self) -> frozenset[str]:
        return self.status_loinc | self.presence_loinc | self.quantitative_loinc


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("expected a list of strings")
    return tuple(v.lower() for v in value)


def _units(value: Any, canonical: str) -> UnitTable:
    if not isinstance(value, dict):
        raise TypeError("expected a table of unit factors")
    return UnitTable(canonical=canonical, factors={str(unit): float(factor) for unit, factor in value.items()})


def _codes(value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("expected a list of codes")
    return frozenset(value)


# The defaults of [medication_status] draft_order and draft_order_intent (a table without them): a draft
# or active order (FHIR R4 MedicationRequest.status), with an intent to be carried out (not a proposal,
# a plan or an option).
DRAFT_ORDER_STATUS = ["draft", "active"]
DRAFT_ORDER_INTENT = ["order", "original-order", "reflex-order", "filler-order", "instance-order"]


# The default of [medication_status] ongoing (a table without it): FHIR R4 MedicationAdministration
# in-progress, MedicationRequest active (the order stands); no MedicationStatement status.
ONGOING_STATUS: dict[str, list[str]] = {"administration": ["in-progress"], "statement": [], "request": ["active"]}


def _by_record(value: Any) -> dict[RecordKind, frozenset[str]]:
    if not isinstance(value, dict) or set(value) != {"administration", "statement", "request"}:
        raise TypeError("expected a table of administration, statement and request statuses")
    return {"administration": _codes(value["administration"]), "statement": _codes(value["statement"]),
            "request": _codes(value["request"])}


def load_treatment_codes(path: Any = None) -> TreatmentCodes:
    """Read and check the table; a malformed one is a ConfigurationError naming the file."""
    from cds.tables import codes

    read = read_table(path or mappings_dir() / "treatment_context.toml", "mapping table")
    raw = read.content
    with malformed(read.name, "mapping table"):
        ssa, amino, status, preg = (raw["somatostatin_analogues"], raw["amino_acids"], raw["medication_status"],
                                    raw["pregnancy"])
        table = codes()
        loaded = TreatmentCodes(
            rxnorm_system=table.system("rxnorm"), atc_system=table.system("atc"), loinc_system=table.system("loinc"),
            snomed_system=table.system("snomed"),
            ssa_text=_strings(ssa["text_ingredients"]), ssa_rxnorm=_codes(ssa["rxnorm"]),
            long_acting_text=_strings(ssa["long_acting_text"]), long_acting_rxnorm=_codes(ssa["long_acting_rxnorm"]),
            short_acting_text=_strings(ssa["short_acting_text"]),
            ssa_atc=_codes(ssa["atc"]), long_acting_atc=_codes(ssa["long_acting_atc"]),
            radiotracer_text=_strings(ssa.get("radiotracer_text", [])),
            radiotracer_atc_groups=tuple(g.upper() for g in _strings(ssa.get("radiotracer_atc_groups", []))),
            amino_all_of=_strings(amino["text_all_of"]), amino_products=_strings(amino["text_products"]),
            amino_solution=_strings(amino["text_solution"]), amino_purpose=_strings(amino["text_purpose"]),
            amino_rxnorm=_codes(amino["rxnorm"]), volume_units=_units(amino["volume_units"], "mL"),
            used_status={"administration": _codes(status["administration"]),
                         "statement": _codes(status["statement"]), "request": _codes(status["request"])},
            ongoing_status=_by_record(status.get("ongoing", ONGOING_STATUS)),
            not_given_status=_codes(status["not_given"]),
            amino_partial_status=_codes(status.get("amino_acid_partial", ["stopped"])),
            draft_order_status=_codes(status.get("draft_order", DRAFT_ORDER_STATUS)),
            draft_order_intent=_codes(status.get("draft_order_intent", DRAFT_ORDER_INTENT)),
            status_loinc=_codes(preg["status_loinc"]), presence_loinc=_codes(preg["presence_loinc"]),
            quantitative_loinc=_codes(preg["quantitative_loinc"]), pregnant=_codes(preg["pregnant"]),
            not_pregnant=_codes(preg["not_pregnant"]), unknown=_codes(preg["unknown"]),
            positive=_codes(preg["positive"]), negative=_codes(preg["negative"]),
            positive_text=frozenset(_strings(preg["positive_text"])),
            negative_text=frozenset(_strings(preg["negative_text"])),
            hcg_units=_units(preg["quantitative_units"], "[IU]/L"),
            hcg_negative_below=float(preg["quantitative_negative_below"]),
            cannot_be_pregnant=_codes(preg["cannot_be_pregnant_snomed"]),
            site_zone=_zone(raw.get("site", {}).get("timezone", ""), read.name),
        )
    for record, found in loaded.ongoing_status.items():
        if not found <= loaded.used_status[record]:  # an ongoing status must be one that is read at all
            raise ConfigurationError(f"{read.name}: ongoing {record} lists statuses that {record} does not: "
                                     f"{', '.join(sorted(found - loaded.used_status[record]))}")
    if not loaded.long_acting_atc <= loaded.ssa_atc:  # a long-acting code must be an analogue's code
        raise ConfigurationError(f"{read.name}: long_acting_atc lists codes that atc does not: "
                                 f"{', '.join(sorted(loaded.long_acting_atc - loaded.ssa_atc))}")
    return loaded


def _zone(name: Any, file: str) -> ZoneInfo | None:
    if not isinstance(name, str):
        raise ConfigurationError(f"{file}: [site] timezone is not a text")
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(f"{file}: [site] timezone {name!r} is not a time zone this machine knows "
                                 "(an IANA name such as 'Europe/Berlin')") from None


@cache
def treatment_codes() -> TreatmentCodes:
    return load_treatment_codes()


# --- which medication ------------------------------------------------------------------------------


def agent_of(concept: Any, form: Any, table: TreatmentCodes) -> tuple[Literal["ssa", "amino-acids"],
                                                                    Literal["long", "short"] | None] | None:
    """("ssa", long/short), ("amino-acids", None), or None for any other medication. ``form`` is the
    Medication's dose form, when the medication is a referenced Medication."""
    text = f"{concept_text(concept)} {concept_text(form)}"
    rxnorm = {code for system, code in codings(concept) if system == table.rxnorm_system}
    atc = {code.upper() for system, code in codings(concept) if system == table.atc_system}
    coded = bool(rxnorm & table.ssa_rxnorm or atc & table.ssa_atc)
    if coded or (any(name in text for name in table.ssa_text) and not _tracer(text, atc, table)):
        if (rxnorm & table.long_acting_rxnorm or atc & table.long_acting_atc
                or any(_says(text, w) for w in table.long_acting_text)):
            return "ssa", "long"
        if any(_says(text, w) for w in table.short_acting_text):
            return "ssa", "short"
        return "ssa", None  # the form is not recorded: both checks read it (cds.protocol.prepare)
    named = all(word in text for word in table.amino_all_of) or any(p in text for p in table.amino_products)
    solution = any(s in text for s in table.amino_solution) and any(p in text for p in table.amino_purpose)
    if rxnorm & table.amino_rxnorm or named or solution:
        return "amino-acids", None
    return None


def analogue_tracer(concept: Any, form: Any, table: TreatmentCodes) -> bool:
    """Whether the medication names an analogue only as a diagnostic radiotracer's peptide (an octreotide
    scan, In-111 DTPA-octreotide): its text names an analogue and one of ``radiotracer_text`` as a word, or
    it carries a WHO ATC code of ``radiotracer_atc_groups``, and it carries no analogue code. It is no
    analogue dose (``agent_of``)."""
    text = f"{concept_text(concept)} {concept_text(form)}"
    atc = {code.upper() for system, code in codings(concept) if system == table.atc_system}
    rxnorm = {code for system, code in codings(concept) if system == table.rxnorm_system}
    if rxnorm & table.ssa_rxnorm or atc & table.ssa_atc or not any(name in text for name in table.ssa_text):
        return False
    return _tracer(text, atc, table)


def _tracer(text: str, atc: set[str], table: TreatmentCodes) -> bool:
    """Whether a medication's text says a radiotracer word, or it carries an ATC code of a radiotracer group."""
    return (any(_says(text, word) for word in table.radiotracer_text)
            or any(code.startswith(group) for code in atc for group in table.radiotracer_atc_groups))


def _says(text: str, word: str) -> bool:
    """``word`` as a word of ``text`` ("lar" in "octreotide LAR", not in "similar")."""
    return re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text) is not None


# --- the record ------------------------------------------------------------------------------------


def _moment(text: Any, zone: ZoneInfo | None = None) -> tuple[date, datetime]:
    """(day, wall-clock time): as written, or on the site's clock (``zone``) for a time written with an
    offset ("23:30Z" is 00:30 the next day in Berlin); a date without a time is taken at the end of its
    day (the later moment: fewer hours before the cycle). Raises Unusable."""
    instant, day = parse_instant(text)
    assert isinstance(text, str)
    if _DATE_ONLY.match(text):
        return day, datetime(day.year, day.month, day.day) + timedelta(days=1)
    written = datetime.fromisoformat(text)
    if zone is not None and written.tzinfo is not None:
        local = instant.astimezone(zone).replace(tzinfo=None)
        return local.date(), local
    return day, written.replace(tzinfo=None)


def _dated(resource: Resource, record: RecordKind, ongoing: bool) -> tuple[Any, bool]:
    """The date element of the record (FHIR input profile: effectiveDateTime / effectivePeriod.end /
    dateAsserted / authoredOn) and whether the medication is ongoing. ``ongoing``: its status says it is
    still being given, taken or ordered ([medication_status] ongoing), so it counts as given on the cycle
    day whatever its date, which then says since when (a period's start). A period without an end on an
    active record is ongoing too, and so is an active statement dated by one moment (effectiveDateTime,
    dateAsserted): FHIR R4 "active" says it is still taken, the moment since when; only a period's end says
    when it was last taken. Raises Unusable when there is no date."""
    if record == "request":
        if resource.get("authoredOn") is None:
            raise Unusable("no authoredOn date")
        return resource["authoredOn"], ongoing
    still_taken = ongoing or (record == "statement" and resource.get("status") == "active")
    if resource.get("effectiveDateTime") is not None:
        return resource["effectiveDateTime"], still_taken
    period = resource.get("effectivePeriod")
    if isinstance(period, dict):
        if ongoing and period.get("start") is not None:
            return period["start"], True
        if period.get("end") is not None:
            return period["end"], ongoing
        if period.get("start") is not None and resource.get("status") in ("active", "in-progress"):
            return period["start"], True
    if record == "statement" and resource.get("dateAsserted") is not None:
        return resource["dateAsserted"], still_taken
    raise Unusable("no usable date (effectiveDateTime, effectivePeriod.end, dateAsserted)")


class VolumeUnreadable(Unusable):
    """An amino-acid record states a dose the check cannot read as a volume (grams, an unknown unit)."""


def _volume_ml(resource: Resource, record: RecordKind, table: TreatmentCodes) -> float | None:
    """The volume an amino-acid record states (dosage.dose, or the first dosageInstruction's dose), in mL;
    None when it states none. A dose it states that is no readable volume raises VolumeUnreadable: an
    infusion of unknown volume is never read as a full one."""
    dose: Any = None
    if record == "administration":
        dosage = resource.get("dosage")
        dose = dosage.get("dose") if isinstance(dosage, dict) else None
    else:
        element = "dosage" if record == "statement" else "dosageInstruction"
        for instruction in items(resource.get(element)):
            doses = items(instruction.get("doseAndRate")) if isinstance(instruction, dict) else []
            for entry in doses:
                if isinstance(entry, dict) and entry.get("doseQuantity") is not None:
                    dose = entry["doseQuantity"]
                    break
            if dose is not None:
                break
    if dose is None:
        return None
    try:
        number, unit = quantity(dose)
    except Unusable as exc:
        raise VolumeUnreadable(f"amino-acid volume cannot be read: {exc}") from None
    factor = unit.factor(table.volume_units)
    if factor is None:
        raise VolumeUnreadable(f"amino-acid volume in {unit.text!r}, not a volume unit this check reads "
                               f"({', '.join(table.volume_units.factors)})")
    return number * factor


def map_treatment(
    resource: Resource, agent: tuple[Literal["ssa", "amino-acids"], Literal["long", "short"] | None],
    patient: str, table: TreatmentCodes, dates: PlausibleDates,
) -> tuple[TreatmentRecord | None, str | None]:
    """(the fact, None), or (None, why it is ignored) for a status known to mean "not given". A record
    without a usable date or status is a fact with its ``problem``."""
    record = RECORD_OF[str(resource["resourceType"])]
    kind, acting = agent
    base: dict[str, Any] = {"ref": ref_of(resource), "patient": patient, "agent": kind, "record": record,
                            "acting": acting}
    status = resource.get("status")
    if isinstance(status, str) and status in table.not_given_status:
        return None, f"status {status:.20} (not given): ignored"
    if not isinstance(status, str) or status not in table.used_status[record]:
        shown = f"{status:.20}" if isinstance(status, str) else "(none)"
        return TreatmentRecord(**base, problem=f"status {shown} is not one this check can read"), None
    try:
        volume = _volume_ml(resource, record, table) if kind == "amino-acids" else None
    except VolumeUnreadable as exc:
        return TreatmentRecord(**base, problem=str(exc)), None
    if kind == "amino-acids" and record == "administration" and status in table.amino_partial_status \
            and volume is None:
        return TreatmentRecord(**base, problem=f"infusion {status:.20} before its end and no volume "
                                               "stated (dosage.dose): how much was infused is unknown"), None
    try:
        text, ongoing = _dated(resource, record, status in table.ongoing_status[record])
        day, local = _moment(text, table.site_zone)
        since = _since(resource, ongoing, table)
    except Unusable as exc:
        return TreatmentRecord(**base, volume_ml=volume, problem=str(exc)), None
    if not dates.admits(day) or (since is not None and not dates.admits(since[0])):
        return TreatmentRecord(**base, volume_ml=volume,
                               problem=f"date outside the plausible window {dates.window_text()}"), None
    return TreatmentRecord(**base, day=day, local=local, ongoing=ongoing, volume_ml=volume,
                           since=since[0] if since else None, since_local=since[1] if since else None), None


def _since(resource: Resource, ongoing: bool, table: TreatmentCodes) -> tuple[date, datetime] | None:
    """When a record dated by its period's end began (``effectivePeriod.start``), so that a period that runs
    past the cycle's decision date reads as taken on the cycle day (cds.protocol.prepare); None for any
    other record. The start is taken at its first moment (the earlier: the longer it has been taken)."""
    period = resource.get("effectivePeriod")
    if ongoing or resource.get("effectiveDateTime") is not None or not isinstance(period, dict) \
            or period.get("end") is None or period.get("start") is None:
        return None
    day, local = _moment(period["start"], table.site_zone)
    if _DATE_ONLY.match(period["start"]):
        local = datetime(day.year, day.month, day.day)
    return day, local


def _is_code(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[a-z][a-z-]{0,39}", value) is not None


def not_ordered(resource: Resource, table: TreatmentCodes) -> str | None:
    """Why a draft order (MedicationRequest, ServiceRequest) does not order what it names, or None when
    it does: a status other than ``draft_order`` (entered-in-error, cancelled, revoked, completed ...),
    an intent other than ``draft_order_intent`` (a proposal, a plan), or ``doNotPerform``. The reason
    names the element and its code, never a text."""
    if resource.get("doNotPerform", False) is not False:  # true, or a value that may mean it
        return "doNotPerform is set: the order is not to give it"
    status, intent = resource.get("status"), resource.get("intent")
    if not (isinstance(status, str) and status in table.draft_order_status):
        return f"its status is {status}" if _is_code(status) else "its status is not stated as a code"
    if not (isinstance(intent, str) and intent in table.draft_order_intent):
        return f"its intent is {intent}" if _is_code(intent) else "its intent is not stated as a code"
    return None


def draft_order_record(resource: Resource, patient: str, day: date, table: TreatmentCodes) -> TreatmentRecord | None:
    """A MedicationRequest of a hook's ``draftOrders`` that orders the amino acids, as the record of this
    cycle's amino acids (dated ``day``, the day it is signed); None for any other order, and for one that
    does not order them: a status other than ``draft_order`` (entered-in-error, cancelled, revoked ...),
    an intent other than ``draft_order_intent`` (a proposal, a plan), or ``doNotPerform``. The medication is
    read from ``medicationCodeableConcept`` only."""
    if resource.get("resourceType") != "MedicationRequest" or not_ordered(resource, table) is not None:
        return None
    agent = agent_of(resource.get("medicationCodeableConcept"), None, table)
    if agent is None or agent[0] != "amino-acids":
        return None
    rid = resource.get("id")
    ref = f"MedicationRequest/{rid}" if isinstance(rid, str) and rid else "MedicationRequest"
    try:
        volume = _volume_ml(resource, "request", table)
    except VolumeUnreadable as exc:
        return TreatmentRecord(ref=ref, patient=patient, agent="amino-acids", record="request", problem=str(exc))
    return TreatmentRecord(ref=ref, patient=patient, agent="amino-acids", record="request", day=day,
                           local=datetime(day.year, day.month, day.day), volume_ml=volume)


_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def _statuses(concept: Any, system: str) -> set[str]:
    return {code for found, code in codings(concept) if found in (system, None)}


def pregnancy_exclusion(resource: Resource, patient: str, table: TreatmentCodes) -> PregnancyExclusion | None:
    """A Condition whose code the site lists as meaning the patient cannot be pregnant, while it holds
    (clinicalStatus active, recurrence or relapse; not refuted or entered in error); else None."""
    codes_found = [code for system, code in codings(resource.get("code"))
                   if system == table.snomed_system and code in table.cannot_be_pregnant]
    if not codes_found:
        return None
    if _statuses(resource.get("verificationStatus"), _VERIFICATION) & {"refuted", "entered-in-error"}:
        return None
    if not _statuses(resource.get("clinicalStatus"), _CLINICAL) & {"active", "recurrence", "relapse"}:
        return None
    return PregnancyExclusion(ref=ref_of(resource), patient=patient, code=codes_found[0])


# --- pregnancy -------------------------------------------------------------------------------------


def _answer(resource: Resource, table: TreatmentCodes, yes: frozenset[str], no: frozenset[str],
            yes_text: frozenset[str], no_text: frozenset[str]) -> Literal["pregnant", "not-pregnant"] | None:
    """The answer of a pregnancy status or qualitative test, or None when it cannot be read. A code counts
    only in SNOMED CT or LOINC, the systems of the answer lists (a local code that spells 260385009 is not
    "negative"); each text (``valueString``, the concept's text, each coding's display, whole and in any
    case) that is a listed answer must agree with the code: "Positive" beside the code for negative is
    no answer."""
    concept = resource.get("valueCodeableConcept")
    pairs = list(codings(concept))
    written = resource.get("valueString")
    texts: list[Any] = [written]
    if isinstance(concept, dict):
        texts.append(concept.get("text"))
        texts += [c.get("display") for c in items(concept.get("coding")) if isinstance(c, dict)]
    words = {t.strip().lower() for t in texts if isinstance(t, str)}
    said: set[str] = {"pregnant" for w in words if w in yes_text} | {"not-pregnant" for w in words if w in no_text}
    answer: Literal["pregnant", "not-pregnant"] | None
    if pairs:
        found = {code for system, code in pairs if system in (table.snomed_system, table.loinc_system)}
        if found & yes and not found & no:
            answer = "pregnant"
        elif found & no and not found & yes:
            answer = "not-pregnant"
        else:
            return None
        return answer if said <= {answer} else None
    if said == {"pregnant"}:
        return "pregnant"
    if said == {"not-pregnant"}:
        return "not-pregnant"
    return None


def map_pregnancy(resource: Resource, loinc: str, patient: str, table: TreatmentCodes) -> PregnancyEvidence:
    """A pregnancy status or test; an answer it cannot read is "indeterminate", with the reason."""
    at, day = effective(resource, "effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued")
    base: dict[str, Any] = {"ref": ref_of(resource), "patient": patient, "at": at, "day": day}
    if value_and_absent_reason(resource):
        test = "hcg-quantitative" if loinc in table.quantitative_loinc else (
            "status" if loinc in table.status_loinc else "hcg-qualitative")
        return PregnancyEvidence(**base, test=test, result="indeterminate", problem=VALUE_AND_ABSENT_REASON)
    if loinc in table.quantitative_loinc:
        try:
            number, unit = quantity(resource.get("valueQuantity"))
        except Unusable as exc:
            return PregnancyEvidence(**base, test="hcg-quantitative", result="indeterminate", problem=str(exc))
        factor = unit.factor(table.hcg_units)
        if factor is not None and unit.disagrees(table.hcg_units):
            return PregnancyEvidence(**base, test="hcg-quantitative", result="indeterminate",
                                     problem=f"hCG unit text {unit.shown!r} disagrees with its code {unit.text!r}")
        if factor is None:
            return PregnancyEvidence(**base, test="hcg-quantitative", result="indeterminate",
                                     problem=f"hCG unit {unit.text!r} is not convertible to IU/L")
        result: Literal["pregnant", "not-pregnant"] = (
            "not-pregnant" if number * factor < table.hcg_negative_below else "pregnant")
        return PregnancyEvidence(**base, test="hcg-quantitative", result=result)
    if loinc in table.status_loinc:
        codes_found = {code for _, code in codings(resource.get("valueCodeableConcept"))}
        answer = _answer(resource, table, table.pregnant, table.not_pregnant, frozenset({"pregnant"}),
                         frozenset({"not pregnant"}))
        if answer is None:
            why = "pregnancy status unknown" if codes_found & table.unknown else "pregnancy status answer not read"
            return PregnancyEvidence(**base, test="status", result="indeterminate", problem=why)
        return PregnancyEvidence(**base, test="status", result=answer)
    answer = _answer(resource, table, table.positive, table.negative, table.positive_text, table.negative_text)
    if answer is None:
        return PregnancyEvidence(**base, test="hcg-qualitative", result="indeterminate",
                                 problem="hCG result is neither positive nor negative")
    return PregnancyEvidence(**base, test="hcg-qualitative", result=answer)
