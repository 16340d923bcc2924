"""The rule-table toolkit (cds.rulebook): the one condition grammar, explicit priority, settings
placeholders, the content digest, table discovery, and the loaders that use them."""

from __future__ import annotations

import hashlib
import itertools
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cds import bootstrap
from cds.ctcae import table as ctcae_table
from cds.dose import table as dose_table
from cds.errors import ConfigurationError
from cds.recist import table as recist_table
from cds.recist.decide import decide_non_targets, decide_overall, decide_targets
from cds.recist.prepare import NON_TARGET_KIND, OVERALL_KIND, TARGET_KIND, NonTargetFact, OverallFact, TargetFact
from cds.rulebook.files import discover, rules_dir
from cds.rulebook.grammar import Comparison, Names, check_flags, parse_condition, parse_when
from cds.rulebook.links import check_unique, duplicates, missing
from cds.rulebook.placeholders import fill
from cds.rulebook.precedence import by_priority
from cds.rulebook.reading import digest, malformed, read_table

RULES = Path(__file__).resolve().parents[3] / "rules"
RECIST = RULES / "recist_1_1.toml"
DOSE = RULES / "lutathera_dose.toml"

# --- the grammar ------------------------------------------------------------------------------------

EVERY_FORM = Names(
    fields=("value", "crcl", "grade:other", "active", "delay_days"),
    forms=("number", "times", "plus", "setting", "flag"), settings={"max_delay_days": 112.0},
)


@pytest.mark.parametrize(("text", "expected"), [
    ("crcl < 40", Comparison("crcl", "<", 40.0)),
    ("crcl <= -1.5", Comparison("crcl", "<=", -1.5)),
    ("grade:other >= 3", Comparison("grade:other", ">=", 3.0)),
    ("value == 0", Comparison("value", "==", 0.0)),
    ("value > 3 x ULN", Comparison("value", ">", 3.0, form="times", reference="ULN")),
    ("value < 0.5 x LLN", Comparison("value", "<", 0.5, form="times", reference="LLN")),
    ("value >= 1.5 x baseline", Comparison("value", ">=", 1.5, form="times", reference="baseline")),
    ("value > ULN + 20", Comparison("value", ">", 20.0, form="plus", reference="ULN")),
    ("delay_days >= max_delay_days", Comparison("delay_days", ">=", 112.0, form="setting", setting="max_delay_days")),
    ("active", Comparison("active", "==", 1.0, form="flag")),
    ("not active", Comparison("active", "==", 0.0, form="flag")),
    ("active == true", Comparison("active", "==", 1.0, form="flag")),
    ("active == false", Comparison("active", "==", 0.0, form="flag")),
])
def test_every_form_of_the_grammar_is_read(text: str, expected: Comparison) -> None:
    assert parse_when(text, EVERY_FORM, file="t.toml", entry="row.a") == (expected,)


def test_conditions_are_joined_by_and() -> None:
    both = parse_when("value > 3 x ULN and crcl < 40 and not active", EVERY_FORM, file="t.toml", entry="r")
    assert [c.field for c in both] == ["value", "crcl", "active"]
    assert [c.form for c in both] == ["times", "number", "flag"]


@pytest.mark.parametrize("text", [
    "", "   ", "crcl >", "crcl <", "crcl << 40", "crcl > forty", "40 < crcl", "crcl > 40 and", "and crcl > 40",
    "value > 3 x ULM", "value > 3 * ULN", "value > ULN - 2", "value > 3x ULN", "not not active", "not",
    "active == yes", "active is true", "CRCL < 40", "crcl < 40 or crcl > 90", "crcl<40", "delay_days >= and",
])
def test_a_malformed_condition_is_refused_naming_the_file_and_the_entry(text: str) -> None:
    with pytest.raises(ConfigurationError, match=r"^t\.toml: row\.a: cannot read condition"):
        parse_when(text, EVERY_FORM, file="t.toml", entry="row.a")


