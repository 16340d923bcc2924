"""rules/kidney_dosimetry.toml as read by cds/dosimetry/table.py: every row's source and status, the
limits as site settings, what a malformed table is refused for, and a site's bone marrow limit."""

from __future__ import annotations

from pathlib import Path

import factories as fx
import pytest

from cds.dosimetry import decide
from cds.dosimetry.table import BONE_MARROW_RULE, load_table, table
from cds.engine.reference import ReferenceEngine
from cds.errors import ConfigurationError
from cds.mapping import map_collected
from cds.reading import from_objects
from cds.rulebook.files import rules_dir
from cds.timeline import build_timeline

TABLE = rules_dir() / "kidney_dosimetry.toml"


def test_the_installed_table() -> None:
    dosimetry = table()
    assert (dosimetry.alpha_beta_gy, dosimetry.t_rep_h, dosimetry.activity_step_gbq) == (2.6, 2.8, 0.1)
    assert dosimetry.limits == {"kidney_bed_risk_factors_gy": 28.0, "kidney_bed_gy": 40.0, "kidney_absorbed_gy": 23.0}
    assert dosimetry.bone_marrow_limit_gy is None and dosimetry.bone_marrow_reference_status == "unverified"
    for row in dosimetry.rows:
        assert row.source and row.status, row.rule
        assert row.status.startswith(("verified", "corroborated", "unverified")), row.rule
    by_rule = {row.rule: row for row in dosimetry.rows}
    assert by_rule["dosimetry.kidney.bed_risk_factors"].risk_factor is True
    assert by_rule["dosimetry.kidney.bed"].risk_factor is False
    assert by_rule["dosimetry.kidney.absorbed"].risk_factor is None
    assert all(not row.inclusive_over for row in dosimetry.rows)  # a dose at the limit is within it
    assert "28 Gy" in by_rule["dosimetry.kidney.bed_risk_factors"].text  # the text takes the setting


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = TABLE.read_text()
    assert old in text
    path = tmp_path / "kidney_dosimetry.toml"
    path.write_text(text.replace(old, new, 1))
    return path


ABSORBED = 'when = "absorbed_gy > kidney_absorbed_gy"'


@pytest.mark.parametrize(("old", "new", "message"), [
    (ABSORBED, 'when = "absorbed_gy > kidney_absorbed_mgy"', "is not a setting"),
    (ABSORBED, 'when = "absorbed_gy < kidney_absorbed_gy"', "operator < not allowed"),
    (ABSORBED, 'when = "absorbed_gy > 23"', "does not allow the number form"),
    (ABSORBED, 'when = "absorbed_gy > kidney_absorbed_gy and bed_gy > kidney_bed_gy"', "exactly one quantity"),
    ('when = "not risk_factor and bed_gy > kidney_bed_gy"', 'when = "risk_factor == 1 and bed_gy > kidney_bed_gy"',
     "cannot read"),
    ("kidney_absorbed_gy = 23.0", "kidney_absorbed_gy = -23.0", "must be a finite number above 0"),
    ("activity_step_gbq = 0.1", "activity_step_gbq = 0", "must be a finite number above 0"),
    ("kinetics_cycle = 0", "kinetics_cycle = -1", "kinetics_cycle must be 0"),
    ('rule = "dosimetry.kidney.bed"', 'rule = "dosimetry.kidney.absorbed"', "appears twice"),
    ('rule = "dosimetry.kidney.bed"', 'rule = "kidney.bed"', "does not start with dosimetry."),
    ("{kidney_bed_gy} Gy", "{kidney_bed_mgy} Gy", "names no number of [settings]"),
])
def test_a_malformed_table_is_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_table(_edited(tmp_path, old, new))


def test_a_site_bone_marrow_limit_is_a_limit_like_the_others(tmp_path: Path) -> None:
    """Bone marrow 0.8 Gy after cycle 1 (7.4 GBq: 0.8 / 7.4 = 0.10811 Gy/GBq); a site limit of 1.5 Gy
    leaves 0.7 Gy: 0.7 / 0.10811 = 6.475 GBq -> 6.4 GBq, set by the bone marrow; the planned 7.4 GBq
    would give 1.6 Gy (exceeded, projected). The kidney (4 Gy, T_eff 50 h) allows far more."""
    site = load_table(_edited(tmp_path, "# bone_marrow_absorbed_gy = 2.0", "bone_marrow_absorbed_gy = 1.5"))
    assert site.bone_marrow_limit_gy == 1.5 and site.rule_ids[-1] == BONE_MARROW_RULE
    engine = ReferenceEngine(decide.compile_rulesets(site))
    resources = [fx.patient(), fx.procedure("c1", "2024-01-08"),
                 fx.dosimetry("d1", 4, half_life=50, part_of="Procedure/c1"),
                 fx.dosimetry("m1", 0.8, organ="bone-marrow-absorbed-dose", part_of="Procedure/c1")]
    timeline = build_timeline(map_collected(from_objects(resources)).records["Patient/p1"])
    result = decide.assess(timeline, (), 7.4, site, engine)
    assert result is not None and result.next is not None
    assert {limit.key: limit.value_gy for limit in result.limits}["bone_marrow_absorbed_gy"] == 1.5
    assert result.next.max_activity_gbq == 6.4 and result.next.binding_limit == "bone_marrow_absorbed_gy"
    assert [(f.rule, f.scope) for f in result.findings] == [(BONE_MARROW_RULE, "projected")]
    assert result.bone_marrow is not None and result.bone_marrow.limit_gy == 1.5


def test_without_a_site_limit_bone_marrow_never_sets_the_activity() -> None:
    engine = ReferenceEngine(decide.compile_rulesets(table()))
    resources = [fx.patient(), fx.procedure("c1", "2024-01-08"),
                 fx.dosimetry("d1", 4, half_life=50, part_of="Procedure/c1"),
                 fx.dosimetry("m1", 5, organ="bone-marrow-absorbed-dose", part_of="Procedure/c1")]
    timeline = build_timeline(map_collected(from_objects(resources)).records["Patient/p1"])
    result = decide.assess(timeline, (), 7.4, table(), engine)
    assert result is not None and result.next is not None
    assert result.next.max_activity_gbq == 7.4 and result.findings == ()
