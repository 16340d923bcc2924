"""Read and check ``rules/lutathera_dose.toml``: settings, toxicity classes, triggers, actions, deviations.

- triggers: one fact per measure (a CTCAE grade of a toxicity class, creatinine clearance, ratios to
  baseline, bilirubin x ULN, albumin with its INR, eligibility values) -> which trigger is met;
- actions: one fact per toxicity class state -> withhold / reduce / proceed / discontinue.
The "when" strings are read with the one condition grammar of the rule tables
(``cds.rulebook.grammar``, documented in the table); each list allows its own names and forms, and
anything else is rejected at load time. Trigger and action texts take their numbers from
``[settings]`` (``{reduced_activity_gbq}``, ``cds.rulebook.placeholders``).
``cds.dose.decide`` compiles the table into the engine's two rulesets.

The classes and the exemption name CTCAE terms. They are links into the selected CTCAE table, checked
when the two tables are used together (``term_classes``): a name that table does not have, a term it
can grade 3-4 that no class names, or a term named twice is a ``ConfigurationError``, never a silent
"other".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from cds.concern import DEFAULT_CTCAE_VERSION
from cds.ctcae.table import CtcaeTable
from cds.ctcae.table import table as ctcae_table
from cds.dose.conclusions import same_activity, shifted_grade
from cds.errors import ConfigurationError
from cds.rulebook.files import rules_dir
from cds.rulebook.grammar import Comparison, Names, parse_when
from cds.rulebook.links import duplicates, missing
from cds.rulebook.placeholders import fill
from cds.rulebook.precedence import by_priority
from cds.rulebook.reading import malformed, read_table
from cds.tables import analytes

DoseAction = Literal["proceed", "reduce", "withhold", "discontinue"]

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
# The values a deviation text names, filled when the deviation is shown (cds.dose.deviations); every other
# placeholder of a deviation text is a setting, filled when the table loads.
DEVIATION_VALUES = frozenset({"given", "maximum", "discontinued_at", "days", "previous", "minimum", "recommended"})
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
    action: DoseAction
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
    # names in that version -> how many grades its bands sit below the bands the label's rows were written
    # on (this table's own CTCAE version): a grade g >= 1 there acts on the classes as grade g + shift (at
    # most 4). Checked against both CTCAE tables when they are linked (_shift_checked).
    grade_shift: dict[str, int] = field(default_factory=dict)


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
    # after the planned course: a CTCAE grade at or above it since the last cycle makes the chart card a warning
    after_course_warning_grade: int = 3
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
        return same_activity(given, target, self.deviations.activity_tolerance if self.deviations else 0.0)

    @property
    def max_plausible_activity_gbq(self) -> float:
        """Above this, or at or below 0, an activity cannot be one Lutathera cycle (settings)."""
        return self.full_activity_gbq * self.max_plausible_activity_factor

    def class_of(self, term: str, ctcae_version: str = DEFAULT_CTCAE_VERSION) -> str | None:
        """The toxicity class of a term of the selected CTCAE table; None: exempt, or never graded high
        enough for any class to act on it. A term that table does not have raises ConfigurationError."""
        links = term_classes(self, ctcae_table(ctcae_version))
        if term not in links:
            raise ConfigurationError(f"{self.file}: {term!r} is not a term of the CTCAE v{ctcae_version} table")
        return links[term]

    def has_class(self, term: str, ctcae_version: str = DEFAULT_CTCAE_VERSION) -> bool:
        """Whether a term a result was (or could not be) graded for acts on a toxicity class. The terms of
        the CTCAE table's ``not_graded`` list (eGFR: Chronic kidney disease) are not among its terms and
        act on none; a graded term goes through ``class_of``, which refuses a term the table lacks."""
        return term_classes(self, ctcae_table(ctcae_version)).get(term) is not None

    def dose_grade(self, term: str, grade: int, ctcae_version: str = DEFAULT_CTCAE_VERSION) -> tuple[int, int]:
        """The grade a term's CTCAE grade acts as on the toxicity classes, and the shift that made it (0:
        the grade itself). A term of a version whose bands sit below the label's (``grade_shift``) acts on
        the label's bands: CTCAE v6.0 neutrophils 0.5 - <1.0 x10^9/L, grade 2 there, act as grade 3."""
        shift = self.versions.get(ctcae_version, VersionTerms()).grade_shift.get(term, 0)
        return shifted_grade(grade, shift), shift if grade >= 1 else 0

    def is_exempt(self, term: str, ctcae_version: str = DEFAULT_CTCAE_VERSION) -> bool:
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
    for name, shift in version.grade_shift.items():
        _shift_checked(dose, ctcae, name, shift, links)
    for name, grade in highest.items():
        if name not in links:
            if grade >= dose.other_grade:
                raise ConfigurationError(
                    f"{dose.file}: the CTCAE term {name!r} of {where} can be graded {dose.other_grade}-4 but no "
                    f"class names it: list it under [classes.{OTHER}] or in another class, or exempt it")
            links[name] = None
    return links