@pytest.mark.parametrize(("names", "text", "why"), [
    (Names(fields=("crcl",)), "wbc < 2", "unknown name 'wbc'"),
    (Names(fields=("crcl",)), "crcl < 2 x ULN", "times form"),
    (Names(fields=("crcl",), forms=("number",), ops=("<",)), "crcl == 2", "operator =="),
    (Names(fields=("active",), forms=("number",)), "active", "flag form"),
    (Names(fields=("delay_days",), forms=("setting",), settings={"max_delay_days": 1.0}), "delay_days < max_delay",
     "'max_delay' is not a setting"),
])
def test_each_table_allows_only_its_own_names_forms_and_operators(names: Names, text: str, why: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(why)):
        parse_when(text, names, file="t.toml", entry="row.a")


def test_a_keyword_is_never_a_name() -> None:
    for text in ("not", "and", "true", "x > 3", "not and", "crcl > x"):
        assert parse_condition(text) is None, text


def test_yes_no_fields_are_flags_and_other_fields_are_not() -> None:
    flags = frozenset({"complete"})
    names = Names(fields=("complete", "present"), forms=("number", "flag"))
    check_flags(parse_when("complete and present >= 1", names, file="t.toml", entry="r"), flags, file="t.toml",
                entry="r")
    with pytest.raises(ConfigurationError, match=r"t\.toml: r: 'complete' is a yes/no field"):
        check_flags(parse_when("complete == 1", names, file="t.toml", entry="r"), flags, file="t.toml", entry="r")
    with pytest.raises(ConfigurationError, match=r"'present' is not a yes/no field"):
        check_flags(parse_when("not present", names, file="t.toml", entry="r"), flags, file="t.toml", entry="r")


# --- the loaders use the grammar --------------------------------------------------------------------


def _write(tmp_path: Path, source: Path, old: str, new: str, count: int = 1) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def test_recist_flags_compile_to_what_the_engine_facts_carry() -> None:
    """`selection_valid` / `not complete` are the engine tests `== 1.0` / `== 0.0` the facts are built for."""
    rows = {row.rule: row for row in recist_table.table().target}
    assert rows["recist11.target.ne_selection"].comparisons == (
        Comparison("selection_valid", "==", 0.0, form="flag"),)
    cr = rows["recist11.target.cr"].comparisons
    assert [(c.field, c.op, c.threshold) for c in cr] == [
        ("selection_valid", "==", 1.0), ("complete", "==", 1.0), ("non_nodal_remaining", "<=", 0.0),
        ("node_max_mm", "<", 10.0)]


def test_a_recist_yes_no_field_written_as_a_number_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, RECIST, 'when = "selection_valid and complete"',
                  'when = "selection_valid == 1 and complete"')
    with pytest.raises(ConfigurationError, match=r"recist_1_1\.toml: recist11\.target\.sd: 'selection_valid' is a "
                                                 r"yes/no field"):
        recist_table.load_table(path)


def test_a_ctcae_criterion_names_the_file_and_the_rule(tmp_path: Path) -> None:
    v5 = RULES / "ctcae_v5.toml"
    text = v5.read_text(encoding="utf-8")
    assert '{ rule = "ctcae5.anemia.g3", grade = 3, when = "value < 80.0" }' in text
    rule = "ctcae5.anemia.g3"
    path = _write(tmp_path, v5, 'grade = 3, when = "value < 80.0"', 'grade = 3, when = "value < 80.0 x ULM"')
    with pytest.raises(ConfigurationError, match=rf"ctcae_v5\.toml: {re.escape(rule)}: cannot read criterion"):
        ctcae_table.load_table(path)


@pytest.mark.parametrize("when", ["value == 3", "active", "value > 3 and crcl < 3", "crcl < 3 x ULN"])
def test_a_ctcae_criterion_allows_only_the_ctcae_forms(when: str) -> None:
    with pytest.raises(ConfigurationError, match="cannot read criterion"):
        ctcae_table.parse_when(when, "t.toml", "ctcae5.x.1")


