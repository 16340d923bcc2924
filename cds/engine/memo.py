"""An ``Engine`` that decides identical facts once per process: a bounded LRU of per-fact rule hits.

A ruleset is a pure function of one fact's values and its own tests (docs/rule-engine.md, "Memo"), so
the rules a fact fires depend on nothing but

- the ruleset's definition: its name, kind and every rule with every test (``ruleset_digest``), and
- the fact's body as every engine reads it (``cds.engine.values.fact_bodies``), without its id.

That pair is the key; the value is the ids of the rules the fact fired. Every call still reads and
checks every fact first (kind, shared ids, floats, NaN and infinities: the port's refusals), hit or
miss. The misses of one call go to the wrapped engine in one call: as the bodies read here when it is a
``CheckedEngine`` (so they are not read twice), else as the facts themselves. The hits it returns are
filed under their keys only once that call has succeeded, so a failed evaluation leaves nothing behind.
Each fact's answer is returned under its own id: a conclusion always names its own fact.

The memo holds rule ids, never whole answers: the concern still concludes from them fact by fact.
"""

from __future__ import annotations

import hashlib
import marshal
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from cds.engine.model import EngineFact, Hit, Rule, Ruleset, Test
from cds.engine.port import CheckedEngine, Engine
from cds.engine.values import compared_numerically, fact_bodies
from cds.errors import ConfigurationError, EvaluationError

DEFAULT_SIZE = 200_000  # entries; about 0.25 KiB each for a CTCAE fact (docs/rule-engine.md, "Memo")
MAX_SIZE = 10_000_000  # some 3 GB: a bound beyond this is a typing error, not a setting

# The ruleset's digest (32 bytes) followed by the values its rules can read (see _Keys): one bytes object,
# no tuple around it, so that a remembered fact costs one small object besides the LRU's own entry.
Key = bytes


def ruleset_digest(ruleset: Ruleset) -> bytes:
    """A digest (SHA-256, 32 bytes) of everything that decides the ruleset's hits: name, kind, every rule
    and test (the dataclasses' repr is exact: floats print as the shortest text that reads back as them)."""
    return hashlib.sha256(repr(ruleset).encode()).digest()


