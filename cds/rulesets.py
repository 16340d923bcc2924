"""Every ruleset of prrt-cds, compiled from rules/ once per process, and the version string they make."""

from __future__ import annotations

from functools import cache

from cds import dose_table
from cds.ctcae import compile_ruleset
from cds.ctcae_table import available_versions, table
from cds.engine import RuleEngine, Ruleset, get_engine


def all_rulesets() -> list[Ruleset]:
    """All rulesets, built eagerly: durable_rules can register a ruleset name only once per process."""
    ctcae = [compile_ruleset(table(version)) for version in sorted(available_versions())]
    return ctcae + dose_table.compile_rulesets(dose_table.table())


def engine() -> RuleEngine:
    return get_engine(all_rulesets)


@cache
def ruleset_version(ctcae_version: str = "5.0") -> str:
    """e.g. ``ctcae-5.0+<content hash>``: names the tables in force so results can be traced to them."""
    ctcae = table(ctcae_version)
    dose = dose_table.table()
    return f"ctcae-{ctcae.version}+lutathera-{dose.version}+{ctcae.digest}{dose.digest}"
