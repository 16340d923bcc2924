"""The RECIST 1.1 baseline assessment, its settings, and the table that drives the rules.

Records are FHIR resources (tests/factories.py) mapped and placed on a timeline as in production;
``cds.recist.decide.assess_responses`` runs with the process's engine and, where a test says so, with one
setting changed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import factories as fx
import pytest
from recist_support import assess, lesion, messages

from cds import bootstrap
from cds.errors import ConfigurationError
from cds.recist.document import best_entry, response_entry
from cds.recist.table import load_table, table

ROOT = Path(__file__).resolve().parents[3]
BASE, LATER = "2024-01-02", "2024-03-04"
Resource = dict[str, Any]


def six_targets() -> list[Resource]:
    out = []
    for i in range(6):
        out += [lesion(f"b{i}", f"T{i}", 20, BASE), lesion(f"f{i}", f"T{i}", 10, LATER)]
    return out


def test_more_than_five_targets_is_ne_by_default_and_summed_on_request() -> None:
    strict = assess(*six_targets())
    assert strict.responses[0].target == "NE"
    assert strict.responses[0].target_rule == "recist11.target.ne_selection"
    assert strict.responses[0].sum_mm is None
    assert any("6 target lesions (at most 5)" in m for m in messages(strict))
    kept = assess(*six_targets(), target_limits="keep")
    assert (kept.responses[0].target, kept.responses[0].sum_mm, kept.baseline_sum_mm) == ("PR", 60.0, 120.0)
    assert any("all are summed as recorded" in m for m in messages(kept))


def three_nodes() -> list[Resource]:
    out = []
    for i in range(3):
        out += [lesion(f"b{i}", f"N{i}", 20, BASE, node=True), lesion(f"f{i}", f"N{i}", 5, LATER, node=True)]
    return out


def test_lymph_nodes_are_one_organ_unless_the_setting_says_otherwise() -> None:
    assert assess(*three_nodes()).responses[0].target == "NE"
    separate = assess(*three_nodes(), lymph_nodes_one_organ=False)
    assert separate.responses[0].target == "CR"
    assert any("organ of 3 target lesions is not known" in m for m in messages(separate))


def test_the_organ_of_other_lesions_is_not_guessed() -> None:
    result = assess(*(lesion(f"b{i}", f"T{i}", 20, BASE) for i in range(3)))
    assert any("was not checked" in m for m in messages(result))
    assert result.responses == ()


def small_target() -> list[Resource]:
    return [lesion("b0", "T0", 40, BASE), lesion("b1", "T1", 8, BASE), lesion("f0", "T0", 0, LATER),
            lesion("f1", "T1", 8, LATER)]


def test_a_non_measurable_target_follows_the_setting() -> None:
    demoted = assess(*small_target())
    assert (demoted.baseline_sum_mm, demoted.responses[0].target, demoted.responses[0].non_target) == (
        40.0, "CR", "non-CR/non-PD")
    kept = assess(*small_target(), non_measurable_target="keep")
    assert (kept.baseline_sum_mm, kept.responses[0].target, kept.responses[0].non_target) == (48.0, "PR", None)
    assert any("kept as recorded" in m for m in messages(kept))


def test_a_baseline_more_than_four_weeks_before_treatment_is_a_warning() -> None:
    early = assess(lesion("b0", "T0", 40, "2023-12-10"), lesion("f0", "T0", 20, LATER))
    assert any("more than 28 days before the first administration" in m for m in messages(early))
    assert early.responses[0].target == "PR"
    on_time = assess(lesion("b0", "T0", 40, "2023-12-11"), lesion("f0", "T0", 20, LATER))
    assert not any("more than 28 days" in m for m in messages(on_time))


def test_without_administration_the_earliest_assessment_is_the_baseline() -> None:
    result = assess(lesion("b0", "T0", 40, BASE), lesion("f0", "T0", 20, LATER), first=None)
    assert result.baseline_day is not None and result.baseline_day.isoformat() == BASE
    assert result.responses[0].target == "PR"
    assert result.best.unconfirmed == "PR"


def test_conflicting_baseline_records_of_a_target_make_the_target_response_ne() -> None:
    result = assess(lesion("b0", "T0", 40, BASE), lesion("b1", "T0", 42, BASE), lesion("f0", "T0", 20, LATER))
    assert result.responses[0].target == "NE"
    assert any("conflicting records at baseline" in m for m in messages(result))


def test_a_new_lesion_at_baseline_is_not_used() -> None:
    result = assess(lesion("b0", "T0", 40, BASE),
                    fx.new_lesion("n0", True, when=f"{BASE}T08:00:00Z"), lesion("f0", "T0", 40, LATER))
    assert result.responses[0].overall == "SD"
    assert any("new lesion is recorded at baseline" in m for m in messages(result))


def test_investigator_responses_before_baseline_are_not_used_and_conflicts_are_ne() -> None:
    result = assess(
        lesion("b0", "T0", 40, BASE),
        fx.timepoint_response("r0", "PR", when=f"{BASE}T08:00:00Z"),
        fx.timepoint_response("r1", "PR", when="2024-03-04T08:00:00Z"),
        fx.timepoint_response("r2", "SD", when="2024-03-04T09:00:00Z"),
    )
    assert [(r.source, r.overall) for r in result.responses] == [("investigator", "NE")]
    assert any("disagree" in m for m in messages(result))
    assert any("not after the baseline" in m for m in messages(result))


def test_document_entries_carry_the_contract_fields_and_their_evidence() -> None:
    result = assess(lesion("b0", "T0", 40, BASE), lesion("b1", "T1", 20, BASE),
                    lesion("f0", "T0", 28, LATER), lesion("f1", "T1", 14, LATER))
    entry = response_entry(result.responses[0])
    assert entry | {"observations": []} == {
        "date": LATER, "target": "PR", "non_target": None, "new_lesions": False, "overall": "PR",
        "sum_mm": 42.0, "change_from_baseline_pct": -30.0, "change_from_nadir_pct": -30.0, "source": "measured",
        "overall_recist": "PR", "sum_complete": True, "baseline_sum_mm": 60.0, "nadir_mm": 60.0,
        "change_from_nadir_mm": -18.0, "observations": [],
        "rules": {"target": "recist11.target.pr", "overall": "recist11.table1.pr"},
    }
    assert entry["observations"] == ["Observation/f0", "Observation/f1"]
    assert best_entry(result.best) == {
        "unconfirmed": "PR", "confirmed": "SD", "unconfirmed_date": LATER, "confirmed_dates": [LATER],
        "confirmation_days": 28, "sd_minimum_days": 42, "non_target_only": False,
    }


def test_the_table_loads_with_every_rule_id_unique_and_tables_1_2_total() -> None:
    recist = table()
    assert recist.version == "1.1"
    assert len(recist.rule_ids) == len(set(recist.rule_ids)) == 28
    # the parts of concerns registered later (dosimetry-...) follow recist's, before the hash
    assert re.fullmatch(r"ctcae-5\.0\+lutathera-[0-9-]+\+recist-1\.1\+(?:[a-z]+-[0-9.-]+\+)*[0-9a-f]+",
                        bootstrap.ruleset_version())


@pytest.mark.parametrize(("old", "new", "error"), [
    ('when = "progressing >= 1"', 'when = "progressing >= one"', "cannot read RECIST condition"),
    ('when = "progressing >= 1"', 'when = "progresing >= 1"', "cannot read RECIST condition"),
    ('target = ["CR"]\nnon_target = ["CR", "none"]', 'target = ["CR"]\nnon_target = ["CR"]',
     "no [[overall]] row covers"),
    ('response = "PR"\ntarget = ["PR"]', 'response = "XX"\ntarget = ["PR"]', "is not one of"),
    ('new_lesions = [true]', 'new_lesions = ["yes"]', "column new_lesions"),
    ('rule = "recist11.target.sd"', 'rule = "recist11.target.pr"', "appears twice"),
])
def test_a_malformed_table_is_refused(tmp_path: Path, old: str, new: str, error: str) -> None:
    text = (ROOT / "rules" / "recist_1_1.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "recist.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=error.replace("[", r"\[")):
        load_table(path)
