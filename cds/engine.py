"""The one adapter around durable_rules. Nothing else in prrt-cds imports ``durable``.

It follows docs/rule-engine.md to the letter, because the engine's C core has hazards that
matter for patient safety:

- one host per process, every ruleset registered eagerly when the host is built (a ruleset name can
  register only once per process), the background dispatcher (two timer threads) disabled;
- one lock around every call into the engine (the core has no locks and never releases the GIL);
- one evaluation = a fresh ``uuid4`` session id (never a patient id: ids are looked up by a 32-bit
  hash with no string compare), facts asserted, the session read, and deleted in ``finally``, so at
  most one session is ever live;
- facts are validated pydantic models whose values are floats or the ruleset's own identifiers (the
  engine coerces strings and booleans in comparisons);
- facts are *asserted*, so a fact fires every rule it matches (an event would be consumed by the
  first); every ruleset has a catch-all rule, so every fact must report back: a missing report, or
  ``state['exception']`` (an action that raised), is an ``EvaluationError``, never "no finding";
- ``MessageNotHandledException`` carries the whole payload: it is never logged, and with the
  catch-all it cannot occur for a well-formed fact.
"""

from __future__ import annotations

import contextlib
import math
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from durable import engine as durable_engine
from durable import lang
from pydantic import BaseModel

from cds.errors import ConfigurationError, EvaluationError

Op = Literal["<", "<=", ">", ">=", "=="]
SEEN = "__seen__"
BATCH = 10_000  # facts per assert call, and the most facts one rule action receives


@dataclass(frozen=True)
class Test:
    """One comparison of a fact field with a constant."""

    field: str
    op: Op
    value: float | str


@dataclass(frozen=True)
class Rule:
    """A named conjunction of tests. The rule fires for every asserted fact that passes them all."""

    id: str
    tests: tuple[Test, ...]


@dataclass(frozen=True)
class Ruleset:
    name: str
    kind: str  # every fact of this ruleset carries ``kind == <kind>``; the catch-all rule keys on it
    rules: tuple[Rule, ...]


class EngineFact(BaseModel):
    """Base of the facts handed to the engine: an id, a kind, and float or identifier fields."""

    # strict: True never becomes 1.0, nor "70" 70.0, on the way in.
    model_config = {"frozen": True, "extra": "forbid", "strict": True}
    id: str
    kind: str


@dataclass(frozen=True)
class Hit:
    fact_id: str
    rule_id: str


class _QuietHost(durable_engine.Host):  # type: ignore[misc]
    """A durable_rules Host without its background dispatcher threads."""

    def _run(self) -> None:
        return None


def _expression(test: Test) -> Any:
    field = getattr(lang.m, test.field)
    value = test.value
    if test.op == "==":
        return field == value
    if test.op == "<":
        return field < value
    if test.op == "<=":
        return field <= value
    if test.op == ">":
        return field > value
    return field >= value


def _definition(ruleset: Ruleset, collect: Callable[[str, str], None]) -> dict[str, Any]:
    """Build the durable_rules definition of ``ruleset`` without touching durable's global registry."""

    def action(rule_id: str) -> Callable[[Any], None]:
        def run(c: Any) -> None:
            matched = c.m if isinstance(c.m, list) else [c.m]
            for fact in matched:
                collect(str(fact.id), rule_id)

        return run

    definition = lang.ruleset(ruleset.name)
    lang._rulesets.pop(ruleset.name, None)  # keep durable's module-level registry empty
    lang._ruleset_stack.append(definition)
    try:
        # cap: one action receives every fact a rule matched in the session (up to BATCH), instead of
        # one action per fact; the action, not the match, is the engine's costly step.
        lang.when_all(lang.cap(BATCH), lang.m.kind == ruleset.kind)(action(SEEN))
        for rule in ruleset.rules:
            expression = _expression(Test("kind", "==", ruleset.kind))
            for test in rule.tests:
                expression = expression & _expression(test)
            lang.when_all(lang.cap(BATCH), expression)(action(rule.id))
    finally:
        lang._ruleset_stack.pop()
    name, body = definition.define()
    assert name == ruleset.name
    return {name: body}


# json.dumps writes floats below 1e-4 or from 1e16 up in exponent form ("3e-05"), which durable_rules'
# parser misreads: the process then crashes (SIGSEGV, reproduced in tests/unit/test_engine.py). Every
# threshold in rules/ lies well inside [1e-3, 1e6], so such magnitudes are mapped to 0.0 or +/-1e15:
# the same side of every threshold.
_TINY, _HUGE = 1e-4, 1e15


def _engine_value(name: str, value: Any, numeric: bool) -> float | str:
    """A fact value the engine can take safely; raises EvaluationError otherwise."""
    if not numeric:
        if type(value) is not str:
            raise EvaluationError(f"fact field {name!r} is not an identifier")
        return value
    if type(value) is not float:  # bool and int are refused too
        raise EvaluationError(f"fact field {name!r} is not a float")
    magnitude = abs(value)
    if magnitude < _TINY:
        return 0.0
    if magnitude >= _HUGE:
        if not math.isfinite(value):
            raise EvaluationError(f"fact field {name!r} is not a finite number")
        return math.copysign(_HUGE, value)
    if value != value:  # NaN: every comparison above was false
        raise EvaluationError(f"fact field {name!r} is not a finite number")
    return value