def _shift_checked(dose: DoseTable, ctcae: CtcaeTable, name: str, shift: int,
                   links: Mapping[str, str | None]) -> None:
    """A ``grade_shift`` entry is true of the two CTCAE tables: the term is classed in ``ctcae``, and each
    of its grades g (g + shift <= 4) has, in every unit set, the very conditions of grade g + shift of the
    same term in the table the label's classes are written in (DEFAULT_CTCAE_VERSION)."""
    where = f"the CTCAE v{ctcae.version} table ({ctcae.file})"
    if ctcae.version == DEFAULT_CTCAE_VERSION or not isinstance(shift, int) or not 1 <= shift <= 3:
        raise ConfigurationError(f"{dose.file}: grade_shift of {name!r} must be 1-3 grades, for a CTCAE version "
                                 f"other than {DEFAULT_CTCAE_VERSION}")
    if links.get(name) is None:
        raise ConfigurationError(f"{dose.file}: grade_shift names {name!r}, which is not a classed term of {where}")
    version = dose.versions.get(ctcae.version, VersionTerms())
    here_name = next((old for old, new in version.renamed.items() if new == name), name)
    label = {t.name: t for t in ctcae_table(DEFAULT_CTCAE_VERSION).terms}.get(here_name)
    term = {t.name: t for t in ctcae.terms}[name]
    if label is None or set(label.sets) != set(term.sets):
        raise ConfigurationError(f"{dose.file}: grade_shift of {name!r}: CTCAE v{DEFAULT_CTCAE_VERSION} has no "
                                 f"term {here_name!r} with the same unit sets")

    def bands(criteria: tuple[Any, ...], grade: int) -> set[tuple[Any, ...]]:
        return {tuple((c.kind, c.op, c.threshold) for c in k.conditions) for k in criteria if k.grade == grade}

    for unit_set, criteria in term.sets.items():
        for grade in range(1, 5 - shift):
            if not bands(criteria, grade) or bands(criteria, grade) != bands(label.sets[unit_set], grade + shift):
                raise ConfigurationError(
                    f"{dose.file}: grade_shift of {name!r} by {shift}: grade {grade} of {where} ({unit_set}) is not "
                    f"grade {grade + shift} of CTCAE v{DEFAULT_CTCAE_VERSION}")


def _versions(raw: dict[str, Any]) -> dict[str, VersionTerms]:
    return {
        str(version): VersionTerms(
            renamed={str(k): str(v) for k, v in entry.get("renamed", {}).items()},
            absent=frozenset(str(n) for n in entry.get("absent", [])),
            added={str(k): tuple(str(n) for n in v) for k, v in entry.get("added", {}).items()},
            unclassed=frozenset(str(n) for n in entry.get("unclassed", [])),
            grade_shift={str(k): v for k, v in entry.get("grade_shift", {}).items()},
        )
        for version, entry in raw.items()
    }


