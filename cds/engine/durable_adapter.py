"""The durable_rules implementation of ``cds.engine.Engine``. Nothing else in prrt-cds imports ``durable``.

It follows docs/rule-engine.md to the letter, because the engine's C core has hazards that
matter for patient safety:

- one host per process, every ruleset registered eagerly when the host is built (a ruleset name can
  register only once per process), the background dispatcher (two timer threads) disabled;
- one lock around every call into the engine (the core has no locks and never releases the GIL);
- one evaluation = a fresh ``uuid4`` session id (never a patient id: ids are looked up by a 32-bit
  hash with no string compare), facts asserted, the session read, and deleted in ``finally``, so at
  most one session is ever live;
- facts are validated pydantic models whose values are floats or the ruleset's own identifiers (the
  engine coerces strings and booleans in comparisons), read by ``cds.engine.values`` as the reference
  engine reads them;
- facts are *asserted*, so a fact fires every rule it matches (an event would be consumed by the
  first); every ruleset has a catch-all rule, so every fact must report back: a missing report, an
  action that raised (``LeanRuleset`` runs the actions itself and never swallows one), or
  ``state['exception']``, is an ``EvaluationError``, never "no finding";
- ``MessageNotHandledException`` carries the whole payload: it is never logged, and with the
  catch-all it cannot occur for a well-formed fact.

The host is process-wide (``process_engine``); only the composition root (``cds.bootstrap``) obtains it.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import durable_rules_engine as core
import orjson
from durable import engine as durable_engine
from durable import lang

from cds.engine.model import OPEN, SEEN, EngineFact, Hit, Ruleset, Test
from cds.engine.values import check_constants, compared_numerically, fact_bodies
from cds.errors import EvaluationError

BATCH = 10_000  # facts per assert call, and the most facts one rule action receives


Action = Callable[[list[dict[str, Any]]], None]  # a rule's action: the facts it matched, as the core gives them


class ActionFailed(Exception):
    """A rule action raised. It carries no text: the action's own exception may quote facts."""


def _json(value: Any) -> str:
    # orjson writes a float of the engine's exact range (cds.engine.values) as json.dumps does, never in
    # exponent form; the core takes text.
    return orjson.dumps(value).decode()


class LeanRuleset(durable_engine.Ruleset):  # type: ignore[misc]
    """A durable_rules ruleset whose facts and actions cross the C core without the Python host's
    per-action machinery.

    durable_rules' own loop (``Ruleset._flush_actions``) builds a closure and a state wrapper for every
    action, serialises the session state back into the core after each one (``update_state``) and drops
    an action silently once it has run for 10 seconds. prrt-cds' rules never read or write the session
    state, so this loop makes the same core calls without those steps: start the session's first
    action, run it on the facts it matched, complete it and start the next, until the core has none
    left. An action that raises abandons the action in the core and fails the evaluation with
    ``ActionFailed``; it is never swallowed."""

    def __init__(self, name: str, host: Any, definition: dict[str, Any]) -> None:
        self._rule_actions: dict[str, Action] = {rule: body["run"] for rule, body in definition.items()}
        super().__init__(name, host, definition)

    def assert_fact(self, fact: dict[str, Any]) -> Any:
        return self._handle_result(core.assert_fact(self._handle, _json(fact)), fact)

    def assert_facts(self, facts: list[dict[str, Any]]) -> Any:
        return self._handle_result(core.assert_facts(self._handle, _json(facts)), facts)

    def do_actions(self, state_handle: Any, complete: Callable[[Any, Any], None]) -> None:
        try:
            started = core.start_action_for_state(self._handle, state_handle)
            if not started:
                complete(None, None)
                return
            message = orjson.loads(started[1])
            while True:
                rule, matched = next(iter(message.items()))  # the core names one action per message
                try:
                    self._rule_actions[rule](_unwrapped(matched))
                except Exception:
                    with contextlib.suppress(Exception):
                        core.abandon_action(self._handle, state_handle)
                    complete(ActionFailed(), None)
                    return
                following = core.complete_and_start_action(self._handle, state_handle)
                if not following:
                    complete(None, None)
                    return
                message = orjson.loads(following)
        except BaseException as error:  # the core's own errors, raised to the adapter as they are
            complete(error, None)


def _unwrapped(matched: Any) -> list[dict[str, Any]]:
    """The facts of an action's message: a list of ``{"m": fact}`` for a capped rule, or one such object."""
    items = matched if isinstance(matched, list) else [matched]
    return [item["m"] if len(item) == 1 and "m" in item else item for item in items]


