"""The rule tables refer to each other by checked identity.

The dose table's classes and exemption name CTCAE terms; every name is checked against the selected
CTCAE table when the tables load, and a broken link stops the CLI and the service with a message
naming the table, the class and the term (rules/lutathera_dose.toml). The ruleset version hashes
fhir_mappings/ too.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import factories as fx
import hooks_support as hs
import pytest
from typer.testing import CliRunner

from cds import bootstrap
from cds.cli import app
from cds.ctcae import table as ctcae_table
from cds.ctcae.decide import compile_ruleset, grade_timeline
from cds.dose import table as dose_table
from cds.dose.decide import compile_rulesets as dose_rulesets
from cds.dose.decide import dose_alerts
from cds.engine.durable_adapter import RuleEngine
from cds.errors import ConfigurationError
from cds.mapping import map_collected
from cds.reading import from_objects
from cds.rulebook import files as data_files
from cds.timeline import build_timeline

V5 = ctcae_table.rules_dir() / "ctcae_v5.toml"
DOSE = dose_table.rules_dir() / "lutathera_dose.toml"
RENAMED = "Platelet count decreased", "Thrombocytopenia"  # as CTCAE v6.0 names it


def _clear() -> None:
    ctcae_table.table.cache_clear()
    dose_table.table.cache_clear()
    bootstrap.ruleset_version.cache_clear()


@pytest.fixture
def rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of rules/ the tests may edit, in place of the installed one."""
    folder = tmp_path / "rules"
    shutil.copytree(V5.parent, folder)
    monkeypatch.setattr(ctcae_table, "rules_dir", lambda: folder)
    monkeypatch.setattr(dose_table, "rules_dir", lambda: folder)
    _clear()
    yield folder
    _clear()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _rename_platelets(folder: Path, version: str = "5.0") -> None:
    """A CTCAE table in which "Platelet count decreased" is "Thrombocytopenia" (CTCAE v6.0's name)."""
    path = folder / "ctcae_v5.toml"
    _edit(path, f'name = "{RENAMED[0]}"', f'name = "{RENAMED[1]}"')
    if version != "5.0":
        _edit(path, 'version = "5.0"', f'version = "{version}"')
        path.rename(folder / f"ctcae_v{version[0]}.toml")


def _without_shipped_v6_entry(folder: Path) -> None:
    """The dose table without its [ctcae_versions."6.0"] entry, as before a v6.0 table was shipped."""
    path = folder / "lutathera_dose.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('[ctcae_versions."6.0"]\n')
    path.write_text(text[:start] + text[text.index("\n\n", start) + 2:], encoding="utf-8")


PLATELETS_60 = [fx.patient(), fx.procedure("c1", "2024-01-08"),
                fx.lab("p", "platelets", 60, "10*9/L", low=150, high=400, when="2024-02-26T08:00:00Z")]


def test_the_shipped_tables_link_every_term() -> None:
    links = dose_table.term_classes(dose_table.table(), ctcae_table.table("5.0"))
    assert set(links) == {t.name for t in ctcae_table.table("5.0").terms}
    assert links["Platelet count decreased"] == "thrombocytopenia"
    assert links["Hypermagnesemia"] == "other"
    assert links["Lymphocyte count decreased"] is None  # exempt
    assert links["Blood lactate dehydrogenase increased"] is None  # grade 1 at most: no class acts on it


def test_an_unknown_term_is_an_error_never_other() -> None:
    with pytest.raises(ConfigurationError, match=r"'Thrombocytopenia' is not a term of the CTCAE v5\.0 table"):
        dose_table.table().class_of("Thrombocytopenia")


def test_a_renamed_ctcae_term_stops_loading_instead_of_turning_withhold_into_proceed(rules: Path) -> None:
    """Before: "Thrombocytopenia" fell into "other" (grade 2 < 3) and platelets of 60 x10^9/L went from
    withhold to proceed. Now the tables refuse to load, naming the table, the class and the term."""
    _rename_platelets(rules)
    message = (r"lutathera_dose.toml: class 'thrombocytopenia' names the CTCAE term 'Platelet count decreased', "
               r"which is not in the CTCAE v5.0 table \(ctcae_v5.toml\)")
    with pytest.raises(ConfigurationError, match=message):
        bootstrap.check_tables("5.0")
    with pytest.raises(ConfigurationError, match=message):
        bootstrap.ruleset_version("5.0")


