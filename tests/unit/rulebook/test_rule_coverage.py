"""Every rule of every table in rules/ is the decided rule of at least one Gherkin scenario.

A rule id is any string value of a ``rule`` key anywhere in a ``rules/*.toml`` table (CTCAE criteria,
RECIST, the Lutathera triggers and eligibility rules). The Lutathera table also generates one action
rule per toxicity class and action (``lutathera.<class>.<action>``, cds/dose/decide.py): those must be
cited too. A scenario covers a rule when one of its steps says ``the rule is "<rule id>"`` or ``the
recommendation for cycle <n> cites "<rule id>"``, or an Examples table has a column named ``rule``
holding it.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.feature import get_features

from cds.ctcae.table import load_table
from cds.dose.table import load_table as load_dose_table
from cds.tables import analytes

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "rules"
FEATURES = ROOT / "features"
VERSION_STEP = re.compile(r'^CTCAE version "(?P<version>[^"]+)"$')
RULE_STEP = re.compile(
    r'^(?:the rule is|the recommendation for cycle \d+ cites) "(?P<rule>[^"]+)"(?: with a value of \S+)?$'
)
DOSE_TABLE = RULES / "lutathera_dose.toml"
# Reasons cds/dose.py gives besides the table's rules: nothing dose-modifying, a discontinuation carried
# forward, and "labs needed" for a clearance, an INR, or a required analyte (settings.required_analytes).
DOSE_REASONS = {"lutathera.proceed", "lutathera.discontinued", "lutathera.labs.crcl", "lutathera.labs.inr"}


def _rule_values(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "rule" and isinstance(value, str):
                yield value
            else:
                yield from _rule_values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _rule_values(item)


def table_rule_ids() -> dict[str, set[str]]:
    """rules/<file> -> the rule ids it defines."""
    out = {}
    for path in sorted(RULES.glob("*.toml")):
        with path.open("rb") as handle:
            out[path.name] = set(_rule_values(tomllib.load(handle)))
    return out


def cited_rule_ids() -> dict[str, set[str]]:
    """rule id -> the scenarios (file: name) that cite it."""
    cited: dict[str, set[str]] = {}
    for feature in get_features([str(FEATURES)]):
        for template in feature.scenarios.values():
            where = f"{Path(feature.filename).name}: {template.name}"
            contexts = [c for examples in template.examples for c in examples.as_contexts()] or [{}]
            for context in contexts:
                rules = {context["rule"]} if context.get("rule") else set()
                for step in template.render(context).steps:
                    match = RULE_STEP.match(step.name)
                    if match:
                        rules.add(match["rule"])
                for rule in rules:
                    cited.setdefault(rule, set()).add(where)
    return cited


def ctcae_versions_citing() -> dict[str, set[str]]:
    """CTCAE rule prefix (``ctcae5``, ``ctcae6``) -> the CTCAE versions of the scenarios citing its rules
    (``Given CTCAE version "<v>"``, else the default 5.0)."""
    out: dict[str, set[str]] = {}
    for feature in get_features([str(FEATURES)]):
        for template in feature.scenarios.values():
            contexts = [c for examples in template.examples for c in examples.as_contexts()] or [{}]
            for context in contexts:
                steps = template.render(context).steps
                versions = [m["version"] for step in steps if (m := VERSION_STEP.match(step.name))]
                rules = {context["rule"]} if context.get("rule") else set()
                rules |= {m["rule"] for step in steps if (m := RULE_STEP.match(step.name))}
                for rule in rules:
                    if rule.startswith("ctcae"):
                        out.setdefault(rule.split(".")[0], set()).update(versions or ["5.0"])
    return out


def generated_dose_rule_ids() -> set[str]:
    """The Lutathera action rules the table reader generates (``lutathera.<class>.<action>``)."""
    return set(load_dose_table(DOSE_TABLE).rule_ids) - table_rule_ids()[DOSE_TABLE.name]


def dose_reason_ids() -> set[str]:
    required = load_dose_table(DOSE_TABLE).required_analytes
    return DOSE_REASONS | {f"lutathera.labs.{analyte}" for analyte in required}


def test_there_are_rule_tables_and_scenarios() -> None:
    assert any(table_rule_ids().values()), "no rule ids found in rules/*.toml"
    assert cited_rule_ids(), "no scenario under features/ cites a rule"


@pytest.mark.parametrize("path", sorted(RULES.glob("ctcae_v*.toml")), ids=lambda p: p.name)
def test_generic_rule_collection_agrees_with_the_ctcae_table_reader(path: Path) -> None:
    assert set(load_table(path).rule_ids) == table_rule_ids()[path.name]


def test_generic_rule_collection_agrees_with_the_dose_table_reader() -> None:
    assert table_rule_ids()[DOSE_TABLE.name] <= set(load_dose_table(DOSE_TABLE).rule_ids)
    assert generated_dose_rule_ids(), "the Lutathera table generates no action rules"


def test_every_generated_lutathera_action_rule_is_cited() -> None:
    cited = cited_rule_ids()
    missing = sorted(rule for rule in generated_dose_rule_ids() if rule not in cited)
    assert not missing, "Lutathera action rules that no scenario under features/ cites:\n" + "\n".join(missing)


@pytest.mark.parametrize("table", sorted(table_rule_ids()))
def test_every_rule_is_decided_in_a_scenario(table: str) -> None:
    cited = cited_rule_ids()
    missing = sorted(rule for rule in table_rule_ids()[table] if rule not in cited)
    assert not missing, f"rules of {table} that no scenario under features/ cites:\n" + "\n".join(missing)


@pytest.mark.parametrize("path", sorted(RULES.glob("ctcae_v*.toml")), ids=lambda p: p.name)
def test_the_rules_of_a_ctcae_version_are_cited_by_scenarios_graded_with_that_version(path: Path) -> None:
    """A v6.0 rule id is decided only where the scenario selects v6.0 (``Given CTCAE version "6.0"``)."""
    table = load_table(path)
    assert ctcae_versions_citing().get(table.prefix) == {table.version}


def test_every_cited_rule_exists() -> None:
    """A typo in a scenario's rule id would otherwise pass unnoticed where the id is the expectation.

    ``<prefix>.<term>.g0`` ("no grade 1-4 criterion met") is what the CTCAE grading reports for grade 0;
    the Lutathera action rules and the reasons of cds/dose.py outside the table (``DOSE_REASONS``) are
    known as well.
    """
    known = set().union(*table_rule_ids().values()) | generated_dose_rule_ids() | dose_reason_ids()
    terms = {match[1] for rule in known if (match := re.match(r"^(.+)\.g[1-4](?:\..+)?$", rule))}
    unknown = sorted(
        f"{rule} ({', '.join(sorted(where))})"
        for rule, where in cited_rule_ids().items()
        if rule not in known and not (rule.endswith(".g0") and rule.removesuffix(".g0") in terms)
    )
    assert not unknown, "scenarios cite rules that no table defines:\n" + "\n".join(unknown)


def _vocabulary() -> Any:
    spec = importlib.util.spec_from_file_location("feature_vocabulary", FEATURES / "steps" / "vocabulary.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it is executed
    spec.loader.exec_module(module)
    return module


def test_every_ctcae_analyte_has_a_name_in_the_step_vocabulary() -> None:
    vocabulary = _vocabulary().ANALYTES
    named = {analyte.key for analyte in vocabulary.values()}
    graded = {term.analyte for path in RULES.glob("ctcae_v*.toml") for term in load_table(path).terms}
    assert graded <= named, f"analytes without a name in features/steps/vocabulary.py: {sorted(graded - named)}"
    for name, analyte in vocabulary.items():
        mapped = analytes().for_loinc(analyte.loinc)
        assert mapped is not None and mapped.key == analyte.key, f"{name}: LOINC {analyte.loinc} is not {analyte.key}"