class QuietHost(durable_engine.Host):  # type: ignore[misc]
    """A durable_rules Host of ``LeanRuleset``s without its background dispatcher threads. The hazard
    tests give ``RuleEngine`` a subclass of it that misbehaves as the C core can (a lost delete, a
    payload raised)."""

    def _run(self) -> None:
        return None

    def register_rulesets(self, ruleset_definitions: dict[str, Any]) -> list[str]:
        for name, definition in ruleset_definitions.items():
            if name in self._ruleset_directory:
                raise EvaluationError(f"ruleset {name!r} registered twice")
            ruleset = LeanRuleset(name, self, definition)
            self._ruleset_directory[name] = ruleset
            self._ruleset_list.append(ruleset)
        return list(ruleset_definitions)


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

    def action(rule_id: str) -> Action:
        def run(matched: list[dict[str, Any]]) -> None:
            for fact in matched:
                collect(fact["id"], rule_id)  # every id is a string: fact_bodies refuses anything else

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


class RuleEngine:
    """The process's durable_rules host with every ruleset of prrt-cds registered."""

    def __init__(self, rulesets: Iterable[Ruleset], *, host: type[QuietHost] = QuietHost) -> None:
        self._lock = threading.Lock()
        self._hits: list[tuple[str, str]] = []  # (fact id, rule id) as the actions report them
        self._kinds: dict[str, str] = {}
        self._opening: dict[str, dict[str, str]] = {}
        self._numeric: dict[str, frozenset[str]] = {}
        self._host = host()
        definitions: dict[str, Any] = {}
        for ruleset in rulesets:
            if ruleset.name in self._kinds:
                raise EvaluationError(f"ruleset {ruleset.name!r} defined twice")
            check_constants(ruleset)
            self._kinds[ruleset.name] = ruleset.kind
            self._opening[ruleset.name] = {"id": OPEN, "kind": ruleset.kind}
            self._numeric[ruleset.name] = compared_numerically(ruleset)
            definitions.update(_definition(ruleset, self._collect))
        self._host.register_rulesets(definitions)

    def _collect(self, fact_id: str, rule_id: str) -> None:
        self._hits.append((fact_id, rule_id))

    @property
    def rulesets(self) -> tuple[str, ...]:
        return tuple(self._kinds)

    def evaluate(self, ruleset: str, facts: Sequence[EngineFact]) -> list[Hit]:
        """Assert ``facts`` in a fresh session of ``ruleset``; return every (fact, rule) that fired."""
        kind = self._kinds.get(ruleset)
        if kind is None:
            raise EvaluationError(f"unknown ruleset {ruleset!r}")
        if not facts:
            return []
        return self.evaluate_checked(ruleset, fact_bodies(ruleset, kind, self._numeric[ruleset], facts))

    def evaluate_checked(self, ruleset: str, bodies: Sequence[dict[str, Any]]) -> list[Hit]:
        """``evaluate`` of bodies ``fact_bodies`` gave for ``ruleset`` (``cds.engine.port.CheckedEngine``)."""
        if ruleset not in self._kinds:
            raise EvaluationError(f"unknown ruleset {ruleset!r}")
        if not bodies:
            return []
        sid = uuid.uuid4().hex
        payload = [{**body, "sid": sid} for body in bodies]
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
                raised = isinstance(state, dict) and bool(state.get("exception"))
                hits = self._hits
            except EvaluationError:
                raise
            except ActionFailed:
                raised = True
            except Exception:  # the core's own errors (e.g. 309, MemoryError at the session limit)
                raise EvaluationError(f"the rule engine failed in ruleset {ruleset!r}") from None
            finally:
                self._hits = []
                with contextlib.suppress(Exception):
                    self._host.delete_state(ruleset, sid)
        if raised:  # outside the handler: the action's exception may quote facts, so none is chained
            raise EvaluationError(f"a rule action raised in ruleset {ruleset!r}")
        seen = {fact_id for fact_id, rule_id in hits if rule_id == SEEN}
        seen.discard(OPEN)
        if seen != {body["id"] for body in payload}:
            raise EvaluationError(f"the engine did not process every fact of ruleset {ruleset!r}")
        return [Hit(fact_id, rule_id) for fact_id, rule_id in hits if rule_id != SEEN]


_ENGINE: RuleEngine | None = None
_ENGINE_LOCK = threading.Lock()


def process_engine(build: Callable[[], Iterable[Ruleset]]) -> RuleEngine:
    """The process's durable_rules engine, built once with every ruleset that ``build`` returns: a
    ruleset name registers only once per process. Only the composition root (``cds.bootstrap``) calls it."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = RuleEngine(build())
        return _ENGINE
