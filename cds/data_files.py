"""Where the data directories ``rules/`` and ``fhir_mappings/`` are installed: ``cds.rulebook.files``
finds them (and the families of tables in them); these names are kept for the modules that import
them from here."""

from __future__ import annotations

from cds.rulebook.files import data_dir, mappings_dir, rules_dir

__all__ = ["data_dir", "mappings_dir", "rules_dir"]
