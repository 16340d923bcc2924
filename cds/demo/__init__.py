"""A synthetic PRRT cohort as FHIR R4 Bundles: the published 16-patient series by default, or a large
random cohort for scale (``prrt-cds demo``)."""

from __future__ import annotations

from cds.demo.cohort import patient_bundle, write_cohort
from cds.demo.plan import SERIES_SIZE, PatientPlan, plans, series_plans

DEFAULT_SEED = 20240108

__all__ = ["DEFAULT_SEED", "SERIES_SIZE", "PatientPlan", "patient_bundle", "plans", "series_plans", "write_cohort"]