def test_the_ctcae_forms_read_as_before() -> None:
    kinds = [c.kind for c in ctcae_table.parse_when(
        "value > 3 x ULN and value < 2 x LLN and value > 1.5 x baseline and value > ULN + 2 and value < 40 "
        "and pct_change_from_baseline <= -25")]
    assert kinds == ["uln", "lln", "baseline", "uln_plus", "abs", "pct"]


@pytest.mark.parametrize(("old", "new", "error"), [
    ('when = "crcl < 40"', 'when = "crcl == 40"', r"lutathera\.renal\.crcl: cannot read trigger 'crcl == 40'"),
    ('when = "crcl < 40"', 'when = "inr > 40"', r"lutathera\.renal\.crcl: unknown measure 'inr'"),
    ('when = "crcl < 40"', 'when = "crcl < 40 and wbc < 2"', r"'wbc' cannot follow 'and'"),
    ('when = "occurred and reduced"', 'when = "occurred and reduced == 1"', r"action discontinue_recurrence: "
                                                                           r"cannot read action condition"),
    ('when = "occurred and reduced"', 'when = "occurred and delay_days >= 112"', r"action discontinue_recurrence"),
    ('when = "occurred and reduced"', 'when = "occurred and stale"', r"unknown name 'stale'"),
])
def test_a_malformed_dose_condition_names_the_file_and_the_entry(tmp_path: Path, old: str, new: str,
                                                                 error: str) -> None:
    with pytest.raises(ConfigurationError, match=r"lutathera_dose\.toml: .*" + error):
        dose_table.load_table(_write(tmp_path, DOSE, old, new))


def test_dose_action_flags_and_the_delay_read_as_before() -> None:
    actions = {a.key: a for a in dose_table.table().actions}
    withhold, discontinue = actions["withhold"], actions["discontinue_delay"]
    assert (withhold.flags, withhold.delay_reached) == ({"active": True, "reduced": False}, False)
    assert (discontinue.flags, discontinue.delay_reached) == ({"occurred": True}, True)
    assert actions["escalate"].flags == {"last_reduced": True, "occurred": False}


# --- explicit priority ------------------------------------------------------------------------------


def test_rows_come_back_lowest_priority_first() -> None:
    rows = [{"rule": "b", "priority": 20}, {"rule": "c", "priority": 30}, {"rule": "a", "priority": 10}]
    assert [r["rule"] for r in by_priority(rows, file="t.toml", section="x")] == ["a", "b", "c"]


@pytest.mark.parametrize(("rows", "error"), [
    ([{"rule": "a", "priority": 1}, {"rule": "b", "priority": 1}], r"t\.toml: \[\[x\]\] rows a and b have the same "
                                                                   r"priority 1"),
    ([{"rule": "a", "priority": 1}, {"rule": "b"}], r"t\.toml: \[\[x\]\] row b: no integer priority"),
    ([{"rule": "a", "priority": "1"}], r"row a: no integer priority"),
    ([{"rule": "a", "priority": True}], r"row a: no integer priority"),
    ([{"rule": "a", "priority": 1.5}], r"row a: no integer priority"),
])
def test_a_missing_or_repeated_priority_is_refused_naming_the_rows(rows: list[dict[str, Any]], error: str) -> None:
    with pytest.raises(ConfigurationError, match=error):
        by_priority(rows, file="t.toml", section="x")


def _blocks(text: str, section: str) -> tuple[str, list[str], str]:
    """The text before the first ``[[section]]`` row, the rows, and the text after the last."""
    marker = f"[[{section}]]\n"
    start = text.index(marker)
    end = start
    while True:
        following = text.find(marker, end + 1)
        if following < 0:
            break
        end = following
    last_end = text.find("\n\n", end)
    last_end = len(text) if last_end < 0 else last_end
    body = text[start:last_end]
    rows = [marker + part.rstrip("\n") for part in body.split(marker) if part.strip()]
    # comments between rows belong to the next section's heading: keep rows as written (no comment lines)
    rows = [row.split("\n\n")[0] for row in rows]
    return text[:start], rows, text[last_end:]


def _reversed(text: str, section: str) -> str:
    before, rows, after = _blocks(text, section)
    return before + "\n\n".join(reversed(rows)) + after


