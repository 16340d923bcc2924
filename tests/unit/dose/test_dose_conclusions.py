"""What the dose conclusions give the cards: each reason's kind, the planned course and the record's labs,
so that the cards neither decode rule ids nor read the dose table."""

from __future__ import annotations

import ast
from pathlib import Path

from test_dose import standard_course

from cds.dose.conclusions import DoseAlert
from cds.dose.schedule import planned_course
from cds.dose.table import load_table
from cds.dose.table import table as dose_table
from cds.hooks.cards.order_update import change_reason

HOOKS = Path(__file__).resolve().parents[3] / "cds" / "hooks"
RULES = Path(__file__).resolve().parents[3] / "rules" / "lutathera_dose.toml"


def _kinds(alert: DoseAlert) -> list[tuple[str, str]]:
    return [(reason.kind, reason.rule) for reason in alert.reasons]


def test_each_reason_says_what_it_is_in_agreement_with_the_table_rule_it_names() -> None:
    record = standard_course({3: 3.7})
    record.lab("2024-04-01", "platelets", 70)  # grade 2 before cycle 3: reduce
    alerts = record.alerts()
    assert _kinds(alerts[3]) == [("action", "lutathera.thrombocytopenia.reduce"),
                                 ("finding", "lutathera.thrombocytopenia.trigger")]
    assert _kinds(alerts[4]) == [("action", "lutathera.thrombocytopenia.escalate")]
    assert _kinds(alerts[2]) == [("proceed", "lutathera.proceed")]
    table = dose_table()
    actions = {a.rule_id(c) for c in table.classes for a in table.actions}
    triggers = {t.rule: t.phase for t in table.triggers}
    for alert in alerts.values():
        for reason in alert.reasons:
            assert (reason.kind == "action") is (reason.rule in actions)
            if reason.rule in triggers:
                assert reason.kind == ("eligibility" if triggers[reason.rule] == "pre" else "finding")


def test_a_missing_required_result_is_a_labs_reason_and_the_order_note_cites_the_deciding_action() -> None:
    fresh = standard_course()
    fresh.resources = [r for r in fresh.resources if not str(r.get("id", "")).startswith("creatinine-")]
    missing = fresh.alerts()[2]
    assert missing.action == "labs-needed"
    assert {r.kind for r in missing.reasons if r.rule.startswith("lutathera.labs.")} == {"labs"}
    assert [r.rule for r in missing.reasons if r.kind == "labs"] == [
        r.rule for r in missing.reasons if r.rule.startswith("lutathera.labs.")]
    record = standard_course()
    record.lab("2024-04-01", "platelets", 70)  # grade 2 before cycle 3: reduce
    note = change_reason(record.alerts()[3])
    assert "rule lutathera.thrombocytopenia.reduce" in note
    assert "lutathera.thrombocytopenia.trigger" not in note


def test_the_planned_course_is_the_table_settings(tmp_path: Path) -> None:
    course = planned_course()
    table = dose_table()
    assert (course.label_version, course.planned_cycles, course.full_activity_gbq, course.reduced_activity_gbq) == (
        table.version, table.planned_cycles, table.full_activity_gbq, table.reduced_activity_gbq)
    assert course.max_plausible_activity_gbq == table.max_plausible_activity_gbq
    assert course.required_analytes == table.required_analytes
    changed = tmp_path / RULES.name
    changed.write_text(RULES.read_text().replace("planned_cycles = 4", "planned_cycles = 5"))
    assert planned_course(load_table(changed)).planned_cycles == 5


def test_no_hooks_module_reads_the_dose_table_or_decodes_a_rule_id() -> None:
    """Cards read conclusions (issue: "cards read conclusions, not rule ids or rule tables")."""
    offenders = []
    for path in sorted(HOOKS.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "cds.dose.table":
                offenders.append(f"{path.name}: imports cds.dose.table")
            if isinstance(node, ast.ImportFrom) and node.module == "cds.dose" and any(
                    alias.name == "table" for alias in node.names):
                offenders.append(f"{path.name}: imports cds.dose.table")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("lutathera."):
                offenders.append(f"{path.name}: names the rule-id prefix {node.value!r}")
    assert offenders == []
