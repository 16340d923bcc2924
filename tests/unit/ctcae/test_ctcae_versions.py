"""A CTCAE version is data: a new ``rules/ctcae_v*.toml`` is found, compiled and selectable, no code change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import factories as fx
import pytest

from cds.ctcae import table as ctcae_table
from cds.ctcae.decide import compile_ruleset, grade_timeline, ruleset_name
from cds.engine.durable_adapter import RuleEngine
from cds.mapping import map_collected
from cds.reading import from_objects
from cds.timeline import build_timeline


@pytest.fixture
def rules_with_v6(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """rules/ plus a hypothetical v6 table in which platelets grade 4 below 10 x10^9/L (CTCAE v6.0)."""
    v5 = (ctcae_table.rules_dir() / "ctcae_v5.toml").read_text(encoding="utf-8")
    v6 = v5.replace('version = "5.0"', 'version = "6.0"').replace('rule_prefix = "ctcae5"', 'rule_prefix = "ctcae6"')
    v6 = v6.replace('"ctcae5.', '"ctcae6.').replace(
        '{ rule = "ctcae6.platelet_count_decreased.g4", grade = 4, when = "value < 25.0" }',
        '{ rule = "ctcae6.platelet_count_decreased.g4", grade = 4, when = "value < 10.0" }',
    )
    assert "value < 10.0" in v6
    (tmp_path / "ctcae_v5.toml").write_text(v5, encoding="utf-8")
    (tmp_path / "ctcae_v6.toml").write_text(v6, encoding="utf-8")
    monkeypatch.setattr(ctcae_table, "rules_dir", lambda: tmp_path)
    ctcae_table.table.cache_clear()
    yield tmp_path
    ctcae_table.table.cache_clear()


def test_a_new_version_file_is_found_and_graded_by_its_own_rules(rules_with_v6: Path) -> None:
    assert sorted(ctcae_table.available_versions()) == ["5.0", "6.0"]
    v5, v6 = ctcae_table.table("5.0"), ctcae_table.table("6.0")
    engine = RuleEngine([compile_ruleset(v5), compile_ruleset(v6)])
    assert set(engine.rulesets) == {ruleset_name(v5), ruleset_name(v6)}
    record = map_collected(from_objects([fx.patient(), fx.lab("p", "platelets", 20, "10*3/uL", low=150, high=400)]))
    timeline = build_timeline(record.records["Patient/p1"])
    (g5,) = [g for g in grade_timeline(timeline, v5, engine) if g.term == "Platelet count decreased"]
    (g6,) = [g for g in grade_timeline(timeline, v6, engine) if g.term == "Platelet count decreased"]
    assert (g5.grade, g5.rule, g5.ctcae_version) == (4, "ctcae5.platelet_count_decreased.g4", "5.0")
    assert (g6.grade, g6.rule, g6.ctcae_version) == (3, "ctcae6.platelet_count_decreased.g3", "6.0")


def test_an_unknown_version_is_a_clear_error() -> None:
    with pytest.raises(ctcae_table.ConfigurationError, match=r"no CTCAE table for version '9\.9'"):
        ctcae_table.table("9.9")
