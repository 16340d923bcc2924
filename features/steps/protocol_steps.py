"""Steps of the protocol checks before a cycle (features/protocol/*.feature): somatostatin analogues,
pregnancy status and tests, the amino-acid solution, and ``protocol_checks`` on the alert of the next
cycle due (docs/outputs.md). Potassium results use the laboratory steps of ``steps.given``.

A medication is named as the record writes it ("octreotide LAR 30 mg"): whether it is a somatostatin
analogue, long- or short-acting, or the amino acids, is the mapping's reading of that text
(fhir_mappings/treatment_context.toml). Times are wall-clock times as written (UTC).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import factories as fx
import hooks_support as hs
import pytest
from pytest_bdd import given, parsers, then, when

from cds.document import to_text
from cds.hooks.cards.protocol_card import PROTOCOL_EXTENSION
from cds.protocol import table as protocol_table
from steps.chart import PATIENT, Chart, Outcome
from steps.hooks_steps import HookOutcome, call_service
from steps.patterns import DATE

MOMENT = rf"(?P<when>{DATE}(?:T\d{{2}}:\d{{2}})?)"
RECORD = {"given": "MedicationAdministration", "taken": "MedicationStatement", "ordered": "MedicationRequest"}
CHECK = r'"(?P<check>ssa-long-acting|ssa-short-acting|pregnancy|amino-acids|potassium|kidney-dose)"'


def _when(moment: str) -> str:
    """A date as written, or a date and time as a UTC dateTime."""
    return f"{moment}:00Z" if "T" in moment else moment


# --- Given: medications ---------------------------------------------------------------------------


@given(parsers.re(rf'"(?P<text>[^"]+)" was (?P<how>given|taken|ordered) on {MOMENT}'
                  r'(?: with status "(?P<status>[^"]*)")?(?: as (?P<volume>\d+) mL)?$'))
def medication_on(chart: Chart, text: str, how: str, when: str, status: str | None, volume: str | None) -> None:
    """A MedicationAdministration (given, effectiveDateTime), MedicationStatement (taken) or
    MedicationRequest (ordered, authoredOn) of that medication; a status "" leaves it out."""
    resource = fx.medication_record(chart.next_id("med"), RECORD[how], text, _when(when), patient=PATIENT,
                                    status=status, volume_ml=float(volume) if volume else None)
    chart.add(lambda _: resource, None)


@given(parsers.re(rf'"(?P<text>[^"]+)" is taken since (?P<when>{DATE})$'))
def medication_ongoing(chart: Chart, text: str, when: str) -> None:
    """An active MedicationStatement whose effectivePeriod has a start and no end (still taken)."""
    resource = fx.medication_record(chart.next_id("med"), "MedicationStatement", text, when, patient=PATIENT,
                                    status="active", timing="period-open")
    chart.add(lambda _: resource, None)


@given(parsers.re(r'"(?P<text>[^"]+)" was (?P<how>given|taken|ordered) without a date$'))
def medication_undated(chart: Chart, text: str, how: str) -> None:
    resource = fx.medication_record(chart.next_id("med"), RECORD[how], text, None, patient=PATIENT)
    chart.add(lambda _: resource, None)


# --- Given: pregnancy -----------------------------------------------------------------------------

ANSWERS = {"pregnant": fx.PREGNANT, "not pregnant": fx.NOT_PREGNANT, "positive": fx.POSITIVE,
           "negative": fx.NEGATIVE}


@given(parsers.re(rf'a pregnancy status "(?P<answer>pregnant|not pregnant)" on (?P<day>{DATE})'))
def pregnancy_status(chart: Chart, answer: str, day: str) -> None:
    oid = chart.next_id("preg")
    chart.add(lambda when: fx.pregnancy_observation(oid, fx.PREGNANCY_STATUS, ANSWERS[answer], when=when),
              _day(day))


@given(parsers.re(rf'an? (?P<specimen>urine|serum) hCG test "(?P<answer>positive|negative)" on (?P<day>{DATE})'))
def hcg_test(chart: Chart, specimen: str, answer: str, day: str) -> None:
    oid, loinc = chart.next_id("preg"), fx.URINE_HCG if specimen == "urine" else fx.SERUM_HCG
    chart.add(lambda when: fx.pregnancy_observation(oid, loinc, ANSWERS[answer], when=when), _day(day))


@given(parsers.re(rf"a serum beta-hCG of (?P<value>\d+(?:\.\d+)?) IU/L on (?P<day>{DATE})"))
def beta_hcg(chart: Chart, value: str, day: str) -> None:
    oid = chart.next_id("preg")
    chart.add(lambda when: fx.pregnancy_observation(oid, fx.SERUM_BETA_HCG, value=float(value), when=when),
              _day(day))


@given(parsers.re(rf'a pregnancy status answered "(?P<code>[^"]+)" on (?P<day>{DATE})'))
def pregnancy_status_code(chart: Chart, code: str, day: str) -> None:
    """A pregnancy status whose answer is the SNOMED CT code given (e.g. 102874004 Possible pregnancy)."""
    oid = chart.next_id("preg")
    chart.add(lambda when: fx.pregnancy_observation(oid, fx.PREGNANCY_STATUS, code, when=when), _day(day))


@given(parsers.re(rf"a patient of unknown sex born (?P<born>{DATE})"))
def unknown_sex_born(chart: Chart, born: str) -> None:
    chart.patient = fx.patient("p1", gender="unknown", birth_date=born)


@given("a female patient without a birth date")
def female_without_birth_date(chart: Chart) -> None:
    chart.patient = fx.patient("p1", gender="female", birth_date=None)


def _day(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


@given(parsers.re(r'the site lists SNOMED CT "(?P<code>\d+)" as a Condition meaning the patient cannot be pregnant'))
def site_lists_exclusion(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    """fhir_mappings/treatment_context.toml ``cannot_be_pregnant_snomed`` as a site would set it."""
    import cds.mapping
    from cds.mapping.treatment import treatment_codes

    changed = replace(treatment_codes(), cannot_be_pregnant=frozenset({code}))
    monkeypatch.setattr(cds.mapping, "treatment_codes", lambda: changed)


@given(parsers.re(r'an? (?P<status>active|resolved) Condition coded SNOMED CT "(?P<code>\d+)"'
                  r'(?P<refuted> that is refuted)?'))
def coded_condition(chart: Chart, status: str, code: str, refuted: str | None) -> None:
    cid = chart.next_id("condition")
    resource = fx.condition(cid, code, clinical_status=status, patient=PATIENT,
                            verification="refuted" if refuted else None)
    chart.add(lambda _: resource, None)


# --- Given: site settings -------------------------------------------------------------------------


@given(parsers.re(r"the site setting (?P<name>[a-z_]+) is (?P<value>\d+)"))
def site_setting(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    """A setting of rules/protocol_checks.toml as a site would set it (one the checks read from the
    table when they run, not a threshold compiled into the engine's rules)."""
    loaded = protocol_table.table()
    assert name in ("no_ssa_reads_ok", "pregnancy_every_cycle", "cycle_hour"), f"{name} is compiled into the rules"
    changed = replace(loaded, settings={**loaded.settings, name: float(value)})
    monkeypatch.setattr(protocol_table, "table", lambda: changed)


# --- Then -----------------------------------------------------------------------------------------


def _next_alert(outcome: Outcome, cycle: int) -> dict[str, Any]:
    alerts = [a for a in outcome.patient["alerts"] if a["cycle"] == cycle and not a["given"]]
    assert alerts, f"cycle {cycle} is not the next cycle due: {[a['cycle'] for a in outcome.patient['alerts']]}"
    return alerts[0]


def _check(outcome: Outcome, cycle: int, check: str) -> dict[str, Any]:
    alert = _next_alert(outcome, cycle)
    assert "protocol_checks" in alert, f"no protocol_checks on cycle {cycle}: {json.dumps(alert, indent=1)}"
    found = [c for c in alert["protocol_checks"] if c["check"] == check]
    assert len(found) == 1, f"expected one {check} check: {json.dumps(alert['protocol_checks'], indent=1)}"
    return found[0]


@then(parsers.re(rf'the protocol check {CHECK} before cycle (?P<cycle>\d+) is "(?P<status>ok|warning|unknown)"'
                 r' by rule "(?P<rule>[^"]+)"'))
def check_is(outcome: Outcome, check: str, cycle: str, status: str, rule: str) -> None:
    entry = _check(outcome, int(cycle), check)
    assert (entry["status"], entry["rule"]) == (status, rule), json.dumps(entry, indent=1)
    assert entry["source"] and entry["verification"], json.dumps(entry, indent=1)


@then(parsers.re(rf'the protocol check {CHECK} before cycle (?P<cycle>\d+) says "(?P<words>[^"]+)"'))
def check_says(outcome: Outcome, check: str, cycle: str, words: str) -> None:
    entry = _check(outcome, int(cycle), check)
    assert words in entry["text"], json.dumps(entry, indent=1)


@then(parsers.re(rf'the protocol check {CHECK} before cycle (?P<cycle>\d+) cites "(?P<ref>[^"]+)"'))
def check_cites(outcome: Outcome, check: str, cycle: str, ref: str) -> None:
    entry = _check(outcome, int(cycle), check)
    assert any(e.startswith(ref) for e in entry["evidence"]), json.dumps(entry, indent=1)


@then(parsers.re(rf'the protocol check {CHECK} before cycle (?P<cycle>\d+) cites (?P<count>\d+) records'))
def check_cites_count(outcome: Outcome, check: str, cycle: str, count: str) -> None:
    entry = _check(outcome, int(cycle), check)
    assert len(entry["evidence"]) == int(count), json.dumps(entry, indent=1)


@then(parsers.re(rf'the protocol check {CHECK} before cycle (?P<cycle>\d+) (?P<stops>stops|does not stop) the cycle'))
def check_stops(outcome: Outcome, check: str, cycle: str, stops: str) -> None:
    entry = _check(outcome, int(cycle), check)
    assert entry.get("stops_cycle", False) is (stops == "stops"), json.dumps(entry, indent=1)


@then(parsers.re(r"the protocol checks before cycle (?P<cycle>\d+) are listed in the order (?P<order>.+)"))
def checks_in_order(outcome: Outcome, cycle: str, order: str) -> None:
    alert = _next_alert(outcome, int(cycle))
    assert [c["check"] for c in alert["protocol_checks"]] == [o.strip() for o in order.split(",")]


@then("no alert carries protocol checks")
def no_protocol_checks(outcome: Outcome) -> None:
    assert not any("protocol_checks" in a for a in outcome.patient["alerts"]), outcome.patient["alerts"]


@then(parsers.re(rf'the text output lists the protocol check {CHECK} as "(?P<status>ok|warning|unknown)"'))
def text_lists(outcome: Outcome, check: str, status: str) -> None:
    text = to_text(outcome.evaluation)
    assert any(line.strip().startswith(f"{status}") and f" {check}: " in line for line in text.splitlines()), text


# --- the order hooks (steps.hooks_steps calls the service) ----------------------------------------


@when(parsers.re(rf"a Lutathera order of (?P<gbq>\d+(?:\.\d+)?) GBq is signed on (?P<day>{DATE}) "
                 r"(?P<amino>without an amino-acid order|with an amino-acid order of (?P<volume>\d+) mL)"
                 r'(?: whose (?P<element>status|intent|doNotPerform) is "(?P<value>[^"]+)")?'),
      target_fixture="hook_outcome")
def order_signed_with_or_without_amino_acids(chart: Chart, gbq: str, day: str, amino: str, volume: str | None,
                                             element: str | None, value: str | None) -> HookOutcome:
    """order-sign with a Lutathera MedicationRequest and, or not, the cycle's amino-acid order (LysaKare),
    its ``status``, ``intent`` or ``doNotPerform`` (true, false) as given."""
    pid = PATIENT.split("/")[1]
    orders = [hs.medication_request("lutathera-order", pid, float(gbq))]
    if volume is not None:
        amino_acids = hs.amino_acids("amino-acid-order", pid, float(volume))
        if element is not None:
            amino_acids[element] = value == "true" if element == "doNotPerform" else value
        orders.append(amino_acids)
    return call_service(chart, "order-sign", day, orders, with_amino_acids=False)


def _card_check(card: dict[str, Any], check: str) -> dict[str, Any]:
    found = card["extension"][PROTOCOL_EXTENSION]["protocol_checks"]
    entries = [c for c in found if c["check"] == check]
    assert len(entries) == 1, json.dumps(found, indent=1)
    return entries[0]


@then(parsers.re(rf'the card lists the protocol check {CHECK} as "(?P<status>ok|warning|unknown)" by rule '
                 r'"(?P<rule>[^"]+)"'))
def card_lists_check(hook_outcome: HookOutcome, check: str, status: str, rule: str) -> None:
    entry = _card_check(hook_outcome.card, check)
    assert (entry["status"], entry["rule"]) == (status, rule), json.dumps(entry, indent=1)


@then("the suggested amino-acid order is the site's order for this patient")
def suggested_amino_acid_order(hook_outcome: HookOutcome) -> None:
    actions = [a for s in hook_outcome.card.get("suggestions", []) for a in s["actions"] if a["type"] == "create"]
    assert len(actions) == 1, hook_outcome.card.get("suggestions")
    created = actions[0]["resource"]
    template = protocol_table.table().amino_acid_order
    assert created["resourceType"] == "MedicationRequest" and created["status"] == "draft"
    assert created["medicationCodeableConcept"] == template["medicationCodeableConcept"]
    assert created["subject"] == {"reference": PATIENT}


@then("no suggestion changes the amino-acid order")
def amino_acid_order_untouched(hook_outcome: HookOutcome) -> None:
    for card in hook_outcome.cards:
        for suggestion in card.get("suggestions", []):
            for action in suggestion["actions"]:
                assert action.get("resourceId") != "MedicationRequest/amino-acid-order", action
                assert (action.get("resource") or {}).get("id") != "amino-acid-order", action
