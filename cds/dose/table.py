"""Read ``rules/lutathera_dose.toml`` and compile it into two durable_rules rulesets.

- triggers: one fact per measure (a CTCAE grade of a toxicity class, creatinine clearance, ratios to
  baseline, bilirubin x ULN, albumin with its INR, eligibility values) -> which trigger is met;
- actions: one fact per toxicity class state -> withhold / reduce / proceed / discontinue.
The small "when" grammars are documented in the table; anything else is rejected at load time.

The classes and the exemption name CTCAE terms. They are links into the selected CTCAE table, checked
when the two tables are used together (``term_classes``): a name that table does not have, a term it
can grade 3-4 that no class names, or a term named twice is a ``ConfigurationError``, never a silent
"other".
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from cds.comparisons import Comparison, parse_comparison
from cds.ctcae.table import CtcaeTable
from cds.ctcae.table import table as ctcae_table
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
OTHER = "other"  # the class of "any other grade 3 or 4 adverse reaction" (US PI section 2.3)
# The kinds of deviation of a cycle given from its recommendation (docs/outputs.md), most severe first.
DeviationKind = Literal["implausible-activity", "given-after-discontinue", "given-while-withheld",
                        "given-without-labs", "early", "activity", "activity-not-recorded"]
DEVIATION_KINDS: tuple[DeviationKind, ...] = (
    "implausible-activity", "given-after-discontinue", "given-while-withheld", "given-without-labs", "early",
    "activity", "activity-not-recorded",
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
class VersionTerms:
    """How the CTCAE term names of the dose table read in another CTCAE version's table (data)."""

    renamed: dict[str, str] = field(default_factory=dict)  # name here -> name in that version
    absent: frozenset[str] = frozenset()  # names here that the version does not have
    added: dict[str, tuple[str, ...]] = field(default_factory=dict)  # class -> terms only that version has
    unclassed: frozenset[str] = frozenset()  # names here that version never grades high enough for a class


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
    exempt_rule: str = "lutathera.exempt"
    exempt_status: str = "verified"
    versions: dict[str, VersionTerms] = field(default_factory=dict)
    file: str = "lutathera_dose.toml"
    deviations: Deviations | None = None
    sources: dict[str, str] = field(default_factory=dict)

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

    @property
    def max_plausible_activity_gbq(self) -> float:
        """Above this, or at or below 0, an activity cannot be one Lutathera cycle (settings)."""
        return self.full_activity_gbq * self.max_plausible_activity_factor

    def class_of(self, term: str, ctcae_version: str = "5.0") -> str | None:
        """The toxicity class of a term of the selected CTCAE table; None: exempt, or never graded high
        enough for any class to act on it. A term that table does not have raises ConfigurationError."""
        links = term_classes(self, ctcae_table(ctcae_version))
        if term not in links:
            raise ConfigurationError(f"{self.file}: {term!r} is not a term of the CTCAE v{ctcae_version} table")
        return links[term]

    def is_exempt(self, term: str, ctcae_version: str = "5.0") -> bool:
        """Whether a term of the selected CTCAE table is one the exemption names (lymphopenia)."""
        version = self.versions.get(ctcae_version, VersionTerms())
        return term in {version.renamed.get(name, name) for name in self.exempt_terms}

    @property
    def other_grade(self) -> int:
        """The lowest CTCAE grade at which the "other" class acts (its trigger, ``grade:other >= 3``)."""
        grades = []
        for trigger in self.triggers:
            if trigger.measure == f"grade:{OTHER}":
                first = trigger.tests[0]
                grades.append(int(first.threshold) + (1 if first.op == ">" else 0))
        return min(grades, default=1)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        actions = tuple(a.rule_id(c) for c in self.classes for a in self.actions)
        deviations = tuple(r.rule for r in self.deviations.rules.values()) if self.deviations else ()
        return tuple(t.rule for t in self.triggers) + actions + deviations + (self.exempt_rule,)


_LINKS: dict[tuple[str, str], Mapping[str, str | None]] = {}


def term_classes(dose: DoseTable, ctcae: CtcaeTable) -> Mapping[str, str | None]:
    """Every term of ``ctcae`` -> its toxicity class, or None (exempt, or never graded >= the "other"
    class's grade and named by no class). Checks every link; raises ConfigurationError naming the
    tables, the class and the term."""
    key = (dose.digest, ctcae.digest)
    if key not in _LINKS:
        _LINKS[key] = _link(dose, ctcae)
    return _LINKS[key]


