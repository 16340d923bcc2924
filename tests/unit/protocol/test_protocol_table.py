"""rules/protocol_checks.toml: what the loader accepts and refuses, the link to the CTCAE table, and the
decision when no rule holds (never "ok")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from cds.ctcae.table import table as ctcae_table
from cds.engine.reference import ReferenceEngine
from cds.errors import ConfigurationError
from cds.protocol.decide import compile_rulesets, decide
from cds.protocol.prepare import KIND, CheckFact, Prepared, cycle_start
from cds.protocol.table import CHECKS, check_links, load_table, table

SHIPPED = Path(__file__).resolve().parents[3] / "rules" / "protocol_checks.toml"


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "protocol_checks.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_shipped_table_has_every_check_with_sources_and_statuses() -> None:
    loaded = table()
    assert tuple(loaded.rules) == CHECKS
    for check in CHECKS:
        rules = loaded.rules[check]
        assert rules, check
        assert [r.priority for r in rules] == sorted(r.priority for r in rules)
        for rule in rules:
            assert rule.rule.startswith("protocol.") and rule.source and rule.status
            assert "{" not in rule.source and "{" not in rule.status
            assert "S1" not in rule.source  # source keys written out in full
    assert loaded.setting("long_acting_min_days") == 28 and loaded.setting("short_acting_min_hours") == 24


def test_only_a_positive_pregnancy_test_stops_the_cycle() -> None:
    stopping = [r.rule for check in table().rules.values() for r in check if r.stops_cycle]
    assert stopping == ["protocol.pregnancy.pregnant"]
    assert table().card_when_unknown == {"pregnancy"}


def test_texts_take_their_numbers_from_the_settings() -> None:
    too_recent = next(r for r in table().rules["ssa-long-acting"] if r.rule == "protocol.ssa_long_acting.too_recent")
    assert "at least 28 days (4 weeks)" in too_recent.text and "{days}" in too_recent.text


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('when = "recorded and days < long_acting_min_days"', 'when = "recorded and hours < 24"',
         "unknown name 'hours'"),
        ('when = "recorded and days < long_acting_min_days"', 'when = "recorded == 1 and days < 28"',
         "protocol.ssa_long_acting.too_recent"),
        ('when = "recorded and days < long_acting_min_days"', 'when = "recorded and days < lar_days"',
         "'lar_days' is not a setting"),
        ('outcome = "warning"', 'outcome = "critical"', "outcome 'critical' is not one of ok, warning, unknown"),
        ("priority = 2\n", "priority = 1\n", "have the same priority 1"),
        ('text = "long-acting somatostatin analogue on {date}', 'text = "long-acting somatostatin analogue on {when}',
         "placeholder {when} names no number"),
        ('source = "S1 and S3, section 2 (Dosage and Administration)"',
         'source = "S1 and S99, section 2 (Dosage and Administration)"',
         "sources S99 are not listed"),
        ("no_ssa_reads_ok = 0 ", "no_ssa_reads_ok = 2 ", "no_ssa_reads_ok must be 0 or 1"),
        ("cycle_hour = 0 ", "cycle_hour = 24 ", "cycle_hour must be an hour"),
        ("[checks.potassium]", "[checks.kalium]", "[checks] must be exactly"),
        ('rule = "protocol.potassium.normal"', 'rule = "protocol.potassium.high"', "a rule id appears twice"),
        ("stops_cycle = true\n", "stops_cycle = 1\n", "stops_cycle must be true or false"),
        ("card_when_unknown = true\n", "card_when_unknown = 1\n", "card_when_unknown must be true or false"),
        ('outcome = "warning"\ntext = "{test} on {date} says pregnant',
         'outcome = "unknown"\ntext = "{test} on {date} says pregnant', "true only on a warning"),
    ],
)
def test_a_malformed_table_is_refused_naming_the_file(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=r"protocol_checks\.toml") as caught:
        load_table(edited(tmp_path, old, new))
    assert message in str(caught.value)


def test_the_potassium_term_is_a_link_into_the_ctcae_table_in_force(tmp_path: Path) -> None:
    for version in ("5.0", "6.0"):
        check_links(table(), ctcae_table(version))
    unknown = load_table(edited(tmp_path, 'ctcae_term = "Hyperkalemia"', 'ctcae_term = "Hyperkalaemia"'))
    with pytest.raises(ConfigurationError, match=r"'Hyperkalaemia', which is not in the CTCAE v5\.0 table"):
        check_links(unknown, ctcae_table("5.0"))
    other = load_table(edited(tmp_path, 'ctcae_term = "Hyperkalemia"', 'ctcae_term = "Hypokalemia"'))
    check_links(other, ctcae_table("5.0"))  # a potassium term: accepted
    sodium = load_table(edited(tmp_path, 'ctcae_term = "Hyperkalemia"', 'ctcae_term = "Hypernatremia"'))
    with pytest.raises(ConfigurationError, match="grades 'sodium', not potassium"):
        check_links(sodium, ctcae_table("5.0"))


def test_a_check_no_rule_decides_is_unknown_never_ok() -> None:
    """A table whose rules leave a case open: the check reads "unknown" with the rule protocol.undecided."""
    loaded = table()
    narrow = replace(loaded, rules={**loaded.rules, "potassium": tuple(
        r for r in loaded.rules["potassium"] if r.rule == "protocol.potassium.high")})
    engine = ReferenceEngine(compile_rulesets(narrow))
    fact = CheckFact(id="potassium", kind=KIND, check="potassium", recorded=1.0, graded=1.0, grade=0.0)
    (check,) = decide({"potassium": Prepared(fact=fact, evidence=("Observation/k1",))}, narrow, engine)
    assert (check.status, check.rule, check.evidence) == ("unknown", "protocol.undecided", ("Observation/k1",))


def test_the_cycle_starts_at_the_setting_hour() -> None:
    assert cycle_start(date(2024, 4, 29), table()).isoformat() == "2024-04-29T00:00:00"
    later = replace(table(), settings={**table().settings, "cycle_hour": 8.0})
    assert cycle_start(date(2024, 4, 29), later).hour == 8
