"""The protocol checks' engine ruleset, compiled from the table, and engine hits -> ``ProtocolCheck``s.

One ruleset: every rule tests its check's id, then its conditions; of the rules a check's fact fires,
the lowest priority decides (rules/protocol_checks.toml). A check no rule decides is "unknown".
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cds.engine import Engine, Rule, Ruleset, Test
from cds.protocol.conclusions import ProtocolCheck
from cds.protocol.prepare import KIND, Prepared
from cds.protocol.table import CHECKS, CheckId, ProtocolTable

RULESET = "protocol_checks"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def compile_rulesets(table: ProtocolTable) -> list[Ruleset]:
    rules = [
        Rule(id=rule.rule, tests=(Test("check", "==", check),
                                  *(Test(c.field, c.op, c.threshold) for c in rule.tests)))
        for check in CHECKS for rule in table.rules[check]
    ]
    return [Ruleset(name=RULESET, kind=KIND, rules=tuple(rules))]


MAY_BE_EMPTY = frozenset({"form"})  # placeholders that add a note only when there is one


def shown(text: str, values: Mapping[str, str]) -> str:
    """A rule's text with the record's values in place (a value the record lacks reads "unknown"; one
    given as empty, such as ``form`` of a record that states its form, reads as nothing)."""
    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        return found if found or (found == "" and match.group(1) in MAY_BE_EMPTY) else "unknown"

    return _PLACEHOLDER.sub(value, text)


def decide(prepared: Mapping[CheckId, Prepared], table: ProtocolTable, engine: Engine) -> tuple[ProtocolCheck, ...]:
    """Each check's status: the lowest-priority rule its fact fires, else "unknown"."""
    fired: dict[str, set[str]] = {check: set() for check in prepared}
    for hit in engine.evaluate(RULESET, [p.fact for p in prepared.values()]):
        fired[hit.fact_id].add(hit.rule_id)
    out = []
    for check in CHECKS:
        if check not in prepared:
            continue
        found = prepared[check]
        rule = next((r for r in table.rules[check] if r.rule in fired[check]), None)
        if rule is None:  # defensive: a table whose rules leave a case open never reads "ok"
            out.append(ProtocolCheck(check=check, status="unknown", rule="protocol.undecided",
                                     text=f"{table.titles[check]}: no rule of {table.file} decides this record",
                                     evidence=found.evidence))
            continue
        out.append(ProtocolCheck(check=check, status=rule.outcome, text=shown(rule.text, found.values),
                                 rule=rule.rule, source=rule.source, verification=rule.status,
                                 evidence=found.evidence, stops_cycle=rule.stops_cycle))
    return tuple(out)
