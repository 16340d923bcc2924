"""The composition root: the concerns prrt-cds evaluates, the engine built from their rulesets, and the
version string their tables make. Registering a new concern is one line of ``CONCERNS``."""

from __future__ import annotations

import hashlib
import os
import threading
from functools import cache
from typing import Literal

from cds.concern import DEFAULT_CTCAE_VERSION, Concern, Selection
from cds.ctcae.concern import CONCERN as CTCAE
from cds.ctcae.table import available_versions
from cds.dose.concern import CONCERN as DOSE
from cds.dosimetry.concern import CONCERN as DOSIMETRY
from cds.engine import Engine, Ruleset
from cds.engine.memo import DEFAULT_SIZE, MAX_SIZE, Memo, MemoEngine
from cds.errors import ConfigurationError
from cds.protocol.concern import CONCERN as PROTOCOL
from cds.recist.concern import CONCERN as RECIST
from cds.rulebook.files import mappings_dir
from cds.rulebook.reading import folder_digest

# In evaluation order: a concern reads the conclusions of those before it (dose reads the CTCAE grades,
# dosimetry the dose advice's next activity).
CONCERNS: tuple[Concern, ...] = (
    CTCAE,
    RECIST,
    DOSE,
    DOSIMETRY,
    PROTOCOL,  # reads the dose advice's next cycle due and the CTCAE grades
)

# The concerns whose parts of the ruleset version results recorded before any other was registered
# (ctcae, recist, dose: joined as ctcae, lutathera, recist); the parts of later ones follow them.
RECORDED_FIRST = 3

EngineKind = Literal["durable", "reference"]


def selections() -> list[Selection]:
    """Every choice a site can make among the tables shipped (each CTCAE version in rules/)."""
    return [Selection(ctcae_version=version) for version in sorted(available_versions())]


def check_tables(ctcae_version: str) -> None:
    """Check the links between the tables in force (the dose table's CTCAE terms against the selected
    CTCAE table). Raises ConfigurationError naming the table, the class and the term."""
    selection = Selection(ctcae_version=ctcae_version)
    for concern in CONCERNS:
        concern.check(selection)


def all_rulesets() -> list[Ruleset]:
    """All rulesets of every concern, for every selectable table version, built eagerly: durable_rules
    can register a ruleset name only once per process. Every selection is checked first."""
    for selection in selections():
        check_tables(selection.ctcae_version)
    return [ruleset for concern in CONCERNS for ruleset in concern.rulesets()]


def build_engine(kind: EngineKind = "durable") -> Engine:
    """An engine holding every ruleset: the process's durable_rules host (built once: one host per
    process, docs/rule-engine.md), or a new plain-Python reference engine."""
    if kind == "durable":
        from cds.engine.durable_adapter import process_engine

        return process_engine(all_rulesets)
    if kind == "reference":
        from cds.engine.reference import ReferenceEngine

        return ReferenceEngine(all_rulesets())
    raise ValueError(f"unknown engine kind {kind!r}")


# The process's memo of per-fact rule hits (cds.engine.memo), kept for the life of the process: across
# the service's requests, and across the patients of a cohort. Its bound: the service's setting
# ``engine_memo_size``, which is also the variable PRRT_CDS_ENGINE_MEMO_SIZE that the other commands (and
# the report's worker processes) read when they first need the engine.
MEMO_SIZE_VARIABLE = "PRRT_CDS_ENGINE_MEMO_SIZE"
_MEMO = Memo(DEFAULT_SIZE)
_MEMO_SIZE_GIVEN = False
_DEFAULT: Engine | None = None
_DEFAULT_LOCK = threading.Lock()


def memo_size_setting() -> int | None:
    """The memo bound PRRT_CDS_ENGINE_MEMO_SIZE asks for (None: not set); ConfigurationError if it is not a
    whole number from 0 to 10,000,000."""
    text = os.environ.get(MEMO_SIZE_VARIABLE, "").strip()
    if not text:
        return None
    try:
        size = int(text)
    except ValueError:
        size = -1
    if not 0 <= size <= MAX_SIZE:
        raise ConfigurationError(f"{MEMO_SIZE_VARIABLE} must be a whole number of entries from 0 to {MAX_SIZE}")
    return size


def set_engine_memo_size(size: int) -> None:
    """Bound the process's memo to ``size`` entries (0: no memo); the service sets its
    ``engine_memo_size`` here. Entries beyond the new bound are dropped, oldest first."""
    global _MEMO_SIZE_GIVEN
    _MEMO.resize(size)
    _MEMO_SIZE_GIVEN = True


def default_engine() -> Engine:
    """The engine the CLI, the service and the report use when none is given: the process's
    durable_rules host behind the process's memo (docs/rule-engine.md, "Memo"), bounded by
    ``set_engine_memo_size`` or else PRRT_CDS_ENGINE_MEMO_SIZE. Raises ConfigurationError."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            size = None if _MEMO_SIZE_GIVEN else memo_size_setting()
            if size is not None:
                _MEMO.resize(size)
            rulesets = all_rulesets()
            from cds.engine.durable_adapter import process_engine

            _DEFAULT = MemoEngine(process_engine(lambda: rulesets), rulesets, _MEMO)
        return _DEFAULT


def mappings_digest() -> str:
    """The digest of every table in fhir_mappings/: unit factors and default ranges change grades too."""
    return folder_digest(mappings_dir())


@cache
def ruleset_version(ctcae_version: str = DEFAULT_CTCAE_VERSION) -> str:
    """``ctcae-5.0+lutathera-2024-04+recist-1.1+dosimetry-2026.12+<content hash>``: the tables in force (rules/ and
    fhir_mappings/), so that every result can be traced to the exact rules and mappings that produced
    it. The tables' links are checked first: a version string is never made for tables that disagree.

    The parts of the first concerns are joined in the order of their labels (ctcae, lutathera, recist),
    the order results have always recorded, whatever the evaluation order; a concern registered after
    them appends its part in registry order (dosimetry), so that every prefix read before stays true."""
    check_tables(ctcae_version)
    selection = Selection(ctcae_version=ctcae_version)
    versions = [concern.version(selection) for concern in CONCERNS]
    parts = sorted(versions[:RECORDED_FIRST]) + versions[RECORDED_FIRST:]
    content = "".join(digest for _, digest in parts) + mappings_digest()
    digest = hashlib.sha256(content.encode()).hexdigest()[:12]
    return "+".join([*(label for label, _ in parts), digest])
