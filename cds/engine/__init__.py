"""The rule engine as a port: the plain types (``model``) and the ``Engine`` protocol (``port``).

The implementations are imported by their modules, not from here, so that importing ``cds.engine``
never imports durable_rules: ``cds.engine.durable_adapter.RuleEngine`` (the only importer of
``durable``) and ``cds.engine.reference.ReferenceEngine`` (plain Python, the same semantics).
``cds.bootstrap.build_engine`` builds either with every ruleset of prrt-cds.
"""

from __future__ import annotations

from cds.engine.model import OPEN, SEEN, Comparator, EngineFact, Hit, Rule, Ruleset, Test, numeric_fields
from cds.engine.port import Engine

__all__ = ["OPEN", "SEEN", "Comparator", "Engine", "EngineFact", "Hit", "Rule", "Ruleset", "Test", "numeric_fields"]