def test_the_cli_stops_with_the_message_and_exit_code_2(rules: Path, tmp_path: Path) -> None:
    _rename_platelets(rules)
    bundle = tmp_path / "patient.json"
    bundle.write_text(json.dumps(fx.bundle(PLATELETS_60)), encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(bundle)])
    assert result.exit_code == 2, result.output
    assert "class 'thrombocytopenia' names the CTCAE term 'Platelet count decreased'" in result.stderr
    assert "Traceback" not in result.output
    report = CliRunner().invoke(app, ["report", str(bundle), "--out", str(tmp_path / "out")])
    assert report.exit_code == 2, report.output
    assert "class 'thrombocytopenia'" in report.stderr


def test_the_service_does_not_start_on_tables_that_disagree(rules: Path, tmp_path: Path) -> None:
    from cds.hooks.app import create_app
    from cds.hooks.runtime.serve import check

    _rename_platelets(rules)
    settings = hs.service_settings(tmp_path)
    with pytest.raises(ConfigurationError, match="class 'thrombocytopenia'"):
        check(settings, 1)
    with pytest.raises(ConfigurationError, match="class 'thrombocytopenia'"):
        create_app(settings)


def _alerts_with(rules: Path, version: str) -> tuple[str, list[str]]:
    """Platelets of 60 x10^9/L before cycle 2, graded and advised with the tables in ``rules``."""
    ctcae, dose = ctcae_table.table(version), dose_table.table()
    engine = RuleEngine([compile_ruleset(ctcae), *dose_rulesets(dose)])
    timeline = build_timeline(map_collected(from_objects(PLATELETS_60)).records["Patient/p1"])
    grades = grade_timeline(timeline, ctcae, engine)
    alerts = dose_alerts(timeline, grades, date(2024, 3, 4), dose, engine)
    (alert,) = [a for a in alerts if a.cycle == 2]
    return alert.action, [r.rule for r in alert.reasons]


def test_another_ctcae_version_maps_its_names_as_data(rules: Path) -> None:
    """A v6.0 table naming platelets "Thrombocytopenia" links through the dose table's ctcae_versions
    entry, and platelets of 60 x10^9/L still withhold the cycle."""
    _without_shipped_v6_entry(rules)
    _rename_platelets(rules, "6.0")
    shutil.copy(V5, rules / "ctcae_v5.toml")
    with pytest.raises(ConfigurationError, match="class 'thrombocytopenia'"):
        bootstrap.check_tables("6.0")
    _edit(rules / "lutathera_dose.toml", "[ctcae_versions]\n",
          '[ctcae_versions."6.0"]\nrenamed = { "Platelet count decreased" = "Thrombocytopenia" }\n')
    _clear()
    bootstrap.check_tables("6.0")
    bootstrap.check_tables("5.0")
    assert dose_table.table().class_of("Thrombocytopenia", "6.0") == "thrombocytopenia"
    action, reasons = _alerts_with(rules, "6.0")
    assert action == "withhold"
    assert "lutathera.thrombocytopenia.trigger" in reasons


