"""The shared Gherkin step vocabulary of ``features/``, registered for every .feature file by
``features/conftest.py``: ``given`` builds the patient's FHIR record, ``when`` evaluates it through the
real path, ``then`` checks the JSON document (docs/outputs.md)."""
