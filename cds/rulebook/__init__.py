"""The rule-table toolkit shared by every table in ``rules/`` and ``fhir_mappings/``.

- ``files``: where the tables are installed, and discovery of a family of tables (``ctcae_v*.toml``);
- ``reading``: a TOML table read once: its path, bytes, parsed content and content digest, with
  ``ConfigurationError`` messages that name the file and the entry;
- ``grammar``: the one condition grammar of the ``when`` strings (each table checks its own names);
- ``precedence``: explicit ``priority`` of the rows where the first matching row decides;
- ``placeholders``: texts that take their numbers from the table's ``[settings]``;
- ``links``: checks across tables (every name one table gives exists in the other).
"""
