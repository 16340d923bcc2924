"""FHIR access: prefetch resolution, the FHIR client for what is missing, and the patient scope."""
