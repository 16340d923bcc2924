"""FHIR resources -> per-patient facts (``cds.facts``). The only place that reads FHIR resources into facts.

Everything else uses this front (``map_collected``, ``Mapped``); only ``cds.hooks`` also uses the element
readers beside it, for the draft orders it rewrites (README.md, "Layout"; an import-linter contract).

``map_collected`` dispatches every resource by type and code to the small mappers beside this
module. A resource that cannot be used becomes an ``Issue`` naming it and the reason; the rest of
the input is mapped regardless. Resources with codes this plugin does not use are skipped silently.

Validation: the resources the mapping uses that are rare and structured (Patient, PRRT Procedure and
MedicationAdministration) are validated with the fhir.resources R4B models; Observations, which come
by the hundred thousand, are validated on the elements the mapping reads (see fhir_mappings/README.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from cds.facts import (
    Administration,
    Issue,
    LabResult,
    Patient,
    PatientRecord,
    Timed,
    UngradableLab,
    UnreadAdministration,
    age_years,
)
from cds.gc_pause import gc_paused
from cds.mapping.administrations import (
    is_other_agent_procedure,
    is_prrt_medication,
    is_prrt_procedure,
    map_medication_administration,
    map_procedure,
    part_of_procedure,
)
from cds.mapping.clinical import map_body, map_patient, map_performance
from cds.mapping.dosimetry import dosimetry_organ, map_condition, map_dosimetry, risk_factor_of
from cds.mapping.fhir import Unusable, codings, reference, subject
from cds.mapping.fhir import ref_of as ref_of  # the reference a resource is cited by, for the report's backends
from cds.mapping.labs import correct, map_lab, resolve_percentages
from cds.mapping.treatment import (
    RECORD_OF,
    agent_of,
    analogue_tracer,
    map_pregnancy,
    map_treatment,
    pregnancy_exclusion,
    treatment_codes,
)
from cds.mapping.tumour import map_measurement, map_recist_observation, organ_of
from cds.mapping.versions import current_versions
from cds.reading import Collected
from cds.tables import AnalyteTable, CodeTable, analytes, codes

Resource = Mapping[str, Any]
# A patient known only from the references of its resources: the decisions stay conservative (the
# narrowest default range of either sex, pregnancy not excluded, no Cockcroft-Gault clearance), but a
# record without its Patient cannot say the patient died, so it is never silent.
NO_PATIENT_RESOURCE = ("no usable Patient resource for this patient in the input: sex, birth date and whether "
                       "the patient has died are unknown")
_Dated = TypeVar("_Dated", bound=Timed)
_Read = TypeVar("_Read", bound=Resource)


@dataclass
class Mapped:
    """The mapping's result: one record per patient, and the issues that belong to no patient."""

    records: dict[str, PatientRecord] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    # for each issue the mapping added to ``issues`` (after the ones it was given): the pass (-1: the versions
    # of one Type/id, ``cds.mapping.versions``; 0: Patients, Medications and BodyStructures; 1: the rest) and
    # the index in the input given of the resource it is about (for -1: of that Type/id's first copy), so
    # that the issues of mapping patient by patient can be put back in the order of mapping the whole input
    origins: list[tuple[int, int]] = field(default_factory=list)

    def record(self, patient: str) -> PatientRecord:
        found = self.records.get(patient)
        if found is None:
            found = self.records[patient] = PatientRecord(patient=Patient(ref=patient))
        return found


def _validation_issue(exc: ValidationError) -> str:
    """Locations of the failing elements only: pydantic's own messages may quote the input."""
    places = sorted({".".join(str(p) for p in err["loc"]) or "(root)" for err in exc.errors()})
    shown = ", ".join(places[:5]) + (" ..." if len(places) > 5 else "")
    return f"fails FHIR R4B validation at {shown}"


# What the issue of an unread Lutathera administration (``UnreadAdministration``) says after its reason
NOT_COUNTED = ("a Lutathera administration recorded as given that cannot be read is not counted as a cycle (the "
               "cycles given, their numbers and the cumulative activity may be short by it)")


