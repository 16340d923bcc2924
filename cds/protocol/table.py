"""Read and check ``rules/protocol_checks.toml``: the settings, and per check its rules (each a ``when``
in the one condition grammar of the rule tables, a priority, an outcome, a text, a source and a status).

Each check allows its own fields (``FIELDS``); a rule naming another, a priority used twice within a
check, an outcome other than ok / warning / unknown, a text placeholder that is neither a setting nor a
value of the record (``VALUES``), or a source key not in ``[sources]`` is a ``ConfigurationError`` at
load time. The potassium check names a CTCAE term: a link into the CTCAE table in force, checked with
the other links when the tables are used together (``check_links``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from cds.ctcae.table import CtcaeTable
from cds.errors import ConfigurationError
from cds.rulebook.files import rules_dir
from cds.rulebook.grammar import Comparison, Names, check_flags, parse_when
from cds.rulebook.links import duplicates
from cds.rulebook.placeholders import fill
from cds.rulebook.precedence import by_priority
from cds.rulebook.reading import malformed, read_table

CheckId = Literal["ssa-long-acting", "ssa-short-acting", "pregnancy", "amino-acids", "potassium", "kidney-dose"]
Outcome = Literal["ok", "warning", "unknown"]
# The checks of the output contract (docs/outputs.md ``protocol_checks``), in the order they are listed.
CHECKS: tuple[CheckId, ...] = ("ssa-long-acting", "ssa-short-acting", "pregnancy", "amino-acids", "potassium",
                               "kidney-dose")
OUTCOMES: tuple[Outcome, ...] = ("ok", "warning", "unknown")

# The fields each check's facts carry (cds/protocol/prepare.py): the yes/no ones are flags.
_SSA = ("unusable", "recorded", "ongoing", "absence_reads_ok", "order_only")
FIELDS: dict[CheckId, tuple[str, ...]] = {
    "ssa-long-acting": (*_SSA, "days"),
    "ssa-short-acting": (*_SSA, "hours"),
    "pregnancy": ("recorded", "pregnant", "indeterminate", "age_days", "sex_known", "female", "age_known",
                  "age_years", "later_cycle", "every_cycle", "excluded", "earlier_positive", "earlier_positive_days"),
    "amino-acids": ("unusable", "recorded", "volume_known", "volume_ml", "in_orders"),
    "potassium": ("recorded", "age_days", "graded", "grade"),
    # from the kidney dosimetry (cds.dosimetry, rules/kidney_dosimetry.toml), listed only where it exists
    "kidney-dose": ("unusable", "delivered_over", "projected", "projected_over"),
}
FLAGS = frozenset({"unusable", "recorded", "ongoing", "absence_reads_ok", "order_only", "pregnant", "indeterminate",
                   "sex_known", "female", "age_known", "later_cycle", "every_cycle", "volume_known", "graded",
                   "in_orders", "excluded", "delivered_over", "projected", "projected_over", "earlier_positive"})
# Values of the record a text names, filled when the check is shown.
VALUES = frozenset({"date", "days", "hours", "hours_to_start", "problem", "value", "grade", "age_days", "age_years",
                    "sex", "test",
                    "volume_ml", "ctcae_version", "reason", "term", "condition", "bed", "absorbed", "limits",
                    "planned", "max_activity", "exceeded", "why", "form", "positive_test", "positive_date",
                    "positive_days"})
_SOURCE_KEY = re.compile(r"(?<![\w])(S\d+|US PI|LysaKare)(?![\w])")


@dataclass(frozen=True)
class CheckRule:
    rule: str
    check: CheckId
    priority: int
    tests: tuple[Comparison, ...]
    outcome: Outcome
    text: str  # settings filled; the record's values ({date} ...) left for when it is shown
    source: str  # written out in full
    status: str
    # a warning that means the cycle must not be given as ordered (a positive pregnancy test): the cards
    # then recommend holding the Lutathera order instead of only naming the check
    stops_cycle: bool = False


@dataclass(frozen=True)
class ProtocolTable:
    version: str
    title: str
    settings: dict[str, float]
    titles: dict[CheckId, str]
    rules: dict[CheckId, tuple[CheckRule, ...]]  # per check, by priority (lowest first)
    potassium_term: str
    digest: str
    file: str = "protocol_checks.toml"
    # the MedicationRequest a card offers to create when the orders being signed have no amino acids
    amino_acid_order: Mapping[str, Any] = field(default_factory=dict)
    # checks whose "unknown" alone asks for a card on the order hooks (the cycle is not to be given
    # until the record says: pregnancy not excluded)
    card_when_unknown: frozenset[CheckId] = frozenset()

    def setting(self, name: str) -> float:
        return self.settings[name]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(rule.rule for check in CHECKS for rule in self.rules[check])


def _numbers(raw: dict[str, Any], file: str) -> dict[str, float]:
    settings: dict[str, float] = {}
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigurationError(f"{file}: [settings] {name} is not a number")
        settings[name] = float(value)
    for name in ("no_ssa_reads_ok", "pregnancy_every_cycle"):
        if settings.get(name) not in (0.0, 1.0):
            raise ConfigurationError(f"{file}: [settings] {name} must be 0 or 1")
    if not 0 <= settings.get("cycle_hour", -1) <= 23:
        raise ConfigurationError(f"{file}: [settings] cycle_hour must be an hour, 0 to 23")
    return settings


def _written_out(text: str, sources: dict[str, str], settings: dict[str, float], file: str, entry: str) -> str:
    unknown = sorted({key for key in _SOURCE_KEY.findall(text)} - set(sources))
    if unknown:
        raise ConfigurationError(f"{file}: {entry}: sources {', '.join(unknown)} are not listed in [sources]")
    filled = fill(text, settings, file=file, entry=entry)
    keys = sorted(sources, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w])")
    return pattern.sub(lambda m: sources[m.group(1)], filled)


def _rule(entry: dict[str, Any], check: CheckId, settings: dict[str, float], sources: dict[str, str],
          file: str) -> CheckRule:
    rule = str(entry["rule"])
    names = Names(fields=FIELDS[check], forms=("flag", "setting"), settings=settings, what="check condition")
    tests = parse_when(str(entry["when"]), names, file=file, entry=rule)
    check_flags(tests, FLAGS, file=file, entry=rule)
    outcome = entry["outcome"]
    if outcome not in OUTCOMES:
        raise ConfigurationError(f"{file}: {rule}: outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
    stops_cycle = entry.get("stops_cycle", False)
    if not isinstance(stops_cycle, bool) or (stops_cycle and outcome != "warning"):
        raise ConfigurationError(f"{file}: {rule}: stops_cycle must be true or false, and true only on a warning")
    return CheckRule(
        rule=rule, check=check, priority=int(entry["priority"]), tests=tests, outcome=outcome,
        text=fill(str(entry["text"]), settings, file=file, entry=rule, keep=VALUES),
        source=_written_out(str(entry["source"]), sources, settings, file, rule),
        status=_written_out(str(entry["status"]), sources, settings, file, rule), stops_cycle=stops_cycle,
    )


def _flag(section: dict[str, Any], name: str, file: str) -> bool:
    value = section.get(name, False)
    if not isinstance(value, bool):
        raise ConfigurationError(f"{file}: {name} must be true or false")
    return value


def _order_template(raw: Any, file: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or raw.get("resourceType") != "MedicationRequest":
        raise ConfigurationError(f"{file}: [checks.amino-acids.order_template] is not a MedicationRequest")
    set_by_prrt_cds = sorted({"subject", "authoredOn", "status", "intent", "id"} & set(raw))
    if set_by_prrt_cds:
        raise ConfigurationError(f"{file}: [checks.amino-acids.order_template] sets {', '.join(set_by_prrt_cds)}, "
                                 "which prrt-cds fills in")
    return raw


def load_table(path: Path) -> ProtocolTable:
    read = read_table(path, "protocol table")
    file = path.name
    with malformed(file, "protocol table"):
        raw = read.content
        settings = _numbers(raw["settings"], file)
        sources = {str(k): str(v) for k, v in raw["sources"].items()}
        checks = raw["checks"]
        unknown = sorted(set(checks) - set(CHECKS))
        if unknown or set(CHECKS) - set(checks):
            raise ConfigurationError(f"{file}: [checks] must be exactly {', '.join(CHECKS)}"
                                     + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
        rules: dict[CheckId, tuple[CheckRule, ...]] = {}
        for check in CHECKS:
            ordered = by_priority(checks[check]["rule"], file=file, section=f"checks.{check}.rule")
            rules[check] = tuple(_rule(entry, check, settings, sources, file) for entry in ordered)
        table = ProtocolTable(
            version=str(raw["meta"]["version"]), title=str(raw["meta"]["title"]), settings=settings,
            titles={check: str(checks[check]["title"]) for check in CHECKS}, rules=rules,
            potassium_term=str(checks["potassium"]["ctcae_term"]), digest=read.digest, file=file,
            amino_acid_order=_order_template(checks["amino-acids"]["order_template"], file),
            card_when_unknown=frozenset(check for check in CHECKS if _flag(checks[check], "card_when_unknown", file)),
        )
    twice = duplicates(table.rule_ids)
    if twice:
        raise ConfigurationError(f"{file}: a rule id appears twice ({', '.join(twice)})")
    return table


def check_links(protocol: ProtocolTable, ctcae: CtcaeTable) -> None:
    """The potassium check's CTCAE term must be a term of the CTCAE table in force, graded on potassium."""
    term = next((t for t in ctcae.terms if t.name == protocol.potassium_term), None)
    if term is None:
        raise ConfigurationError(f"{protocol.file}: the potassium check names the CTCAE term "
                                 f"{protocol.potassium_term!r}, which is not in the CTCAE v{ctcae.version} table "
                                 f"({ctcae.file})")
    if term.analyte != "potassium":
        raise ConfigurationError(
            f"{protocol.file}: the CTCAE term {term.name!r} grades {term.analyte!r}, not potassium")


@cache
def table() -> ProtocolTable:
    return load_table(rules_dir() / "protocol_checks.toml")