def _link(dose: DoseTable, ctcae: CtcaeTable) -> Mapping[str, str | None]:
    where = f"the CTCAE v{ctcae.version} table ({ctcae.file})"
    version = dose.versions.get(ctcae.version, VersionTerms())
    highest = {t.name: max((c.grade for c in t.criteria), default=0) for t in ctcae.terms}
    links: dict[str, str | None] = {}
    owner: dict[str, str] = {}
    named = [(c.key, name) for c in dose.classes.values() for name in (*c.terms, *version.added.get(c.key, ()))]
    named += [("exempt", name) for name in sorted(dose.exempt_terms)]
    for cls, name in named:
        if name in version.absent:
            if name in highest:
                raise ConfigurationError(f"{dose.file}: {name!r} is listed as absent from {where}, which has it")
            continue
        there = version.renamed.get(name, name)
        label = "the exemption" if cls == "exempt" else f"class {cls!r}"
        if there not in highest:
            renamed = f" ({name!r} renamed)" if there != name else ""
            raise ConfigurationError(
                f"{dose.file}: {label} names the CTCAE term {there!r}{renamed}, which is not in {where}")
        if there in owner:
            raise ConfigurationError(f"{dose.file}: the CTCAE term {there!r} is named by {owner[there]} and {label}")
        owner[there] = label
        if name in version.unclassed:
            if highest[there] >= dose.other_grade:
                raise ConfigurationError(f"{dose.file}: {there!r} is listed as unclassed in {where}, which grades "
                                         f"it {highest[there]}")
            links[there] = None
            continue
        links[there] = None if cls == "exempt" else cls
        if cls == OTHER and highest[there] < dose.other_grade:
            raise ConfigurationError(f"{dose.file}: class 'other' names the CTCAE term {there!r}, which {where} "
                                     f"never grades {dose.other_grade} or higher")
    for name, grade in highest.items():
        if name not in links:
            if grade >= dose.other_grade:
                raise ConfigurationError(
                    f"{dose.file}: the CTCAE term {name!r} of {where} can be graded {dose.other_grade}-4 but no "
                    f"class names it: list it under [classes.{OTHER}] or in another class, or exempt it")
            links[name] = None
    return links


def _versions(raw: dict[str, Any]) -> dict[str, VersionTerms]:
    return {
        str(version): VersionTerms(
            renamed={str(k): str(v) for k, v in entry.get("renamed", {}).items()},
            absent=frozenset(str(n) for n in entry.get("absent", [])),
            added={str(k): tuple(str(n) for n in v) for k, v in entry.get("added", {}).items()},
            unclassed=frozenset(str(n) for n in entry.get("unclassed", [])),
        )
        for version, entry in raw.items()
    }


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
            exempt_rule=str(raw["exempt"]["rule"]), exempt_status=str(raw["exempt"]["status"]),
            triggers=triggers, actions=actions,
            digest=hashlib.sha256(data).hexdigest()[:12], versions=_versions(raw.get("ctcae_versions", {})),
            file=path.name, max_plausible_activity_factor=float(settings["max_plausible_activity_factor"]),
            deviations=_deviations(raw["deviations"]), sources={str(k): str(v) for k, v in raw["sources"].items()},
        )
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"{path.name}: malformed dose table ({exc})") from exc
    if not table.max_plausible_activity_factor >= 1:
        raise ConfigurationError(f"{path.name}: max_plausible_activity_factor must be at least 1")
    if len(set(table.rule_ids)) != len(table.rule_ids):
        raise ConfigurationError(f"{path.name}: a rule id appears twice")
    if OTHER not in table.classes:
        raise ConfigurationError(f"{path.name}: no class {OTHER!r} (any other grade 3 or 4 adverse reaction)")
    for version in table.versions.values():
        for cls in version.added:
            if cls not in table.classes:
                raise ConfigurationError(f"{path.name}: ctcae_versions adds terms to an unknown class {cls!r}")
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
    texts = [table.exempt_source, table.exempt_status]
    texts += [t for c in table.classes.values() for t in (c.source, c.status)]
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
        table, exempt_source=full(table.exempt_source), exempt_status=full(table.exempt_status),
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