class _Mapper:
    def __init__(self, aliases: Mapping[str, str], issues: list[Issue], analyte_table: AnalyteTable,
                 code_table: CodeTable) -> None:
        self.aliases = aliases
        self.analytes = analyte_table
        self.codes = code_table
        self.out = Mapped(issues=list(issues))
        self.where = (0, 0)  # the pass and the index of the resource being mapped
        self.loinc = code_table.system("loinc")
        self.recist = code_table.system("recist")
        self.usable_status = set(code_table.section("observation")["usable_status"])
        self.pending_status = set(code_table.section("observation")["pending_status"])
        self.pending_pct: list[LabResult] = []
        self.earliest, self.latest = code_table.dates.earliest, code_table.dates.latest()  # today: once per run
        self.part_of: dict[str, tuple[str, Administration]] = {}
        # Observations of which some version is entered-in-error: no version of them is used
        self.retracted: set[str] = set()
        self.medications: dict[str, Resource] = {}
        self.organs: dict[str, str] = {}
        self.special: dict[str, str] = {
            code_table.section("ecog")["loinc"]: "ecog",
            code_table.section("karnofsky")["loinc"]: "karnofsky",
            code_table.section("tumour")["tumor_size_loinc"]: "tumour",
            code_table.section("tumour")["longest_diameter_loinc"]: "tumour",
            code_table.section("tumour")["other_dimension_loinc"]: "tumour",
        }
        for code in code_table.section("body_weight")["loinc"]:
            self.special[code] = "weight"
        for code in code_table.section("body_height")["loinc"]:
            self.special[code] = "height"
        self.treatment = treatment_codes()
        for code in self.treatment.pregnancy_loinc:
            self.special[code] = "pregnancy"

    def issue(self, severity: str, resource: Resource, message: str, patient: str | None = None) -> None:
        entry = Issue(severity=severity, resource=ref_of(resource), message=message, patient=patient)
        if patient is not None:
            self.out.record(patient).issues.append(entry)
        else:
            self.out.issues.append(entry)
            self.out.origins.append(self.where)

    def validate(self, resource: Resource) -> None:
        try:
            get_fhir_model_class(str(resource["resourceType"])).model_validate(resource)
        except ValidationError as exc:
            raise Unusable(_validation_issue(exc)) from None

    def run(self, resources: Sequence[Resource], lookups: Sequence[Resource] = ()) -> Mapped:
        """Map ``resources``; ``lookups`` are Medications and BodyStructures of no patient that they may
        reference (the bulk path maps each patient's resources apart, with these beside them)."""
        for resource in lookups:
            self._lookup(resource)
        kept, notes = current_versions(resources)
        for resource, severity, message, first in notes:
            self.where = (-1, first)
            patient = ref_of(resource) if resource["resourceType"] == "Patient" else self._patient_of(resource)
            self.issue(severity, resource, message, patient)
        for index in kept:
            resource = resources[index]
            self.where = (0, index)
            if resource["resourceType"] == "Patient":
                self._patient(resource)
            else:
                self._lookup(resource)
        for index in kept:
            resource = resources[index]
            self.where = (1, index)
            kind = resource["resourceType"]
            try:
                if kind in ("MedicationStatement", "MedicationRequest"):
                    self._treatment(resource)
                elif kind == "Observation":
                    self._observation(resource)
                elif kind == "Procedure":
                    self._procedure(resource)
                elif kind == "MedicationAdministration":
                    self._medication_administration(resource)
                elif kind == "Condition":
                    self._condition(resource)
                # any other kind (and Patient, read first) is not a fact: skipped silently
            except Unusable as exc:
                patient = self._patient_of(resource)
                self.issue("warning", resource, str(exc), patient)
        self._finish()
        return self.out

    def _lookup(self, resource: Resource) -> None:
        kind = resource["resourceType"]
        if kind == "Medication" and isinstance(resource.get("id"), str):
            self.medications[ref_of(resource)] = resource
        elif kind == "BodyStructure" and isinstance(resource.get("id"), str):
            organ = organ_of(resource)
            if organ is not None:
                self.organs[ref_of(resource)] = organ

    def _patient_of(self, resource: Resource) -> str | None:
        try:
            return subject(resource, self.aliases)
        except Unusable:
            return None

    def _patient(self, resource: Resource) -> None:
        try:
            self.validate(resource)
            fact, warnings = map_patient(resource, self.codes.dates)
        except Unusable as exc:
            self.issue("warning", resource, str(exc))
            return
        record = self.out.record(fact.ref)
        record.patient = fact
        record.seen_patient_resource = True
        for warning in warnings:
            self.issue("warning", resource, warning, fact.ref)

    def dated(self, fact: _Dated) -> _Dated:
        """The fact, if its day lies in the plausible window (codes.toml ``[plausibility]``); else
        ``Unusable``: a date at the ends of the calendar (0001-01-01, 9999-12-20) would place the fact
        in no real cycle and overflow every interval computed from it."""
        if not self.earliest <= fact.day <= self.latest:
            raise Unusable(f"date outside the plausible window {self.codes.dates.window_text()}")
        return fact

    def _sex(self, patient: str) -> str | None:
        record = self.out.records.get(patient)
        return record.patient.sex if record else None

    def _birth(self, patient: str) -> date | None:
        record = self.out.records.get(patient)
        return record.patient.birth_date if record else None

    def _observation(self, resource: Resource) -> None:
        kind = analyte = None
        loinc_code = ""
        bad_loinc: list[str] = []
        for system, code in codings(resource.get("code")):
            if system == self.loinc:
                if not self.codes.loinc_pattern.match(code):
                    bad_loinc.append(code)
                    continue
                analyte = self.analytes.for_loinc(code)
                if analyte is not None:
                    kind, loinc_code = "lab", code
                    break
                if code in self.special:
                    kind, loinc_code = self.special[code], code
                    break
            elif system == self.recist:
                kind, loinc_code = "recist", code
                break
        if kind is None and (organ := dosimetry_organ(resource, self.codes.dosimetry)) is not None:
            self._dosimetry(resource, organ)
            return
        if kind is None:
            if bad_loinc:
                shown = bad_loinc[0][:40]
                self.issue("warning", resource, f"code {shown!r} under {self.loinc} is not a LOINC code",
                           self._patient_of(resource))
            return  # a code this plugin does not use: skipped silently
        status = resource.get("status")
        if status == "entered-in-error":  # before the subject: a retraction naming no patient still retracts
            self.retracted.add(ref_of(resource))
        patient = subject(resource, self.aliases)
        if kind == "lab" and isinstance(status, str) and status in self.pending_status:
            self._pending_lab(resource, analyte, loinc_code, patient, status)
            return
        if not isinstance(status, str) or status not in self.usable_status:
            shown = f"{status:.20}" if isinstance(status, str) else "(not a code)"
            message = f"status {shown} is not final, amended or corrected: ignored"
            self.issue("info", resource, message, patient)
            return
        record = self.out.record(patient)
        if kind == "lab":
            assert analyte is not None
            fact, warning = map_lab(resource, analyte, loinc_code, patient, self._sex(patient), self.aliases,
                                    self.codes, self._birth(patient))
            self.dated(fact)
            if warning:
                self.issue("warning", resource, f"{warning}; default range used", patient)
            if isinstance(fact, UngradableLab):
                record.ungradable.append(fact)
                self.issue("warning", resource, fact.reason, patient)
            elif analyte.percent_of is not None:
                self.pending_pct.append(fact)
            else:
                record.labs.append(fact)
        elif kind in ("ecog", "karnofsky"):
            record.performance.append(self.dated(map_performance(resource, kind, patient, self.codes)))
        elif kind == "weight":
            record.body.append(self.dated(map_body(resource, "weight", patient, self.codes.weight_units,
                                                   self.codes.weight_plausible)))
        elif kind == "height":
            record.body.append(self.dated(map_body(resource, "height", patient, self.codes.height_units,
                                                   self.codes.height_plausible)))
        elif kind == "tumour":
            measurement, warning = map_measurement(resource, patient, self.codes, self.aliases, self.organs)
            record.tumour.append(self.dated(measurement))
            if warning:
                self.issue("warning", resource, warning, patient)
        elif kind == "pregnancy":
            evidence = self.dated(map_pregnancy(resource, loinc_code, patient, self.treatment))
            if evidence.problem is not None:
                self.issue("warning", resource, f"{evidence.problem}: pregnancy not excluded", patient)
            record.pregnancy.append(evidence)
        else:
            tumour = map_recist_observation(resource, loinc_code, patient, self.codes, self.aliases)
            if tumour is not None:
                record.tumour.append(self.dated(tumour))

    def _pending_lab(self, resource: Resource, analyte: Any, loinc_code: str, patient: str, status: str) -> None:
        """A laboratory result not yet final (codes.toml ``pending_status``: preliminary) is never graded,
        but it is kept as a result that cannot be used: newer than the final result the dose rules would
        use, it makes the cycle wait for its final value (labs-needed), never "proceed" on the older one."""
        assert analyte is not None
        fact, _ = map_lab(resource, analyte, loinc_code, patient, self._sex(patient), self.aliases, self.codes,
                          self._birth(patient))
        self.dated(fact)
        reason = f"status {status}: not a final result, not graded until its final value"
        self.issue("info", resource, reason, patient)
        self.out.record(patient).ungradable.append(UngradableLab(
            ref=fact.ref, patient=fact.patient, at=fact.at, day=fact.day, time_known=fact.time_known,
            analyte=fact.analyte, reason=reason))

    def _dosimetry(self, resource: Resource, organ: Any) -> None:
        """A dosimetry Observation (status as for any Observation); one that cannot be used is kept
        without a dose, with an issue, so that its cycle cannot be evaluated rather than count 0 Gy."""
        status = resource.get("status")
        if status == "entered-in-error":  # no version of this dosimetry is used (as for any Observation)
            self.retracted.add(ref_of(resource))
        patient = subject(resource, self.aliases)
        if not isinstance(status, str) or status not in self.usable_status:
            shown = f"{status:.20}" if isinstance(status, str) else "(not a code)"
            self.issue("info", resource, f"status {shown} is not final, amended or corrected: ignored", patient)
            return
        fact = self.dated(map_dosimetry(resource, organ, patient, self.codes.dosimetry, self.aliases))
        if fact.problem is not None:
            self.issue("warning", resource, f"{fact.problem}: cannot evaluate", patient)
        self.out.record(patient).dosimetry.append(fact)

    def _condition(self, resource: Resource) -> None:
        """A Condition that is a kidney risk factor (hypertension, diabetes), or one the site lists as
        meaning the patient cannot be pregnant; any other is skipped."""
        if self.treatment.cannot_be_pregnant:
            exclusion = pregnancy_exclusion(resource, self._patient_of(resource) or "", self.treatment)
            if exclusion is not None and exclusion.patient:
                self.out.record(exclusion.patient).pregnancy_excluded.append(exclusion)
        if risk_factor_of(resource, self.codes.dosimetry) is None:
            return  # a code this plugin does not use: skipped silently
        patient = subject(resource, self.aliases)
        fact, warning = map_condition(resource, patient, self.codes.dosimetry)
        if warning is not None:
            self.issue("warning", resource, warning, patient)
        if fact is not None:
            self.out.record(patient).risk_factors.append(fact)

    def _procedure(self, resource: Resource) -> None:
        if not is_prrt_procedure(resource, self.codes):
            if is_other_agent_procedure(resource, self.codes):
                self.issue("info", resource, "radionuclide therapy of another agent: not a PRRT cycle",
                           self._patient_of(resource))
            return  # a code this plugin does not use: skipped silently
        if resource.get("status") == "entered-in-error":  # no version of this cycle is a cycle
            self.retracted.add(ref_of(resource))
        patient = subject(resource, self.aliases)
        try:
            self.validate(resource)
            fact, problem = map_procedure(resource, patient, self.codes)
            fact = self.dated(fact)
        except Unusable as exc:
            self._unread_administration(resource, patient, str(exc))
            return
        if problem is not None:
            self.issue("warning", resource, problem, patient)
        self.out.record(patient).administrations.append(fact)

    def _unread_administration(self, resource: Resource, patient: str, reason: str,
                               part_of: str | None = None) -> None:
        """A Lutathera administration that cannot be read: one recorded as given is kept as unread (the
        course is short by it, and its next cycle's recommendation says so); any other status is only
        named in an issue, as before. Raises the problem again for a status that is not given."""
        section = self.codes.section("administration")
        status = resource.get("status")
        if not (isinstance(status, str) and status in (*section["completed_status"], *section["stopped_status"])):
            raise Unusable(reason)
        self.issue("warning", resource, f"{reason}: {NOT_COUNTED}", patient)
        self.out.record(patient).unread_administrations.append(
            UnreadAdministration(ref=ref_of(resource), patient=patient, reason=reason, part_of=part_of))

    def _medication(self, resource: Resource) -> tuple[Any, Any, str | None]:
        """The medication's code and form: its ``medicationCodeableConcept``, else the Medication its
        ``medicationReference`` names (in the input, or contained in the resource), and the reference when
        that Medication is in neither (the record cannot be told to be Lutathera or an analogue)."""
        concept = resource.get("medicationCodeableConcept")
        if concept is not None:
            return concept, None, None
        medication = reference(resource.get("medicationReference"), self.aliases)
        if medication is None:
            return None, None, None
        found = self.medications.get(medication)
        if found is None and medication.startswith("#"):
            found = next((c for c in resource.get("contained") or () if isinstance(c, dict)
                          and c.get("resourceType") == "Medication" and f"#{c.get('id')}" == medication), None)
        if found is None:
            return None, None, medication
        return found.get("code"), found.get("form"), None

    def _unresolved(self, resource: Resource, medication: str) -> None:
        self.issue("warning", resource, f"its medication {medication[:80]} is not in the input: it cannot be told "
                                        "to be a Lutathera cycle or a somatostatin analogue, and is not used "
                                        "(send the Medication with it)", self._patient_of(resource))

    def _medication_administration(self, resource: Resource) -> None:
        concept, _, unresolved = self._medication(resource)
        if unresolved is not None:
            self._unresolved(resource, unresolved)
            return
        if not is_prrt_medication(concept, self.codes):
            self._treatment(resource)  # a medication of the treatment context, or skipped silently
            return
        if resource.get("status") == "entered-in-error":  # no version of this cycle is a cycle
            self.retracted.add(ref_of(resource))
        patient = subject(resource, self.aliases)
        try:
            self.validate(resource)
            fact, part_of, problem = map_medication_administration(resource, patient, self.codes, self.aliases)
            self.dated(fact)
        except Unusable as exc:
            self._unread_administration(resource, patient, str(exc), part_of_procedure(resource, self.aliases))
            return
        if problem is not None:
            self.issue("warning", resource, problem, patient)
        if part_of is not None:
            self.part_of[fact.ref] = (part_of, fact)
        else:
            self.out.record(patient).administrations.append(fact)

    def _treatment(self, resource: Resource) -> None:
        """A somatostatin analogue or the amino-acid renal protection (given, taken or ordered); any other
        medication is skipped silently. One that cannot be read is kept with its problem and an issue."""
        concept, form, unresolved = self._medication(resource)
        if unresolved is not None:
            self._unresolved(resource, unresolved)
            return
        agent = agent_of(concept, form, self.treatment)
        if agent is None:
            if analogue_tracer(concept, form, self.treatment):
                self.issue("info", resource, "an imaging radiotracer, not a somatostatin analogue dose: not used "
                                             "for the analogue checks", self._patient_of(resource))
            return  # a medication this plugin does not use: skipped silently
        patient = subject(resource, self.aliases)
        fact, ignored = map_treatment(resource, agent, patient, self.treatment, self.codes.dates)
        if ignored is not None:
            self.issue("info", resource, ignored, patient)
            return
        assert fact is not None
        if fact.problem is None:  # the mapping's own reason first: it says more than the validator
            try:
                self.validate(resource)
            except Unusable as exc:
                fact = fact.model_copy(update={"day": None, "local": None, "problem": str(exc)})
        if fact.problem is not None:
            what = "somatostatin analogue" if fact.agent == "ssa" else "amino-acid solution"
            self.issue("warning", resource, f"{what} {RECORD_OF[resource['resourceType']]}: {fact.problem}; "
                                            "its check cannot be decided", patient)
        self.out.record(patient).treatment.append(fact)

    def _finish(self) -> None:
        self._attach_part_of()
        for record in self.out.records.values():
            self._drop_retracted(record)
            self._check_age(record)
            if not record.seen_patient_resource:
                record.issues.append(Issue(severity="warning", resource=record.patient.ref, patient=record.patient.ref,
                                           message=NO_PATIENT_RESOURCE))
        for record in self.out.records.values():  # a total calcium graded corrected for its albumin
            record.labs = correct(record.labs, self.analytes)
        self.pending_pct = [lab for lab in self.pending_pct if lab.ref not in self.retracted]
        wbcs = [lab for rec in self.out.records.values() for lab in rec.labs if lab.analyte == "wbc"]
        for fact in resolve_percentages(self.pending_pct, wbcs, self.analytes):
            record = self.out.record(fact.patient)
            if isinstance(fact, UngradableLab):
                record.ungradable.append(fact)
                record.issues.append(Issue(severity="warning", resource=fact.ref, message=fact.reason,
                                           patient=fact.patient))
            else:
                record.labs.append(fact)

    def _drop_retracted(self, record: PatientRecord) -> None:
        """A laboratory has retracted an Observation (a version of it is entered-in-error): the other
        versions of it in the input (an older export, a history Bundle) are not used either."""
        if not self.retracted:
            return
        groups: list[list[Any]] = [record.labs, record.ungradable, record.pregnancy, record.performance,
                                   record.body, record.tumour, record.dosimetry, record.administrations,
                                   record.unread_administrations]
        dropped: set[str] = set()
        for group in groups:
            kept = [fact for fact in group if getattr(fact, "ref", None) not in self.retracted]
            dropped |= {fact.ref for fact in group if getattr(fact, "ref", None) in self.retracted}
            group[:] = kept
        for ref in sorted(dropped):
            what = "Observation" if ref.startswith("Observation/") else "administration"
            record.issues.append(Issue(severity="warning", resource=ref, patient=record.patient.ref,
                                       message=f"a version of this {what} is entered-in-error: none of its "
                                               "versions is used"))

    def _check_age(self, record: PatientRecord) -> None:
        """A birth date that gives an age outside the plausible ages (codes.toml ``[plausibility]``) on
        any dated fact of the patient (a fact before birth, or an age of 121) is not used: no age and no
        Cockcroft-Gault clearance is derived from it. Which date is wrong cannot be told, so the facts
        stay and the age is unknown."""
        birth = record.patient.birth_date
        if birth is None:
            return
        groups: list[list[Any]] = [record.administrations, record.labs, record.ungradable, record.performance,
                                   record.body, record.tumour]
        days = [fact.day for group in groups for fact in group]
        if record.patient.death_date is not None:
            days.append(record.patient.death_date)
        if not days:
            return
        dates = self.codes.dates
        youngest, oldest = age_years(birth, min(days)), age_years(birth, max(days))
        if dates.min_age_years <= youngest and oldest <= dates.max_age_years:
            return
        record.patient = record.patient.model_copy(update={"birth_date": None})
        record.issues.append(Issue(
            severity="warning", resource=record.patient.ref, patient=record.patient.ref,
            message=f"birthDate gives an age outside {dates.min_age_years}-{dates.max_age_years} years "
                    "on the dates of this record: age unknown",
        ))

    def _attach_part_of(self) -> None:
        """A MedicationAdministration ``partOf`` a PRRT Procedure gives that Procedure its activity.

        A record entered in error gives no dose: a retracted MedicationAdministration stands alone, so that
        it is withdrawn with its other versions (``_drop_retracted``); one ``partOf`` a retracted Procedure
        is unread (not a cycle, and named), whether or not another version of that Procedure is in the input."""
        for ma_ref, (procedure_ref, fact) in self.part_of.items():
            record = self.out.record(fact.patient)
            if ma_ref in self.retracted:
                record.administrations.append(fact)
                continue
            if procedure_ref in self.retracted:
                reason = f"partOf {procedure_ref}, which is entered-in-error"
                record.issues.append(Issue(
                    severity="warning", resource=ma_ref, patient=fact.patient,
                    message=f"{reason}: {NOT_COUNTED}"))
                record.unread_administrations.append(UnreadAdministration(
                    ref=ma_ref, patient=fact.patient, reason=reason, part_of=procedure_ref))
                continue
            for index, admin in enumerate(record.administrations):
                if admin.ref != procedure_ref:
                    continue
                activity = admin.activity_gbq
                if activity is not None and fact.activity_gbq is not None and \
                        abs(activity - fact.activity_gbq) > 1e-9:
                    record.issues.append(Issue(
                        severity="warning", resource=ma_ref, patient=fact.patient,
                        message=f"activity differs from {procedure_ref}; "
                                "the MedicationAdministration dose is used",
                    ))
                # a Procedure dated by its day alone takes the time of its infusion from the administration
                timed = {"at": fact.at, "time_known": True} if (
                    fact.time_known and not admin.time_known and fact.day == admin.day) else {}
                record.administrations[index] = admin.model_copy(update={
                    "activity_gbq": fact.activity_gbq if fact.activity_gbq is not None else activity,
                    "activity_reported": fact.activity_reported or admin.activity_reported,
                    "sources": (*admin.sources, ma_ref), **timed,
                })
                break
            else:
                record.administrations.append(fact)