RECIST_FLAGS = [0.0, 1.0]


def _target_facts() -> dict[str, TargetFact]:
    values = itertools.product(RECIST_FLAGS, RECIST_FLAGS, [0.0, 1.0], [5.0, 12.0], [-40.0, -10.0, 30.0], RECIST_FLAGS,
                               [0.0, 25.0], [0.0, 6.0])
    return {f"t{i}": TargetFact(id=f"t{i}", kind=TARGET_KIND, selection_valid=v[0], complete=v[1],
                                non_nodal_remaining=v[2], node_max_mm=v[3], pct_from_baseline=v[4],
                                nadir_positive=v[5], pct_from_nadir=v[6], increase_from_nadir_mm=v[7])
            for i, v in enumerate(values)}


def _non_target_facts() -> dict[str, NonTargetFact]:
    values = itertools.product([0.0, 1.0], [0.0, 1.0], [0.0, 2.0])
    return {f"n{i}": NonTargetFact(id=f"n{i}", kind=NON_TARGET_KIND, progressing=v[0], not_assessed=v[1], present=v[2])
            for i, v in enumerate(values)}


def _overall_facts() -> dict[str, OverallFact]:
    values = itertools.product(recist_table.TARGET_VALUES, recist_table.NON_TARGET_VALUES, [False, True], [False, True])
    return {f"o{i}": OverallFact(id=f"o{i}", kind=OVERALL_KIND, target=t, non_target=n, new_lesions=float(new),
                                 ambiguous=float(amb))
            for i, (t, n, new, amb) in enumerate(values)}


def _decisions(table: recist_table.RecistTable) -> dict[str, str]:
    engine = bootstrap.default_engine()
    decided: dict[str, Any] = {}
    decided.update(decide_targets(engine, table, _target_facts()))
    decided.update(decide_non_targets(engine, table, _non_target_facts()))
    decided.update(decide_overall(engine, table, _overall_facts()))
    return {fact: row.rule for fact, row in decided.items()}


def test_recist_rows_written_in_another_order_with_the_same_priorities_decide_the_same(tmp_path: Path) -> None:
    text = RECIST.read_text(encoding="utf-8")
    shuffled = text
    for section in ("target", "non_target", "overall"):
        shuffled = _reversed(shuffled, section)
    assert shuffled != text
    path = tmp_path / RECIST.name
    path.write_text(shuffled, encoding="utf-8")
    raw = tomllib.loads(shuffled)
    assert [r["rule"] for r in raw["target"]] == [r.rule for r in reversed(recist_table.table().target)]
    written, installed = recist_table.load_table(path), recist_table.table()
    assert (written.target, written.non_target, written.overall) == (
        installed.target, installed.non_target, installed.overall)
    assert _decisions(written) == _decisions(installed)
    # Without the priorities, file order would decide otherwise: the test can tell.
    in_file_order = recist_table.RecistTable(**{**written.__dict__, "target": tuple(reversed(written.target)),
                                                "non_target": tuple(reversed(written.non_target)),
                                                "overall": tuple(reversed(written.overall))})
    assert _decisions(in_file_order) != _decisions(installed)


@pytest.mark.parametrize(("section", "old", "new", "error"), [
    ("target", 'rule = "recist11.target.sd"\npriority = 70', 'rule = "recist11.target.sd"\npriority = 60',
     r"\[\[target\]\] rows recist11\.target\.pr and recist11\.target\.sd have the same priority 60"),
    ("non_target", 'rule = "recist11.non_target.cr"\npriority = 40', 'rule = "recist11.non_target.cr"',
     r"\[\[non_target\]\] row recist11\.non_target\.cr: no integer priority"),
    ("overall", 'rule = "recist11.table1.pd_target"\npriority = 10',
     'rule = "recist11.table1.pd_target"\npriority = 20',
     r"\[\[overall\]\] rows recist11\.table1\.pd_target and recist11\.table1\.pd_non_target have the same priority 20"),
])
def test_a_recist_duplicate_or_missing_priority_fails_to_load(tmp_path: Path, section: str, old: str, new: str,
                                                              error: str) -> None:
    with pytest.raises(ConfigurationError, match=r"recist_1_1\.toml: " + error):
        recist_table.load_table(_write(tmp_path, RECIST, old, new))


