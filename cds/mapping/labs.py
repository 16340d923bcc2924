"""Laboratory Observations -> ``LabResult`` in the analyte's canonical unit, with LLN/ULN.

Rules (fhir_mappings/README.md): value from ``valueQuantity`` (UCUM ``code``, else the ``unit`` text if
it is a listed spelling); LLN/ULN from the one ``referenceRange`` entry that is a normal range for this
patient (``_applicable``), converted like the value (a range without a unit is in the value's unit);
without a range, the default table by analyte and sex (``range_source = "default"``); ``interpretation``
H/HH/HU high, L/LL/LU low.
Percent differentials become absolute counts only with the one WBC of the same specimen, else of the
same time and no other specimen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from cds.facts import LabResult, UngradableLab, age_years
from cds.mapping.fhir import (
    VALUE_AND_ABSENT_REASON,
    Unit,
    Unusable,
    codings,
    effective,
    has_time,
    items,
    number_text,
    quantity,
    ref_of,
    reference,
    value_and_absent_reason,
)
from cds.numbers import signif
from cds.tables import Analyte, AnalyteTable, CodeTable, Correction

Resource = Mapping[str, Any]


def _interpretation(resource: Resource, table: CodeTable) -> str | None:
    section = table.section("interpretation")
    for concept in items(resource.get("interpretation")):
        for _system, code in codings(concept):
            for flag in ("high", "low", "normal"):
                if code in section[flag]:
                    return flag
    return None


def _limit(value: Any, analyte: Analyte, value_unit: Unit) -> float | None:
    """One side of a reference range in the canonical unit; None when absent.

    A range without a unit is in the unit of the value (the usual way labs send it).
    """
    if value is None:
        return None
    number, unit = quantity(value)
    factor = (unit if unit.text is not None else value_unit).factor(analyte.units)
    if factor is None:
        raise Unusable(f"reference range unit {unit.text!r} is not convertible to {analyte.canonical_unit}")
    # as for the value: a code and a text naming different units ("10*9/L" beside "/uL") leave the
    # range's scale unknown, and a limit read on the wrong one grades every result wrongly
    if unit.disagrees(analyte.units):
        raise Unusable(f"reference range unit code {unit.text!r} and unit text {unit.shown!r} name different units")
    limit = number * factor
    # A limit of normal is never negative and never above what the analyte can be: such a range would
    # make every result abnormal (or none), a silent wrong grade.
    if not 0 <= limit <= analyte.plausible.high:
        raise Unusable("reference range limit outside the plausible values")
    return limit


def _age_in(unit: str, birth: date, on: date) -> int:
    """Completed years, months, weeks or days of age on a day."""
    if unit == "years":
        return age_years(birth, on)
    if unit == "months":
        return (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)
    return (on - birth).days // (7 if unit == "weeks" else 1)


def _age_admits(age: Any, birth: date | None, on: date, table: CodeTable) -> bool:
    """Whether ``age`` (a Range of ages) holds for a patient born on ``birth`` on the day ``on``: never
    when the birth date is unknown, when it gives no plausible age on that day (a day before birth, an age
    above the plausible ages of codes.toml ``[plausibility]``, which also make the record's age unknown),
    or when a limit is not a number with a listed age unit."""
    if not isinstance(age, dict) or birth is None:
        return False
    if not table.dates.min_age_years <= age_years(birth, on) <= table.dates.max_age_years:
        return False
    units: dict[str, list[str]] = table.section("reference_range")["age_units"]
    for side in ("low", "high"):
        if age.get(side) is None:
            continue
        try:
            value, spelling = quantity(age[side])
        except Unusable:
            return False
        unit = next((name for name, spellings in units.items() if spelling.text in spellings), None)
        if unit is None:
            return False
        reached = _age_in(unit, birth, on)
        if (side == "low" and reached < value) or (side == "high" and reached > value):
            return False
    return True


def _qualified(entry: dict[str, Any]) -> bool:
    return entry.get("appliesTo") is not None or entry.get("age") is not None


def _holds(entry: dict[str, Any], sex: str | None, birth: date | None, on: date, table: CodeTable) -> bool:
    """Whether a referenceRange entry is a range of normal known to apply to this patient on this day.

    Its ``type``, when given, must be a listed normal meaning; each ``appliesTo`` concept must name the
    patient's sex (a population the record cannot confirm, pregnancy or race, is not taken to apply);
    its ``age`` must hold on the day of the result (``_age_admits``)."""
    section = table.section("reference_range")
    kind = entry.get("type")
    if kind is not None:
        meaning = section["meaning_system"]
        if not any(system == meaning and code in section["normal_types"] for system, code in codings(kind)):
            return False
    snomed = table.system("snomed")
    for concept in items(entry.get("appliesTo")):
        named = {code for system, code in codings(concept) if system == snomed}
        if not (sex in ("male", "female") and named & set(section[sex])):
            return False
    return entry.get("age") is None or _age_admits(entry.get("age"), birth, on, table)


def _applicable(ranges: Any, sex: str | None, birth: date | None, on: date, table: CodeTable) -> dict[str, Any] | None:
    """The one referenceRange entry that is this patient's range of normal, None when none is sent.

    Of the entries that hold (``_holds``), those for the patient's sex or age are preferred over those
    for anyone. Raises ``Unusable`` (the default range is then used, with a warning) when entries are
    sent and none holds, or when several that hold give different limits: the first entry is never
    taken blindly (a woman's range for a man, a child's for an adult, a therapeutic target for normal)."""
    entries = [e for e in items(ranges) if isinstance(e, dict)]
    if not entries:
        return None
    holding = [e for e in entries if _holds(e, sex, birth, on, table)]
    if not holding:
        raise Unusable(f"none of the {len(entries)} reference ranges is known to be the range of normal of "
                       "this patient")
    specific = [e for e in holding if _qualified(e)] or holding
    limits = {(repr(e.get("low")), repr(e.get("high"))) for e in specific}
    if len(limits) > 1:
        raise Unusable(f"{len(specific)} reference ranges with different limits apply to this patient")
    return specific[0]


def _range(
    resource: Resource, analyte: Analyte, value_unit: Unit, sex: str | None, birth: date | None, on: date,
    table: CodeTable,
) -> tuple[float | None, float | None, str]:
    low = high = None
    entry = _applicable(resource.get("referenceRange"), sex, birth, on, table)
    if entry is not None:
        low = _limit(entry.get("low"), analyte, value_unit)
        high = _limit(entry.get("high"), analyte, value_unit)
        if low is None and high is None and entry.get("text") is not None:
            raise Unusable("reference range given only as text")
    defaults = analyte.default_limits(sex)
    if low is not None and high is not None:
        return _ordered(low, high, "observation", analyte, value_unit)
    if low is None and high is None:
        if defaults is None:
            return None, None, "none"
        return defaults[0], defaults[1], "default"
    if defaults is None:
        return low, high, "observation"
    filled = (low if low is not None else defaults[0], high if high is not None else defaults[1])
    if filled[0] <= filled[1] or filled[1] == 0:
        return filled[0], filled[1], "mixed"
    # the laboratory's one limit lies beyond the default's other side: that default does not belong with it
    # (an inverted range), so the side stays missing and the criteria that need it say so
    return low, high, "observation"


def _ordered(low: float, high: float, source: str, analyte: Analyte, value_unit: Unit) -> tuple[float, float, str]:
    """The laboratory's range, unless its low is above its high (swapped limits): then neither limit can
    be told to be the LLN or the ULN, and grading against it would be a silent wrong grade. Limits that
    meet are the laboratory's, and so is a high of 0, which gives no ULN (a limit of 0 cannot scale a
    criterion: "no upper limit of normal")."""
    if low <= high or high == 0:
        return low, high, source
    factor = value_unit.factor(analyte.units) or 1.0  # said in the unit of the value, as the range was sent
    unit = f" {value_unit.text}" if value_unit.text else ""
    raise Unusable(f"reference range {low / factor:.6g} to {high / factor:.6g}{unit} has its low above its high")


def implausible_reason(number: float, unit: Unit, analyte: Analyte) -> str:
    """Why a result outside the analyte's plausible limits (analytes.toml ``plausible``) is not graded.

    It names the value as reported (at most 15 significant digits) with its unit, and the limits: an
    impossible value (haemoglobin -5 g/dL, platelets 1e308) is a sample or transcription error, never
    a toxicity grade and never a normal result.
    """
    limits = analyte.plausible
    return (f"cannot grade: implausible value {number:.15g} {unit.text or '(no unit)'} "
            f"(plausible {limits.low:g} to {limits.high:g} {limits.unit})")


def map_lab(
    resource: Resource,
    analyte: Analyte,
    loinc: str,
    patient: str,
    sex: str | None,
    aliases: Mapping[str, str],
    table: CodeTable,
    birth: date | None = None,
) -> tuple[LabResult | UngradableLab, str | None]:
    """Map one laboratory Observation already known to name ``analyte``.

    Returns the fact and, when the Observation's own range had to be replaced, a warning.
    """
    ref = ref_of(resource)
    names = ("effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued")
    at, day = effective(resource, *names)
    common = {"ref": ref, "patient": patient, "at": at, "day": day, "time_known": has_time(resource, *names),
              "analyte": analyte.key}
    if "valueQuantity" not in resource:
        absent = "data absent" if "dataAbsentReason" in resource else "no valueQuantity"
        return UngradableLab(**common, reason=f"{absent}: cannot grade"), None
    if value_and_absent_reason(resource):
        return UngradableLab(**common, reason=f"{VALUE_AND_ABSENT_REASON}: cannot grade"), None
    try:
        number, unit = quantity(resource["valueQuantity"])
    except Unusable as exc:
        return UngradableLab(**common, reason=f"{exc}: cannot grade"), None
    factor = unit.factor(analyte.units)
    if factor is None:
        reason = f"unit {unit.text!r} is not convertible to {analyte.canonical_unit}: cannot grade"
        return UngradableLab(**common, reason=reason), None
    if unit.disagrees(analyte.units):
        reason = f"unit code {unit.text!r} and unit text {unit.shown!r} name different units: cannot grade"
        return UngradableLab(**common, reason=reason), None
    if not analyte.plausible.admits(number * factor):
        return UngradableLab(**common, reason=implausible_reason(number, unit, analyte)), None
    try:
        low, high, source = _range(resource, analyte, unit, sex, birth, day, table)
        range_issue = None
    except Unusable as exc:
        defaults = analyte.default_limits(sex)
        low, high = defaults if defaults else (None, None)
        source = "default" if defaults else "none"
        range_issue = str(exc)
    specimen = reference(resource.get("specimen"), aliases)
    result = LabResult(
        **common,
        loinc=loinc,
        value=number * factor,
        unit=analyte.canonical_unit,
        reported_value=number,
        reported_unit=unit.text or "",
        reported_text=number_text(resource["valueQuantity"]),
        low=low,
        high=high,
        range_source=source,
        flag=_interpretation(resource, table),
        specimen=specimen,
    )
    return result, range_issue


NO_WBC = "percent differential without a WBC of the same specimen or time: cannot grade"
OTHER_SPECIMEN = "percent differential: the WBC of the same time is of another specimen: cannot grade"
AMBIGUOUS_WBC = "percent differential with WBCs of different values for the same specimen or time: cannot grade"


def _wbc_of(pct: LabResult, wbcs: list[LabResult]) -> LabResult | str:
    """The one WBC (of the percentage's patient, ``wbcs``) a percentage is a share of, or why there is none.

    A WBC of the same specimen; else one of the same instant whose specimen does not contradict the
    percentage's (a WBC of another specimen is another sample, whatever its time). Two candidates that
    give different counts cannot be told apart (an amended copy without a version, a repeat): the last
    read must not decide an ANC, so none is used. Copies of the same count are one WBC.
    """
    found = _same_sample(pct, wbcs)
    if isinstance(found, str):
        return OTHER_SPECIMEN if found == "other specimen" else NO_WBC
    if found is None:
        return AMBIGUOUS_WBC
    return found


def _same_sample(lab: LabResult, others: list[LabResult]) -> LabResult | Literal["other specimen", "none"] | None:
    """The one result of ``others`` from the sample ``lab`` was measured in: of its specimen; else of the same
    instant, with no specimen that contradicts its own (a result of another specimen is another sample,
    whatever its time). None: candidates of different values, which cannot be told apart (an amended copy
    without a version, a repeat); copies of the same value are one result."""
    candidates = [o for o in others if lab.specimen and o.specimen == lab.specimen]
    if not candidates:
        same_time = [o for o in others if o.at == lab.at]
        candidates = [o for o in same_time if not (lab.specimen and o.specimen)]
        if not candidates:
            return "other specimen" if same_time else "none"
    first = candidates[0]
    if not all(math.isclose(o.value, first.value, rel_tol=1e-9) for o in candidates):
        return None
    return first


def resolve_percentages(
    pending: list[LabResult], wbcs: list[LabResult], table: AnalyteTable
) -> list[LabResult | UngradableLab]:
    """Percent differentials -> absolute counts with the one WBC of the same specimen, else the same time
    (``_wbc_of``); without one, "cannot grade" with the reason."""
    by_patient: dict[str, list[LabResult]] = {}
    for w in wbcs:
        by_patient.setdefault(w.patient, []).append(w)
    out: list[LabResult | UngradableLab] = []
    for pct in pending:
        source = table.analytes[pct.analyte]
        target = table.analytes[source.absolute_analyte or ""]
        wbc = _wbc_of(pct, by_patient.get(pct.patient, []))
        if isinstance(wbc, str):
            out.append(
                UngradableLab(ref=pct.ref, patient=pct.patient, at=pct.at, day=pct.day, time_known=pct.time_known,
                              analyte=target.key, reason=wbc)
            )
            continue
        # ANC (10*9/L) = WBC (10*9/L) x % / 100; its range is the absolute analyte's default.
        limits = target.default_limits(None)
        out.append(
            LabResult(
                ref=pct.ref, patient=pct.patient, at=pct.at, day=pct.day, time_known=pct.time_known,
                analyte=target.key, loinc=pct.loinc, value=wbc.value * pct.value / 100.0, unit=target.canonical_unit,
                reported_value=pct.reported_value, reported_unit=pct.reported_unit,
                low=limits[0] if limits else None, high=limits[1] if limits else None,
                range_source="default" if limits else "none", flag=None, specimen=pct.specimen,
                derived_from=(pct.ref, wbc.ref), derivation="share of the WBC",
            )
        )
    return out


def correct(labs: list[LabResult], table: AnalyteTable) -> list[LabResult]:
    """One patient's results with every result of an analyte graded corrected (analytes.toml
    ``corrected_for``: a total calcium by its albumin) replaced by its corrected value, in the unit it was
    reported in, with the partner it was corrected with (``derived_from``) and how (``notes``); one that
    cannot be corrected is kept as measured and says why. The rest as they are, in their order."""
    out: list[LabResult] = []
    partners: dict[tuple[str, str], list[LabResult]] = {}  # (analyte, patient) -> its results, read once
    for lab in labs:
        correction = table.analytes[lab.analyte].corrected_for
        if correction is None:
            out.append(lab)
            continue
        key = (correction.analyte, lab.patient)
        if key not in partners:
            partners[key] = [p for p in labs if p.analyte == correction.analyte and p.patient == lab.patient]
        out.append(_corrected(lab, correction, partners[key], table))
    return out


def _corrected(lab: LabResult, correction: Correction, partners: list[LabResult], table: AnalyteTable) -> LabResult:
    units = table.analytes[lab.analyte].units
    partner = table.analytes[correction.analyte]
    name = partner.display.lower()
    found = _same_sample(lab, partners)
    if not isinstance(found, LabResult):
        why = {"none": f"no {name} of the same specimen or time",
               "other specimen": f"the {name} of the same time is of another specimen",
               None: f"{name} results of different values for the same specimen or time"}[found]
        return lab.model_copy(update={"derivation": "not corrected", "notes": (
            *lab.notes, f"graded as measured, not corrected for {name} ({why}); CTCAE grades it corrected")})
    amount = correction.amount(found.value, lab.reported_unit, units)
    factor = units.factor(lab.reported_unit)
    if amount is None or factor is None:  # a unit this analyte cannot convert is never graded: left as it is
        return lab
    shown = f"{name} {found.value:g} {partner.canonical_unit} ({found.ref})"
    update: dict[str, Any] = {"derived_from": (lab.ref, found.ref), "derivation": "corrected"}
    if amount == 0.0:
        update["notes"] = (*lab.notes, f"{shown} is not below {correction.reference:g} {partner.canonical_unit}: "
                                       "the corrected value is the total")
    else:
        corrected = signif(lab.reported_value + amount)
        update |= {"reported_value": corrected, "reported_text": None, "value": signif(corrected * factor),
                   "notes": (*lab.notes, f"corrected for {shown}: {lab.reported_value:g} + {amount:.4g} = "
                                         f"{corrected:g} {lab.reported_unit}")}
    return lab.model_copy(update=update)