@pytest.mark.parametrize(("edit", "message"), [
    (("[ctcae_versions]\n", '[ctcae_versions."5.0"]\nabsent = ["Hypermagnesemia"]\n'),
     r"'Hypermagnesemia' is listed as absent from the CTCAE v5.0 table \(ctcae_v5.toml\), which has it"),
    (('"Hypernatremia", "Hyponatremia",\n]', '"Hyponatremia",\n]'),
     r"the CTCAE term 'Hypernatremia' of the CTCAE v5.0 table \(ctcae_v5.toml\) can be graded 3-4 but no class "
     r"names it"),
    (('"Hypernatremia", "Hyponatremia",\n]', '"Hypernatremia", "Hyponatremia", "Anemia",\n]'),
     r"the CTCAE term 'Anemia' is named by class 'anemia_neutropenia' and class 'other'"),
    (('"Hypernatremia", "Hyponatremia",\n]', '"Hypernatremia", "Hyponatremia", "Haptoglobin decreased",\n]'),
     r"class 'other' names the CTCAE term 'Haptoglobin decreased', which the CTCAE v5.0 table \(ctcae_v5.toml\) "
     r"never grades 3 or higher"),
    (('terms = ["Lymphocyte count decreased",', 'terms = ["Lymphopenia",'),
     r"the exemption names the CTCAE term 'Lymphopenia', which is not in the CTCAE v5.0 table"),
    (("[ctcae_versions]\n", '[ctcae_versions."5.0"]\nadded = { marrow = ["Anemia"] }\n'),
     r"ctcae_versions adds terms to an unknown class 'marrow'"),
    (('required_analytes = ["hemoglobin", "wbc",', 'required_analytes = ["haemoglobin", "wbc",'),
     r"lutathera_dose\.toml: required_analytes names 'haemoglobin', which fhir_mappings/analytes\.toml does not have"),
])
def test_every_link_is_checked(rules: Path, edit: tuple[str, str], message: str) -> None:
    _edit(rules / "lutathera_dose.toml", *edit)
    with pytest.raises(ConfigurationError, match=message):
        bootstrap.check_tables("5.0")


def test_the_ruleset_version_hashes_the_mapping_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed unit factor or default range changes grades: it changes the ruleset version too."""
    before = bootstrap.ruleset_version("5.0")
    folder = tmp_path / "fhir_mappings"
    shutil.copytree(data_files.mappings_dir(), folder)
    _edit(folder / "analytes.toml", "default_range = { any = [165, 415] }", "default_range = { any = [150, 415] }")
    monkeypatch.setattr(bootstrap, "mappings_dir", lambda: folder)
    bootstrap.ruleset_version.cache_clear()
    try:
        after = bootstrap.ruleset_version("5.0")
    finally:
        bootstrap.ruleset_version.cache_clear()
    assert after != before
    assert after.rsplit("+", 1)[0] == before.rsplit("+", 1)[0]  # same table versions, another content hash


SHIFT = 'grade_shift = { "Neutrophil count decreased" = 1 }\n'


@pytest.mark.parametrize(("new", "message"), [
    ('grade_shift = { "Neutrophil count decreased" = 2 }\n',
     r"grade_shift of 'Neutrophil count decreased' by 2: grade 1 of the CTCAE v6.0 table \(ctcae_v6.toml\) \(si\) "
     r"is not grade 3 of CTCAE v5.0"),
    ('grade_shift = { "Anemia" = 1 }\n', r"grade_shift of 'Anemia' by 1: grade 1 of the CTCAE v6.0 table"),
    ('grade_shift = { "HDL decreased" = 1 }\n', r"grade_shift names 'HDL decreased', which is not a classed term"),
    ('grade_shift = { "Neutrophil count decreased" = 0 }\n', r"grade_shift of 'Neutrophil count decreased' must be"),
])
def test_a_grade_shift_is_checked_against_both_ctcae_tables(rules: Path, new: str, message: str) -> None:
    """The shift says a v6.0 band is the v5.0 band one grade up (rules/lutathera_dose.toml): a shift that
    is not true of the two tables stops the CLI and the service, never a silent regrading."""
    _edit(rules / "lutathera_dose.toml", SHIFT, new)
    with pytest.raises(ConfigurationError, match=message):
        bootstrap.check_tables("6.0")


def test_the_shipped_grade_shift_reads_v6_neutrophils_on_the_labels_bands() -> None:
    """Every v6.0 neutrophil grade acts as the v5.0 grade of the same count (grades 1-4: 2, 3, 4, 4)."""
    dose = dose_table.table()
    assert [dose.dose_grade("Neutrophil count decreased", g, "6.0") for g in range(5)] == [
        (0, 0), (2, 1), (3, 1), (4, 1), (4, 1)]
    assert dose.dose_grade("Neutrophil count decreased", 2, "5.0") == (2, 0)
    assert dose.dose_grade("Anemia", 2, "6.0") == (2, 0)