def test_the_deviation_kinds_state_the_severity_order_of_the_output_contract(tmp_path: Path) -> None:
    table = dose_table.table()
    assert table.deviations is not None and tuple(table.deviations.rules) == dose_table.DEVIATION_KINDS
    text = DOSE.read_text(encoding="utf-8")
    swapped = text.replace('kind = "early"\npriority = 50', 'kind = "early"\npriority = 65')
    assert swapped != text
    path = tmp_path / DOSE.name
    path.write_text(swapped, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"severity order .*activity, early"):
        dose_table.load_table(path)
    with pytest.raises(ConfigurationError, match=r"rows early and activity have the same priority 60"):
        dose_table.load_table(_write(tmp_path, DOSE, 'kind = "early"\npriority = 50', 'kind = "early"\npriority = 60'))


# --- placeholders -----------------------------------------------------------------------------------

SETTINGS = {"reduced_activity_gbq": 3.7, "full_activity_gbq": 7.4, "max_delay_days": 112, "interval_days": 56,
            "odd_days": 50, "flag": True, "names": ["a"]}


@pytest.mark.parametrize(("text", "filled"), [
    ("resume at {reduced_activity_gbq} GBq", "resume at 3.7 GBq"),
    ("{full_activity_gbq} and {reduced_activity_gbq}", "7.4 and 3.7"),
    ("{max_delay_days} days, {max_delay_days:weeks} weeks", "112 days, 16 weeks"),
    ("no placeholder", "no placeholder"),
])
def test_a_placeholder_is_the_setting(text: str, filled: str) -> None:
    assert fill(text, SETTINGS, file="t.toml", entry="action a") == filled


@pytest.mark.parametrize(("text", "error"), [
    ("{reduced_activity}", "placeholder {reduced_activity} names no number of [settings]"),
    ("{flag}", "placeholder {flag} names no number"),
    ("{names}", "placeholder {names} names no number"),
    ("{odd_days:weeks}", "placeholder {odd_days:weeks}: odd_days is not whole weeks"),
    ("{max_delay_days:months}", "placeholder {max_delay_days:months} names no number"),
    ("{}", "placeholder {} names no number"),
])
def test_a_placeholder_without_a_setting_is_refused_naming_the_file_and_the_entry(text: str, error: str) -> None:
    with pytest.raises(ConfigurationError, match=r"^t\.toml: action a: " + re.escape(error)):
        fill(text, SETTINGS, file="t.toml", entry="action a")


def test_placeholders_filled_later_are_kept() -> None:
    assert fill("{given} GBq, {interval_days:weeks} weeks", SETTINGS, file="t.toml", entry="d",
                keep={"given"}) == "{given} GBq, 8 weeks"


def test_dose_texts_take_their_numbers_from_the_settings(tmp_path: Path) -> None:
    table = dose_table.table()
    texts = {a.key: a.text for a in table.actions}
    assert texts["reduce"] == "Resolved: resume at the reduced activity (3.7 GBq)"
    assert texts["escalate"] == "Return to 7.4 GBq after a reduced cycle without recurrence"
    assert texts["discontinue_delay"] == ("Toxicity requires a treatment delay of 16 weeks or more: "
                                          "discontinue permanently")
    assert table.deviations is not None
    assert table.deviations.rules["early"].text.endswith(
        "before the earliest interval of {minimum} days (8 weeks - 1 week)")
    changed = _write(tmp_path, DOSE, "reduced_activity_gbq = 3.7 ", "reduced_activity_gbq = 3.0 ")
    text = changed.read_text(encoding="utf-8").replace("max_delay_days = 112 ", "max_delay_days = 84 ")
    changed.write_text(text, encoding="utf-8")
    other = {a.key: a.text for a in dose_table.load_table(changed).actions}
    assert other["reduce"] == "Resolved: resume at the reduced activity (3 GBq)"
    assert other["discontinue_delay"].startswith("Toxicity requires a treatment delay of 12 weeks or more")