class Memo:
    """A thread-safe LRU from a fact's key to the rule ids it fired. ``size`` 0: nothing is kept."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 0:
            raise ConfigurationError(f"engine memo size must be 0 or more, not {size}")
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[Key, tuple[str, ...]] = OrderedDict()
        # Few distinct answers (a hundred or so for CTCAE) stand behind many keys: each is kept once.
        self._answers: dict[tuple[str, ...], tuple[str, ...]] = {}

    @property
    def size(self) -> int:
        return self._size

    def resize(self, size: int) -> None:
        if size < 0:
            raise ConfigurationError(f"engine memo size must be 0 or more, not {size}")
        with self._lock:
            self._size = size
            while len(self._entries) > size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def get_many(self, keys: Iterable[Key]) -> list[tuple[str, ...] | None]:
        with self._lock:
            found = []
            for key in keys:
                rules = self._entries.get(key)
                if rules is not None:
                    self._entries.move_to_end(key)
                found.append(rules)
            return found

    def put_many(self, items: Iterable[tuple[Key, tuple[str, ...]]]) -> None:
        with self._lock:
            for key, rules in items:
                if len(self._answers) >= self._size:
                    self._answers.clear()  # only a sharing of equal tuples: entries keep theirs
                self._entries[key] = self._answers.setdefault(rules, rules)
                self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._answers.clear()


def _out_of_play(test: Test, value: Any) -> bool:
    """Whether an equality test surely fails on ``value``: a value of the test's own type (float or
    identifier) that differs from it. Anything else keeps the rule in play."""
    return type(value) is type(test.value) and value != test.value


class _Keys:
    """How the facts of one ruleset are keyed: by the fields its rules can read for them.

    A rule fires only if each of its tests holds, so a fact fires none of the rules with an equality
    test it surely fails (``_out_of_play``), whatever its other values. The key is made in three parts:

    1. the fact's values of the fields the ruleset tests for an identifier (``term == "anemia"``);
    2. of the rules those leave in play, the values of the fields they test for a number
       (``has_base == 1.0``);
    3. of the rules both leave in play, the values of every other field they test.

    ``None`` stands for an absent field (no engine takes None as a value). Two facts with equal keys put
    the same rules in play and agree on every field those rules test: they fire the same rules."""

    LIMIT = 4096  # combinations of equality-tested values remembered; beyond, the table is rebuilt

    def __init__(self, ruleset: Ruleset) -> None:
        self.digest = ruleset_digest(ruleset)
        self._rules = ruleset.rules
        self._identifiers = _equality_fields(self._rules, str)
        self._plans: dict[tuple[Any, ...], tuple[tuple[str, ...], dict[tuple[Any, ...], tuple[str, ...]]]] = {}

    def _in_play(self, values: dict[str, Any], rules: Iterable[Rule]) -> list[Rule]:
        return [rule for rule in rules
                if not any(t.op == "==" and t.field in values and _out_of_play(t, values[t.field]) for t in rule.tests)]

    def key(self, body: dict[str, Any]) -> Key:
        identifiers = tuple(map(body.get, self._identifiers))
        plan = self._plans.get(identifiers)
        if plan is None:
            if len(self._plans) >= self.LIMIT:
                self._plans.clear()
            candidates = self._in_play(dict(zip(self._identifiers, identifiers, strict=True)), self._rules)
            plan = self._plans[identifiers] = (_equality_fields(candidates, float), {})
        flag_fields, reads_by_flags = plan
        flags = tuple(map(body.get, flag_fields))
        reads = reads_by_flags.get(flags)
        if reads is None:
            values = dict(zip(self._identifiers + flag_fields, identifiers + flags, strict=True))
            in_play = self._in_play(values, self._rules)
            reads = reads_by_flags[flags] = tuple(sorted({t.field for r in in_play for t in r.tests} - set(values)))
        # marshal version 2 writes no back-references: equal values give equal bytes, and the bytes read
        # back as exactly those values (floats in binary, identifiers as text, None for an absent field).
        return self.digest + marshal.dumps((identifiers, flags, tuple(map(body.get, reads))), 2)


def _equality_fields(rules: Iterable[Rule], kind: type) -> tuple[str, ...]:
    """The fields ``rules`` test for equality with a constant of ``kind`` (str or float)."""
    return tuple(sorted({t.field for rule in rules for t in rule.tests if t.op == "==" and type(t.value) is kind}))


class MemoEngine:
    """``engine`` (holding exactly ``rulesets``) with a memo of per-fact hits in front of it."""

    def __init__(self, engine: Engine, rulesets: Iterable[Ruleset], memo: Memo) -> None:
        self._engine = engine
        # the misses go to the engine as the bodies read here, when it takes them (both engines of prrt-cds do)
        self._checked = engine.evaluate_checked if isinstance(engine, CheckedEngine) else None
        self._memo = memo
        self._rulesets = {ruleset.name: ruleset for ruleset in rulesets}
        if tuple(self._rulesets) != engine.rulesets:
            raise ConfigurationError("the memo must be given the rulesets its engine holds")
        self._keys = {name: _Keys(r) for name, r in self._rulesets.items()}
        self._numeric = {name: compared_numerically(r) for name, r in self._rulesets.items()}
        self._order = {name: {rule.id: i for i, rule in enumerate(r.rules)} for name, r in self._rulesets.items()}
        self.hits = 0  # facts answered from the memo (counters are approximate under threads)
        self.misses = 0

    @property
    def rulesets(self) -> tuple[str, ...]:
        return self._engine.rulesets

    @property
    def memo(self) -> Memo:
        return self._memo

    def evaluate(self, ruleset: str, facts: Sequence[EngineFact]) -> list[Hit]:
        definition = self._rulesets.get(ruleset)
        if definition is None:
            raise EvaluationError(f"unknown ruleset {ruleset!r}")
        if self._memo.size == 0 or not facts:
            return self._engine.evaluate(ruleset, facts)
        bodies = fact_bodies(ruleset, definition.kind, self._numeric[ruleset], facts)  # every refusal
        ids = [body["id"] for body in bodies]
        key_of = self._keys[ruleset].key
        keys = [key_of(body) for body in bodies]
        found = self._memo.get_many(keys)
        missing: dict[Key, int] = {}  # the index of one fact per distinct missing key
        for index, (key, rules) in enumerate(zip(keys, found, strict=True)):
            if rules is None and key not in missing:
                missing[key] = index
        self.hits += len(facts) - len(missing)
        self.misses += len(missing)
        if missing:
            fired: dict[str, list[str]] = {ids[index]: [] for index in missing.values()}
            order = self._order[ruleset]
            if self._checked is not None:
                answered = self._checked(ruleset, [bodies[index] for index in missing.values()])
            else:
                answered = self._engine.evaluate(ruleset, [facts[index] for index in missing.values()])
            for hit in answered:
                if hit.fact_id not in fired or hit.rule_id not in order:
                    raise EvaluationError(f"the engine answered outside the facts or rules of ruleset {ruleset!r}")
                fired[hit.fact_id].append(hit.rule_id)
            learned = {key: tuple(sorted(fired[ids[index]], key=order.__getitem__)) for key, index in missing.items()}
            self._memo.put_many(learned.items())
            found = [learned[key] if rules is None else rules for key, rules in zip(keys, found, strict=True)]
        by_rule: dict[str, list[str]] = {rule.id: [] for rule in definition.rules}
        for fact_id, rules in zip(ids, found, strict=True):
            assert rules is not None
            for rule_id in rules:
                by_rule[rule_id].append(fact_id)
        return [Hit(fact_id, rule_id) for rule_id, fact_ids in by_rule.items() for fact_id in fact_ids]
