"""prrt-cds: clinical decision support for 177Lu-DOTATATE PRRT from FHIR data.

FHIR JSON -> ``cds.mapping`` (facts) -> ``cds.timeline`` -> rules on durable_rules (``cds.engine``,
tables in ``rules/``) -> conclusions -> CLI, CDS Hooks service, cohort report.
"""

from __future__ import annotations

__version__ = "0.1.0"