def test_a_dose_text_with_an_unknown_placeholder_stops_the_table(tmp_path: Path) -> None:
    path = _write(tmp_path, DOSE, "({reduced_activity_gbq} GBq)", "({reduced_gbq} GBq)")
    with pytest.raises(ConfigurationError, match=r"lutathera_dose\.toml: action reduce: placeholder \{reduced_gbq\}"):
        dose_table.load_table(path)
    path = _write(tmp_path, DOSE, "after cycle {previous}", "after cycle {previus}")
    with pytest.raises(ConfigurationError, match=r"deviation early: placeholder \{previus\}"):
        dose_table.load_table(path)


def test_no_dose_text_writes_a_second_copy_of_a_setting() -> None:
    """The numbers of this plugin's own rules appear in texts only as placeholders."""
    raw = tomllib.loads(DOSE.read_text(encoding="utf-8"))
    texts = [e["text"] for e in (*raw["trigger"], *raw["eligibility"], *raw["actions"].values(),
                                 *raw["deviations"]["kind"])]
    settings = raw["settings"]
    copies = [f"{settings['full_activity_gbq']:g} GBq", f"{settings['reduced_activity_gbq']:g} GBq",
              f"{settings['max_delay_days']} days", f"{settings['max_delay_days'] // 7} weeks",
              f"{settings['interval_days']} days", f"{settings['interval_days'] // 7} weeks"]
    for text in texts:
        for copy in copies:
            assert copy not in text, (copy, text)


# --- reading, digest, discovery, links --------------------------------------------------------------


def test_the_digest_is_of_the_bytes_read(tmp_path: Path) -> None:
    data = RECIST.read_bytes()
    read = read_table(RECIST)
    assert read.digest == digest(data) == hashlib.sha256(data).hexdigest()[:12]
    assert recist_table.table().digest == read.digest
    assert dose_table.table().digest == digest(DOSE.read_bytes())
    assert ctcae_table.table().digest == digest((RULES / "ctcae_v5.toml").read_bytes())
    one_more = tmp_path / RECIST.name
    one_more.write_bytes(data + b"\n")
    assert recist_table.load_table(one_more).digest != read.digest


def test_a_table_that_is_not_toml_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[meta\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"cannot read RECIST table broken\.toml"):
        recist_table.load_table(path)
    with pytest.raises(ConfigurationError, match=r"cannot read table missing\.toml"):
        read_table(tmp_path / "missing.toml")
    with pytest.raises(ConfigurationError, match=r"^broken\.toml: malformed dose table \('meta'\)"), \
            malformed("broken.toml", "dose table"):
        {}["meta"]


def test_discovery_keys_each_table_by_its_stated_version(tmp_path: Path) -> None:
    assert discover("ctcae_v*.toml")["5.0"] == rules_dir() / "ctcae_v5.toml"
    (tmp_path / "ctcae_v5.toml").write_text('[meta]\nversion = "5.0"\n', encoding="utf-8")
    (tmp_path / "ctcae_v5b.toml").write_text('[meta]\nversion = "5.0"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"ctcae_v5\.toml and ctcae_v5b\.toml both state version '5\.0'"):
        discover("ctcae_v*.toml", tmp_path)
    (tmp_path / "ctcae_v5b.toml").write_text("[meta]\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"ctcae_v5b\.toml: cannot read \[meta\] version"):
        discover("ctcae_v*.toml", tmp_path)


def test_repeated_and_missing_names() -> None:
    assert duplicates(["a", "b", "a", "c", "b", "a"]) == ["a", "b"]
    check_unique(["a", "b"], file="t.toml")
    with pytest.raises(ConfigurationError, match=r"t\.toml: rule id a appears twice"):
        check_unique(["a", "b", "a"], file="t.toml")
    assert missing(["x", "a", "x", "y"], {"a"}) == ["x", "y"]