def _trigger(entry: dict[str, Any], phase: Literal["on", "pre"], classes: dict[str, ToxicityClass],
             settings: dict[str, Any], file: str) -> Trigger:
    rule = str(entry["rule"])
    measures = (*MEASURES, *(f"grade:{key}" for key in classes))
    names = Names(fields=(*measures, *PARTNERS), forms=("number",), ops=("<", "<=", ">", ">="), what="trigger")
    comparisons = list(parse_when(str(entry["when"]), names, file=file, entry=rule))
    measure = comparisons[0].field
    if measure not in measures:
        raise ConfigurationError(f"{file}: {rule}: unknown measure {measure!r}")
    comparisons[0] = replace(comparisons[0], field="value")  # the measure's value is the fact's ``value``
    for comparison in comparisons[1:]:
        if comparison.field not in PARTNERS:
            raise ConfigurationError(f"{file}: {rule}: {comparison.field!r} cannot follow 'and'")
    toxicity_class = entry.get("class")
    if phase == "on" and toxicity_class not in classes:
        raise ConfigurationError(f"{file}: {rule}: unknown class {toxicity_class!r}")
    return Trigger(
        rule=rule, phase=phase, toxicity_class=toxicity_class, measure=measure, tests=tuple(comparisons),
        text=fill(str(entry["text"]), settings, file=file, entry=rule), source=str(entry["source"]),
        status=str(entry["status"]),
    )


def _action(key: str, entry: dict[str, Any], settings: dict[str, Any], file: str) -> ActionRule:
    """One [actions.<key>] row: the class's flags, and delay_days compared with the max_delay_days setting."""
    names = Names(fields=(*FLAGS, "delay_days"), forms=("flag", "setting"), ops=(">=", "<", "=="),
                  settings={"max_delay_days": float(settings["max_delay_days"])}, what="action condition")
    flags: dict[str, bool] = {}
    delay: bool | None = None
    for comparison in parse_when(str(entry["when"]), names, file=file, entry=f"action {key}"):
        if comparison.field == "delay_days":
            if comparison.form != "setting" or comparison.op == "==":
                raise ConfigurationError(f"{file}: action {key}: delay_days is compared with max_delay_days")
            delay = comparison.op == ">="
        elif comparison.form != "flag":
            raise ConfigurationError(f"{file}: action {key}: {comparison.field!r} is a flag")
        else:
            flags[comparison.field] = comparison.wanted
    action = entry["action"]
    if action not in ("proceed", "reduce", "withhold", "discontinue"):
        raise ConfigurationError(f"{file}: action {key}: unknown action {action!r}")
    return ActionRule(key=key, action=action, flags=flags, delay_reached=delay,
                      text=fill(str(entry["text"]), settings, file=file, entry=f"action {key}"),
                      source=str(entry["source"]), status=str(entry["status"]))


def _grade(value: object, file: str) -> int:
    """A CTCAE grade setting, 1 to 5; else ConfigurationError naming the file."""
    if type(value) is not int or not 1 <= value <= 5:
        raise ConfigurationError(f"{file}: after_course_warning_grade must be a CTCAE grade, 1 to 5, not {value!r}")
    return value


