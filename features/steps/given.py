"""Given steps: the patient, PRRT cycles, laboratory results, body measures, performance status and
tumour assessments, each built as the FHIR R4 resources of docs/fhir-input-profile.md."""

from __future__ import annotations

from datetime import date

import factories as fx
from pytest_bdd import given, parsers

from steps.chart import PATIENT, Chart, LabEntry
from steps.patterns import DATE, LESION, NUMBER, ON_DATE, SIZE
from steps.vocabulary import ANALYTE_NAMES

DEFAULT_BIRTH_DATE = "1962-05-14"  # a patient step without "born": 61 years old in early 2024


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _as_written(text: str) -> float:
    """A value with the digits the scenario wrote: "70" stays an integer, so the record says 70, not 70.0."""
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _number(text: str | None) -> float | None:
    return None if text is None else float(text)


# --- the CTCAE version ----------------------------------------------------------------------------


@given(parsers.re(r'CTCAE version "(?P<version>[^"]+)"'))
def ctcae_version(chart: Chart, version: str) -> None:
    """Grade the record with rules/ctcae_v<version>.toml (the evaluation's ``ctcae_version``; default 5.0)."""
    chart.ctcae_version = version


# --- the patient ------------------------------------------------------------------------------------


@given(parsers.re(rf"a (?P<sex>female|male) patient(?: born (?P<born>{DATE}))?"))
def patient_of_sex(chart: Chart, sex: str, born: str | None) -> None:
    chart.patient = fx.patient("p1", gender=sex, birth_date=born or DEFAULT_BIRTH_DATE)


@given("a patient of unknown sex")
def patient_of_unknown_sex(chart: Chart) -> None:
    chart.patient = fx.patient("p1", gender="unknown")


# --- PRRT administrations ---------------------------------------------------------------------------


@given(parsers.re(
    rf"PRRT cycle (?P<number>\d+) was given on (?P<day>{DATE})"
    rf"(?: with (?P<activity>{NUMBER}) (?P<unit>GBq|MBq|mCi))?"
))
def prrt_cycle(chart: Chart, number: str, day: str, activity: str | None, unit: str | None) -> None:
    """A completed Procedure (SNOMED 399315003); the activity, when given, in the project extension."""
    cycle = int(number)
    assert cycle not in chart.cycles, f"PRRT cycle {cycle} is given twice"
    chart.cycles[cycle] = date.fromisoformat(day)
    chart.administrations.append(fx.procedure(
        f"prrt-cycle-{cycle}", day, patient=PATIENT, activity=_number(activity), activity_unit=unit or "GBq",
    ))


# --- laboratory results -----------------------------------------------------------------------------

LAB = (
    rf"(?:an? )?(?P<baseline>baseline )?(?P<name>{ANALYTE_NAMES}) of (?P<value>{NUMBER})"
    r"(?: (?!with |on |flagged |and )(?P<unit>\S+))?"
    rf"(?: with a lower limit of (?P<low>{NUMBER}))?"
    rf"(?:(?: and| with) an upper limit of (?P<high>{NUMBER}))?"
    rf"{ON_DATE}"
    r"(?: flagged (?P<flag>high|low|normal))?"
)


@given(parsers.re(LAB))
def lab_result(
    chart: Chart, baseline: str | None, name: str, value: str, unit: str | None, low: str | None,
    high: str | None, day: str | None, flag: str | None,
) -> None:
    """A laboratory Observation; the limits are in the value's unit; no limit: no referenceRange."""
    chart.labs.append(LabEntry(
        oid=chart.next_id("lab"), name=name, value=_as_written(value), unit=unit, low=_number(low),
        high=_number(high), day=_day(day), flag=flag, baseline=baseline is not None,
    ))


@given(parsers.re(rf"(?:an? )?(?P<baseline>baseline )?(?P<name>{ANALYTE_NAMES}) without a value{ON_DATE}"))
def lab_without_value(chart: Chart, baseline: str | None, name: str, day: str | None) -> None:
    """A laboratory Observation with no valueQuantity (e.g. the specimen was haemolysed)."""
    chart.labs.append(LabEntry(
        oid=chart.next_id("lab"), name=name, value=None, unit=None, day=_day(day), baseline=baseline is not None,
    ))


