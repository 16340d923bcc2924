"""Read ``rules/lutathera_dose.toml`` and compile it into two durable_rules rulesets.

- triggers: one fact per measure (a CTCAE grade of a toxicity class, creatinine clearance, ratios to
  baseline, bilirubin x ULN, albumin with its INR, eligibility values) -> which trigger is met;
- actions: one fact per toxicity class state -> withhold / reduce / proceed / discontinue.
The small "when" grammars are documented in the table; anything else is rejected at load time.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from cds.comparisons import Comparison, parse_comparison
from cds.data_files import rules_dir
from cds.engine import Op, Rule, Ruleset, Test
from cds.errors import ConfigurationError

TRIGGER_KIND = "dose_measure"
STATE_KIND = "dose_state"
TRIGGER_RULESET = "lutathera_triggers"
ACTION_RULESET = "lutathera_actions"
Action = Literal["proceed", "reduce", "withhold", "discontinue"]

# Measures a trigger may name first (the fact's ``measure``), and partner fields a conjunction may
# read on the same fact (the albumin fact carries the latest INR).
MEASURES = ("crcl", "creatinine_ratio", "crcl_ratio", "bilirubin_x_uln", "albumin", "hemoglobin", "wbc",
            "platelets", "creatinine")
PARTNERS = {"inr": "has_inr", "inr_x_uln": "has_inr_uln"}
FLAGS = ("active", "occurred", "reduced", "last_reduced")
# The kinds of deviation of a cycle given from its recommendation (design/outputs.md), most severe first.
DeviationKind = Literal["implausible-activity", "given-after-discontinue", "given-while-withheld", "early", "activity"]
DEVIATION_KINDS: tuple[DeviationKind, ...] = (
    "implausible-activity", "given-after-discontinue", "given-while-withheld", "early", "activity",
)
_SOURCE_KEY = re.compile(r"(?<![\w])S\d+(?![\w])")


@dataclass(frozen=True)
class Trigger:
    rule: str
    phase: Literal["on", "pre"]  # "on": before cycles 2+; "pre": eligibility before cycle 1
    toxicity_class: str | None
    measure: str
    tests: tuple[Comparison, ...]  # on the fact: the measure's value first, then partner fields
    text: str
    source: str
    status: str


@dataclass(frozen=True)
class ActionRule:
    key: str
    action: Action
    flags: dict[str, bool]
    delay_reached: bool | None  # True: delay_days >= max; False: delay_days < max; None: not tested
    text: str
    source: str
    status: str

    def rule_id(self, toxicity_class: str) -> str:
        return f"lutathera.{toxicity_class}.{self.key}"


@dataclass(frozen=True)
class ToxicityClass:
    key: str
    terms: tuple[str, ...]
    source: str
    status: str


@dataclass(frozen=True)
class DeviationRule:
    """One kind of deviation: its rule id, the text (a template of the values it names) and source."""

    kind: DeviationKind
    rule: str
    text: str
    source: str


@dataclass(frozen=True)
class Deviations:
    """How a cycle given is compared with its recommendation (the table's ``[deviations]``)."""

    activity_tolerance: float
    min_interval_days: int
    rules: dict[DeviationKind, DeviationRule]


@dataclass(frozen=True)
class DoseTable:
    version: str
    title: str
    full_activity_gbq: float
    reduced_activity_gbq: float
    interval_days: int
    planned_cycles: int
    max_delay_days: int
    labs_max_age_days: int
    required_analytes: tuple[str, ...]
    classes: dict[str, ToxicityClass]
    exempt_terms: frozenset[str]
    exempt_source: str
    triggers: tuple[Trigger, ...]
    actions: tuple[ActionRule, ...]
    digest: str
    max_plausible_activity_factor: float = 1.5
    deviations: Deviations | None = None
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def max_plausible_activity_gbq(self) -> float:
        """Above this, or at or below 0, an activity cannot be one Lutathera cycle (settings)."""
        return self.full_activity_gbq * self.max_plausible_activity_factor

    def source_text(self, text: str) -> str:
        """A source or status with every source key (S6, "US PI" ...) written out in full."""
        if not self.sources:
            return text
        keys = sorted(self.sources, key=len, reverse=True)
        pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w])")
        return pattern.sub(lambda m: self.sources[m.group(1)], text)

    def within_tolerance(self, given: float, target: float) -> bool:
        """Whether an activity given is the target activity, within the deviation tolerance (inclusive)."""
        tolerance = self.deviations.activity_tolerance if self.deviations else 0.0
        return round(abs(given - target) / target, 9) <= tolerance

    def class_of(self, term: str) -> str | None:
        """The toxicity class of a CTCAE term: its listed class, None if exempt, else "other"."""
        if term in self.exempt_terms:
            return None
        for toxicity_class in self.classes.values():
            if term in toxicity_class.terms:
                return toxicity_class.key
        return "other"

    @property
    def rule_ids(self) -> tuple[str, ...]:
        actions = tuple(a.rule_id(c) for c in self.classes for a in self.actions)
        deviations = tuple(r.rule for r in self.deviations.rules.values()) if self.deviations else ()
        return tuple(t.rule for t in self.triggers) + actions + deviations


