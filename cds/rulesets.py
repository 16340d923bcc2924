"""Every ruleset of prrt-cds, compiled from rules/ once per process, and the version string they make."""

from __future__ import annotations

import hashlib
from functools import cache

from cds.ctcae.decide import compile_ruleset
from cds.ctcae.table import available_versions, table
from cds.data_files import mappings_dir
from cds.dose import table as dose_table
from cds.dose.decide import compile_rulesets as dose_rulesets
from cds.engine import RuleEngine, Ruleset, get_engine
from cds.recist import decide as recist_decide
from cds.recist import table as recist_table


def check_tables(ctcae_version: str) -> None:
    """Check the links between the tables in force (the dose table's CTCAE terms against the selected
    CTCAE table). Raises ConfigurationError naming the table, the class and the term."""
    dose_table.term_classes(dose_table.table(), table(ctcae_version))


def all_rulesets() -> list[Ruleset]:
    """All rulesets, built eagerly: durable_rules can register a ruleset name only once per process.
    Every CTCAE version that can be selected is checked against the dose table first."""
    versions = sorted(available_versions())
    for version in versions:
        check_tables(version)
    ctcae = [compile_ruleset(table(version)) for version in versions]
    dose = dose_rulesets(dose_table.table())
    return ctcae + dose + recist_decide.compile_rulesets(recist_table.table())


def engine() -> RuleEngine:
    return get_engine(all_rulesets)


def mappings_digest() -> str:
    """A hash of every table in fhir_mappings/: unit factors and default ranges change grades too."""
    digest = hashlib.sha256()
    for path in sorted(mappings_dir().glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


@cache
def ruleset_version(ctcae_version: str = "5.0") -> str:
    """``ctcae-5.0+lutathera-2024-04+recist-1.1+<content hash>``: the tables in force (rules/ and
    fhir_mappings/), so that every result can be traced to the exact rules and mappings that produced
    it. The tables' links are checked first: a version string is never made for tables that disagree."""
    check_tables(ctcae_version)
    ctcae = table(ctcae_version)
    dose = dose_table.table()
    recist = recist_table.table()
    content = f"{ctcae.digest}{dose.digest}{recist.digest}{mappings_digest()}"
    digest = hashlib.sha256(content.encode()).hexdigest()[:12]
    return f"ctcae-{ctcae.version}+lutathera-{dose.version}+recist-{recist.version}+{digest}"