@cache
def _numeric_fields(model: type[EngineFact]) -> frozenset[str]:
    return frozenset(name for name, info in model.model_fields.items() if info.annotation is float)


OPEN = "__open__"  # the fact that opens every session; only the catch-all rule matches it


def _check_constants(ruleset: Ruleset) -> None:
    """Non-zero thresholds must lie where fact values are exact (see _engine_value), so that the clamp
    never moves a value across one; a magnitude below 1e-4 counts as 0 for the engine."""
    for rule in ruleset.rules:
        for test in rule.tests:
            if isinstance(test.value, float) and test.value != 0.0 and not _TINY * 10 <= abs(test.value) < _HUGE / 1e9:
                raise ConfigurationError(f"rule {rule.id}: threshold {test.value!r} is outside the engine's range")


class RuleEngine:
    """The process's durable_rules host with every ruleset of prrt-cds registered."""

    def __init__(self, rulesets: Iterable[Ruleset]) -> None:
        self._lock = threading.Lock()
        self._hits: list[Hit] = []
        self._kinds: dict[str, str] = {}
        self._opening: dict[str, dict[str, str]] = {}
        self._numeric: dict[str, frozenset[str]] = {}
        self._host = _QuietHost()
        definitions: dict[str, Any] = {}
        for ruleset in rulesets:
            if ruleset.name in self._kinds:
                raise EvaluationError(f"ruleset {ruleset.name!r} defined twice")
            _check_constants(ruleset)
            self._kinds[ruleset.name] = ruleset.kind
            self._opening[ruleset.name] = {"id": OPEN, "kind": ruleset.kind}
            # Fields a rule compares with a number must carry floats, whatever the fact model says.
            self._numeric[ruleset.name] = frozenset(
                test.field for rule in ruleset.rules for test in rule.tests if isinstance(test.value, float)
            )
            definitions.update(_definition(ruleset, self._collect))
        self._host.register_rulesets(definitions)

    def _collect(self, fact_id: str, rule_id: str) -> None:
        self._hits.append(Hit(fact_id, rule_id))

    @property
    def rulesets(self) -> tuple[str, ...]:
        return tuple(self._kinds)

    def _payload(self, ruleset: str, kind: str, facts: Sequence[EngineFact], sid: str) -> list[dict[str, Any]]:
        payload = []
        ids = set()
        for fact in facts:
            body = fact.model_dump()
            if body["kind"] != kind:
                raise EvaluationError(f"fact kind does not belong to ruleset {ruleset!r}")
            numeric = _numeric_fields(type(fact)) | self._numeric[ruleset]
            for name, value in body.items():
                body[name] = _engine_value(name, value, name in numeric)
            if body["id"] in ids or body["id"] == OPEN:
                raise EvaluationError("two facts share an id in one evaluation")
            ids.add(body["id"])
            body["sid"] = sid
            payload.append(body)
        return payload

    def evaluate(self, ruleset: str, facts: Sequence[EngineFact]) -> list[Hit]:
        """Assert ``facts`` in a fresh session of ``ruleset``; return every (fact, rule) that fired."""
        kind = self._kinds.get(ruleset)
        if kind is None:
            raise EvaluationError(f"unknown ruleset {ruleset!r}")
        if not facts:
            return []
        sid = uuid.uuid4().hex
        payload = self._payload(ruleset, kind, facts, sid)
        with self._lock:
            self._hits = []
            try:
                # The session is opened by a fact only the catch-all matches, so it exists before any
                # real fact is asserted (deleting a session that was never created crashes the core).
                self._host.assert_fact(ruleset, {**self._opening[ruleset], "sid": sid})
                # MessageNotHandledException's text holds the whole payload: never log it. With the
                # catch-all rule it means a fact was not processed, which the check below reports.
                for start in range(0, len(payload), BATCH):
                    with contextlib.suppress(durable_engine.MessageNotHandledException):
                        self._host.assert_facts(ruleset, payload[start : start + BATCH])
                state = self._host.get_state(ruleset, sid)
                if isinstance(state, dict) and state.get("exception"):
                    # The text may quote facts: report only that a rule action failed.
                    raise EvaluationError(f"a rule action raised in ruleset {ruleset!r}")
                hits = self._hits
            except EvaluationError:
                raise
            except Exception:  # the core's own errors (e.g. 309, MemoryError at the session limit)
                raise EvaluationError(f"the rule engine failed in ruleset {ruleset!r}") from None
            finally:
                self._hits = []
                with contextlib.suppress(Exception):
                    self._host.delete_state(ruleset, sid)
        seen = {hit.fact_id for hit in hits if hit.rule_id == SEEN} - {OPEN}
        if seen != {body["id"] for body in payload}:
            raise EvaluationError(f"the engine did not process every fact of ruleset {ruleset!r}")
        return [hit for hit in hits if hit.rule_id != SEEN]


_ENGINE: RuleEngine | None = None
_ENGINE_LOCK = threading.Lock()


def get_engine(build: Callable[[], Iterable[Ruleset]]) -> RuleEngine:
    """The process's engine, built once with every ruleset that ``build`` returns."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = RuleEngine(build())
        return _ENGINE