def patient_of(resource: Resource, aliases: Mapping[str, str] | None = None) -> str | None:
    """The patient a resource belongs to, as ``Patient/id``: a Patient itself, or the ``subject`` (or
    ``patient``) reference of any other; None for a resource of no patient (Medication, or a resource
    whose subject cannot be read, which the mapping reports where it reads it).

    The partition key of bulk input (streaming, the Spark backend): every resource the mapping ties to a
    patient has this key, so evaluating each patient's resources alone gives the same result as the whole."""
    if resource.get("resourceType") == "Patient":
        rid = resource.get("id")
        return f"Patient/{rid}" if isinstance(rid, str) else None
    try:
        return subject(resource, aliases or {})
    except Unusable:
        return None


def is_lookup(resource: Resource) -> bool:
    """Whether a resource of no patient is one that others reference by id (Medication, BodyStructure):
    the bulk path keeps these beside every patient's resources."""
    return resource.get("resourceType") in ("Medication", "BodyStructure")


def one_version_each(resources: Sequence[_Read]) -> list[_Read]:
    """``resources`` with one version of each ``Type/id``, as mapping them together reads them
    (``cds.mapping.versions``): the bulk path gives every patient's mapping the Medications and
    BodyStructures of no patient so, never an older version read after the newest."""
    kept, _ = current_versions(resources)
    return [resources[index] for index in kept]


def map_collected(
    collected: Collected, analyte_table: AnalyteTable | None = None, code_table: CodeTable | None = None
) -> Mapped:
    """Map everything collected from the inputs into per-patient records."""
    mapper = _Mapper(collected.aliases, collected.issues, analyte_table or analytes(), code_table or codes())
    with gc_paused():
        return mapper.run(collected.resources)


def map_resources(
    resources: Sequence[Resource], aliases: Mapping[str, str], lookups: Sequence[Resource] = (),
    analyte_table: AnalyteTable | None = None, code_table: CodeTable | None = None,
) -> Mapped:
    """Map one part of the input (a patient's resources, ``patient_of``) with the Medications and
    BodyStructures of no patient beside it; ``Mapped.origins`` tells where each issue of no patient arose."""
    mapper = _Mapper(aliases, [], analyte_table or analytes(), code_table or codes())
    with gc_paused():
        return mapper.run(resources, lookups)