def _trigger(entry: dict[str, Any], phase: Literal["on", "pre"], classes: dict[str, ToxicityClass]) -> Trigger:
    parts = [p.strip() for p in str(entry["when"]).split(" and ")]
    comparisons = []
    for index, part in enumerate(parts):
        comparison = parse_comparison(part)
        if comparison is None or comparison.op == "==":
            raise ConfigurationError(f"{entry['rule']}: cannot read {part!r}")
        name = comparison.field
        if index == 0:
            if not (name in MEASURES or (name.startswith("grade:") and name[6:] in classes)):
                raise ConfigurationError(f"{entry['rule']}: unknown measure {name!r}")
            measure = name
            comparison = replace(comparison, field="value")  # the measure's value is the fact's ``value``
        elif name not in PARTNERS:
            raise ConfigurationError(f"{entry['rule']}: {name!r} cannot follow 'and'")
        comparisons.append(comparison)
    toxicity_class = entry.get("class")
    if phase == "on" and toxicity_class not in classes:
        raise ConfigurationError(f"{entry['rule']}: unknown class {toxicity_class!r}")
    return Trigger(
        rule=str(entry["rule"]), phase=phase, toxicity_class=toxicity_class, measure=measure,
        tests=tuple(comparisons), text=str(entry["text"]), source=str(entry["source"]), status=str(entry["status"]),
    )


def _action(key: str, entry: dict[str, Any]) -> ActionRule:
    flags: dict[str, bool] = {}
    delay: bool | None = None
    for part in (p.strip() for p in str(entry["when"]).split(" and ")):
        if part in ("delay_days >= max_delay_days", "delay_days < max_delay_days"):
            delay = ">=" in part
            continue
        negated = part.startswith("not ")
        flag = part[4:] if negated else part
        if flag not in FLAGS:
            raise ConfigurationError(f"action {key}: cannot read {part!r}")
        flags[flag] = not negated
    action = entry["action"]
    if action not in ("proceed", "reduce", "withhold", "discontinue"):
        raise ConfigurationError(f"action {key}: unknown action {action!r}")
    return ActionRule(key=key, action=action, flags=flags, delay_reached=delay, text=str(entry["text"]),
                      source=str(entry["source"]), status=str(entry["status"]))


def load_table(path: Path) -> DoseTable:
    data = path.read_bytes()
    try:
        raw = tomllib.loads(data.decode("utf-8"))
        settings = raw["settings"]
        classes = {
            key: ToxicityClass(key=key, terms=tuple(entry["terms"]), source=str(entry["source"]),
                               status=str(entry["status"]))
            for key, entry in raw["classes"].items()
        }
        triggers = tuple(_trigger(e, "on", classes) for e in raw["trigger"])
        triggers += tuple(_trigger(e, "pre", classes) for e in raw["eligibility"])
        actions = tuple(_action(key, entry) for key, entry in raw["actions"].items())
        table = DoseTable(
            version=str(raw["meta"]["version"]), title=str(raw["meta"]["title"]),
            full_activity_gbq=float(settings["full_activity_gbq"]),
            reduced_activity_gbq=float(settings["reduced_activity_gbq"]),
            interval_days=int(settings["interval_days"]), planned_cycles=int(settings["planned_cycles"]),
            max_delay_days=int(settings["max_delay_days"]), labs_max_age_days=int(settings["labs_max_age_days"]),
            required_analytes=tuple(settings["required_analytes"]), classes=classes,
            exempt_terms=frozenset(raw["exempt"]["terms"]), exempt_source=str(raw["exempt"]["source"]),
            triggers=triggers, actions=actions, digest=hashlib.sha256(data).hexdigest()[:12],
            max_plausible_activity_factor=float(settings["max_plausible_activity_factor"]),
            deviations=_deviations(raw["deviations"]), sources={str(k): str(v) for k, v in raw["sources"].items()},
        )
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"{path.name}: malformed dose table ({exc})") from exc
    if not table.max_plausible_activity_factor >= 1:
        raise ConfigurationError(f"{path.name}: max_plausible_activity_factor must be at least 1")
    if len(set(table.rule_ids)) != len(table.rule_ids):
        raise ConfigurationError(f"{path.name}: a rule id appears twice")
    return _with_sources_written_out(table, path.name)