# --- body measures and performance status -----------------------------------------------------------


@given(parsers.re(rf"a body weight of (?P<value>{NUMBER}) (?P<unit>kg|g|lb){ON_DATE}"))
def body_weight(chart: Chart, value: str, unit: str, day: str | None) -> None:
    oid, ucum = chart.next_id("weight"), "[lb_av]" if unit == "lb" else unit
    chart.add(lambda when: fx.body_weight(oid, float(value), ucum, when=when), _day(day))


@given(parsers.re(rf"a (?:body )?height of (?P<value>{NUMBER}) (?P<unit>cm|m){ON_DATE}"))
def body_height(chart: Chart, value: str, unit: str, day: str | None) -> None:
    oid = chart.next_id("height")
    chart.add(lambda when: fx.body_height(oid, float(value), unit, when=when), _day(day))


@given(parsers.re(rf"an ECOG performance status of (?P<score>[0-5]){ON_DATE}"))
def ecog(chart: Chart, score: str, day: str | None) -> None:
    oid = chart.next_id("ecog")
    chart.add(lambda when: fx.ecog(oid, int(score), when=when), _day(day))


@given(parsers.re(rf"a Karnofsky performance status of (?P<score>\d+){ON_DATE}"))
def karnofsky(chart: Chart, score: str, day: str | None) -> None:
    oid = chart.next_id("kps")
    chart.add(lambda when: fx.karnofsky(oid, int(score), when=when), _day(day))


# --- tumour assessments (RECIST 1.1) ----------------------------------------------------------------



@given(parsers.re(rf"an? (?P<role>target|non-target) lesion {LESION} measuring {SIZE} on (?P<day>{DATE})"))
def lesion_measurement(chart: Chart, role: str, lesion: str, site: str, size: str, unit: str, day: str) -> None:
    """A TumorSize Observation (LOINC 21889-1, longest diameter in component 33728-7)."""
    focus = chart.lesion_site(lesion, site)
    oid = chart.next_id("lesion")
    chart.add(lambda when: fx.lesion(oid, float(size), unit, focus=focus, role=role, when=when), _day(day))


@given(parsers.re(
    rf"an? (?P<role>target|non-target) lymph node {LESION} with a short axis of {SIZE} on (?P<day>{DATE})"
))
def lymph_node_measurement(chart: Chart, role: str, lesion: str, site: str, size: str, unit: str, day: str) -> None:
    """A lymph node: the lymph-node component is true and the size is the short axis."""
    focus = chart.lesion_site(lesion, site)
    oid = chart.next_id("lesion")
    chart.add(
        lambda when: fx.lesion(oid, float(size), unit, focus=focus, role=role, lymph_node=True, when=when),
        _day(day),
    )


NON_TARGET_STATUS = {"present": "present", "absent": "absent", "unequivocally progressing": "unequivocal-progression"}


@given(parsers.re(
    rf"a non-target lesion {LESION} (?:is )?(?P<status>present|absent|unequivocally progressing) on (?P<day>{DATE})"
))
def non_target_status(chart: Chart, lesion: str, site: str, status: str, day: str) -> None:
    focus = chart.lesion_site(lesion, site)
    oid = chart.next_id("nontarget")
    chart.add(lambda when: fx.non_target_status(oid, NON_TARGET_STATUS[status], focus, when=when), _day(day))


@given(parsers.re(rf"a new lesion(?: {LESION})? on (?P<day>{DATE})"))
def new_lesion(chart: Chart, lesion: str | None, site: str | None, day: str) -> None:
    """A new-lesion Observation (urn:prrt-cds:recist#new-lesion, valueBoolean true)."""
    focus = chart.lesion_site(lesion, site or "unspecified") if lesion is not None else None
    oid = chart.next_id("new")
    chart.add(lambda when: fx.new_lesion(oid, True, focus, when=when), _day(day))