def load_table(path: Path) -> DoseTable:
    read = read_table(path, "dose table")
    with malformed(path.name, "dose table"):
        raw = read.content
        settings = raw["settings"]
        classes = {
            key: ToxicityClass(key=key, terms=tuple(entry["terms"]), source=str(entry["source"]),
                               status=str(entry["status"]))
            for key, entry in raw["classes"].items()
        }
        triggers = tuple(_trigger(e, "on", classes, settings, path.name) for e in raw["trigger"])
        triggers += tuple(_trigger(e, "pre", classes, settings, path.name) for e in raw["eligibility"])
        actions = tuple(_action(key, entry, settings, path.name) for key, entry in raw["actions"].items())
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
            digest=read.digest, versions=_versions(raw.get("ctcae_versions", {})),
            file=path.name, max_plausible_activity_factor=float(settings["max_plausible_activity_factor"]),
            after_course_warning_grade=_grade(settings["after_course_warning_grade"], path.name),
            deviations=_deviations(raw["deviations"], settings, path.name),
            sources={str(k): str(v) for k, v in raw["sources"].items()},
        )
    if not table.max_plausible_activity_factor >= 1:
        raise ConfigurationError(f"{path.name}: max_plausible_activity_factor must be at least 1")
    twice = duplicates(table.rule_ids)
    if twice:
        raise ConfigurationError(f"{path.name}: a rule id appears twice ({', '.join(twice)})")
    unknown = missing(table.required_analytes, analytes().analytes)
    if unknown:  # a link into fhir_mappings/analytes.toml: a misspelt analyte would never have a result
        raise ConfigurationError(f"{path.name}: required_analytes names {', '.join(map(repr, unknown))}, which "
                                 f"fhir_mappings/analytes.toml does not have")
    if OTHER not in table.classes:
        raise ConfigurationError(f"{path.name}: no class {OTHER!r} (any other grade 3 or 4 adverse reaction)")
    for version in table.versions.values():
        for cls in version.added:
            if cls not in table.classes:
                raise ConfigurationError(f"{path.name}: ctcae_versions adds terms to an unknown class {cls!r}")
    return _with_sources_written_out(table, path.name, settings)


def _deviations(raw: dict[str, Any], settings: dict[str, Any], file: str) -> Deviations:
    rules: dict[DeviationKind, DeviationRule] = {}
    ordered = by_priority(raw["kind"], file=file, section="deviations.kind", key="kind")
    for entry in ordered:
        kind = entry["kind"]
        if kind not in DEVIATION_KINDS or kind in rules:
            raise ValueError(f"deviation kind {kind!r} unknown or listed twice")
        text = fill(str(entry["text"]), settings, file=file, entry=f"deviation {kind}", keep=DEVIATION_VALUES)
        rules[kind] = DeviationRule(kind=kind, rule=str(entry["rule"]), text=text, source=str(entry["source"]))
    missing = [kind for kind in DEVIATION_KINDS if kind not in rules]
    if missing:
        raise ValueError(f"deviation kinds without a rule: {', '.join(missing)}")
    if tuple(rules) != DEVIATION_KINDS:
        # The severity order is part of the output contract (docs/outputs.md: `deviation` is the most
        # severe): the table states it, and it must be the one the outputs are documented with.
        raise ConfigurationError(f"{file}: [[deviations.kind]] priorities give the severity order "
                                 f"{', '.join(rules)}, not {', '.join(DEVIATION_KINDS)}")
    deviations = Deviations(
        activity_tolerance=float(raw["activity_tolerance"]), min_interval_days=int(raw["min_interval_days"]),
        rules={kind: rules[kind] for kind in DEVIATION_KINDS},
    )
    if not 0 <= deviations.activity_tolerance < 0.5:
        raise ValueError("activity_tolerance must be at least 0 and below 0.5")
    return deviations


def _with_sources_written_out(table: DoseTable, name: str, settings: dict[str, Any]) -> DoseTable:
    """Every source and status with its keys resolved through ``[sources]`` and its ``{setting}``
    placeholders filled; an unknown key or placeholder is an error."""
    texts = [table.exempt_source, table.exempt_status]
    texts += [t for c in table.classes.values() for t in (c.source, c.status)]
    texts += [t for trigger in table.triggers for t in (trigger.source, trigger.status)]
    texts += [t for action in table.actions for t in (action.source, action.status)]
    if table.deviations:
        texts += [rule.source for rule in table.deviations.rules.values()]
    unknown = sorted({key for text in texts for key in _SOURCE_KEY.findall(text)} - set(table.sources))
    if unknown:
        raise ConfigurationError(f"{name}: sources {', '.join(unknown)} are not listed in [sources]")
    def full(text: str) -> str:
        return table.source_text(fill(text, settings, file=name, entry="source or status"))

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


@cache
def table() -> DoseTable:
    return load_table(rules_dir() / "lutathera_dose.toml")