def _deviations(raw: dict[str, Any]) -> Deviations:
    rules: dict[DeviationKind, DeviationRule] = {}
    for entry in raw["kind"]:
        kind = entry["kind"]
        if kind not in DEVIATION_KINDS or kind in rules:
            raise ValueError(f"deviation kind {kind!r} unknown or listed twice")
        rules[kind] = DeviationRule(kind=kind, rule=str(entry["rule"]), text=str(entry["text"]),
                                    source=str(entry["source"]))
    missing = [kind for kind in DEVIATION_KINDS if kind not in rules]
    if missing:
        raise ValueError(f"deviation kinds without a rule: {', '.join(missing)}")
    deviations = Deviations(
        activity_tolerance=float(raw["activity_tolerance"]), min_interval_days=int(raw["min_interval_days"]),
        rules={kind: rules[kind] for kind in DEVIATION_KINDS},
    )
    if not 0 <= deviations.activity_tolerance < 0.5:
        raise ValueError("activity_tolerance must be at least 0 and below 0.5")
    return deviations


def _with_sources_written_out(table: DoseTable, name: str) -> DoseTable:
    """Every source and status with its keys resolved through ``[sources]``; an unknown key is an error."""
    texts = [table.exempt_source, *(t for c in table.classes.values() for t in (c.source, c.status))]
    texts += [t for trigger in table.triggers for t in (trigger.source, trigger.status)]
    texts += [t for action in table.actions for t in (action.source, action.status)]
    if table.deviations:
        texts += [rule.source for rule in table.deviations.rules.values()]
    unknown = sorted({key for text in texts for key in _SOURCE_KEY.findall(text)} - set(table.sources))
    if unknown:
        raise ConfigurationError(f"{name}: sources {', '.join(unknown)} are not listed in [sources]")
    full = table.source_text
    deviations = table.deviations
    if deviations is not None:
        deviations = replace(deviations, rules={
            kind: replace(rule, source=full(rule.source)) for kind, rule in deviations.rules.items()})
    return replace(
        table, exempt_source=full(table.exempt_source),
        classes={k: replace(c, source=full(c.source), status=full(c.status)) for k, c in table.classes.items()},
        triggers=tuple(replace(t, source=full(t.source), status=full(t.status)) for t in table.triggers),
        actions=tuple(replace(a, source=full(a.source), status=full(a.status)) for a in table.actions),
        deviations=deviations,
    )


def compile_rulesets(table: DoseTable) -> list[Ruleset]:
    triggers = []
    for trigger in table.triggers:
        tests = [Test("phase", "==", trigger.phase), Test("measure", "==", trigger.measure)]
        for comparison in trigger.tests:
            if comparison.field in PARTNERS:
                tests.append(Test(PARTNERS[comparison.field], "==", 1.0))
            tests.append(Test(comparison.field, comparison.op, comparison.threshold))
        triggers.append(Rule(id=trigger.rule, tests=tuple(tests)))
    actions = []
    for toxicity_class in table.classes:
        for action in table.actions:
            tests = [Test("cls", "==", toxicity_class)]
            tests += [Test(flag, "==", 1.0 if wanted else 0.0) for flag, wanted in action.flags.items()]
            if action.delay_reached is not None:
                op: Op = ">=" if action.delay_reached else "<"
                tests.append(Test("delay_days", op, float(table.max_delay_days)))
            actions.append(Rule(id=action.rule_id(toxicity_class), tests=tuple(tests)))
    return [
        Ruleset(name=TRIGGER_RULESET, kind=TRIGGER_KIND, rules=tuple(triggers)),
        Ruleset(name=ACTION_RULESET, kind=STATE_KIND, rules=tuple(actions)),
    ]


@cache
def table() -> DoseTable:
    return load_table(rules_dir() / "lutathera_dose.toml")
