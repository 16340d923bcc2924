"""The kidney dose arithmetic (cds/dosimetry/bed.py): a worked example by hand through the whole
evaluation, and the property that the suggested activity never projects above a limit and is the
largest step that does not."""

from __future__ import annotations

import math

import factories as fx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds.document import to_document
from cds.dosimetry.bed import Budget, Radiobiology, largest_activity, steps_within
from cds.evaluation import evaluate_collected
from cds.numbers import signif
from cds.reading import from_objects

KIDNEY = Radiobiology(alpha_beta_gy=2.6, t_rep_h=2.8)


def test_bed_of_one_cycle_is_the_linear_quadratic_formula() -> None:
    """4 Gy at T_eff 50 h: 4 + 16 x 2.8 / (2.6 x 52.8) = 4 + 16 x 0.0203963 = 4.32634 Gy."""
    assert KIDNEY.bed(4.0, 50.0) == pytest.approx(4.32634, abs=1e-5)
    assert KIDNEY.bed(0.0, 50.0) == 0.0


def test_worked_example_two_cycles_of_9_gy_with_hypertension() -> None:
    """By hand, from the formula of the issue (alpha/beta 2.6 Gy, T_rep 2.8 h):

    Cycles 1 and 2: 7.4 GBq each; kidney D = 9 Gy each, T_eff = 20 h; hypertension (limit BED 28 Gy,
    absorbed 23 Gy).
      k = T_rep / ((alpha/beta) (T_rep + T_eff)) = 2.8 / (2.6 x 22.8) = 2.8 / 59.28 = 0.0472335 /Gy
      BED per cycle = 9 + 81 x 0.0472335 = 9 + 3.82591 = 12.82591 Gy  -> 12.83
      cumulative BED = 2 x 12.82591 = 25.65182 Gy -> 25.65; cumulative absorbed = 18 Gy
      Gy/GBq of cycle 1 (the projection's kinetics) = 9 / 7.4 = 1.216216
    Next cycle at 7.4 GBq (the full activity; no labs, so the dose advice recommends none):
      projected absorbed = 18 + 9 = 27 Gy; projected BED = 25.65182 + 12.82591 = 38.47773 -> 38.48
    Largest activity:
      BED left R = 28 - 25.65182 = 2.34818 Gy; D = 2R / (1 + sqrt(1 + 4kR))
        4kR = 4 x 0.0472335 x 2.34818 = 0.443650; sqrt(1.443650) = 1.201520
        D = 4.69636 / 2.201520 = 2.13323 Gy; A = 2.13323 / 1.216216 = 1.75399 GBq -> 1.7 (step 0.1)
        check 1.7 GBq: D = 2.06757, BED = 2.06757 + 4.27484 x 0.0472335 = 2.26948 -> 27.92130 <= 28
        check 1.8 GBq: D = 2.18919, BED = 2.18919 + 4.79255 x 0.0472335 = 2.41556 -> 28.06738 > 28
      absorbed left 23 - 18 = 5 Gy -> 5 / 1.216216 = 4.11 GBq: not the binding limit.
    So max_activity_gbq 1.7, binding_limit "bed_gy".
    """
    resources = [
        fx.patient(), fx.condition("htn", fx.HYPERTENSION),
        fx.procedure("c1", "2024-01-08"), fx.procedure("c2", "2024-03-04"),
        fx.dosimetry("d1", 9, "Gy", half_life=20, part_of="Procedure/c1", when="2024-01-12T08:00:00Z"),
        fx.dosimetry("d2", 9, "Gy", half_life=20, part_of="Procedure/c2", when="2024-03-08T08:00:00Z"),
    ]
    doc = to_document(evaluate_collected(from_objects(resources)))["patients"][0]["kidney_dosimetry"]
    assert [c["bed_gy"] for c in doc["cycles"]] == [12.83, 12.83]
    assert doc["cumulative_bed_gy"] == 25.65 and doc["cumulative_absorbed_gy"] == 18.0
    assert doc["limits"]["bed_gy"] == 28.0 and doc["limits"]["absorbed_gy"] == 23.0
    assert doc["limits"]["why"] == "hypertension (Condition/htn)"
    assert doc["parameters"]["alpha_beta_gy"] == 2.6 and doc["parameters"]["t_rep_h"] == 2.8
    nxt = doc["next"]
    assert nxt["planned_activity_gbq"] == 7.4 and nxt["planned_from"] == "full-activity"
    assert nxt["kinetics"] == {"cycle": 1, "gy_per_gbq": 1.2162, "t_eff_h": 20.0}
    assert nxt["projected_absorbed_gy"] == 27.0 and nxt["projected_cumulative_bed_gy"] == 38.48
    assert nxt["max_activity_gbq"] == 1.7 and nxt["binding_limit"] == "bed_gy"
    assert {(f["rule"], f["scope"]) for f in doc["findings"]} == {
        ("dosimetry.kidney.bed_risk_factors", "projected"), ("dosimetry.kidney.absorbed", "projected")}


def _bed_budget(cum_bed: float, rate: float, t_eff: float, limit: float) -> Budget:
    return Budget("bed_gy", limit, lambda a: cum_bed + KIDNEY.bed(a * rate, t_eff),
                  KIDNEY.max_dose(limit - cum_bed, t_eff) / rate, cum_bed, rate)


def _absorbed_budget(cum: float, rate: float, limit: float) -> Budget:
    return Budget("absorbed_gy", limit, lambda a: cum + a * rate, (limit - cum) / rate, cum, rate)


@settings(max_examples=300, deadline=None)
@given(
    cum_bed=st.floats(0, 45), cum_absorbed=st.floats(0, 30), rate=st.floats(0.05, 3.0),
    t_eff=st.floats(5, 160), bed_limit=st.sampled_from([28.0, 40.0, 33.3]),
    absorbed_limit=st.sampled_from([23.0, 18.5]), step=st.sampled_from([0.1, 0.05, 0.25, 0.5]),
)
def test_the_suggested_activity_is_the_largest_step_within_every_limit(
    cum_bed: float, cum_absorbed: float, rate: float, t_eff: float, bed_limit: float, absorbed_limit: float,
    step: float,
) -> None:
    budgets = [_bed_budget(cum_bed, rate, t_eff, bed_limit), _absorbed_budget(cum_absorbed, rate, absorbed_limit)]
    activity, binding, n = largest_activity(budgets, step)
    assert activity == round(n * step, 10) and n >= 0
    # never above a limit (nothing at all when already over: 0 steps), compared as the limits are
    # (signif: a projection exactly on the limit is within it, whatever floating point adds)
    for budget in budgets:
        assert n == 0 or signif(budget.projected(n * step)) <= budget.limit
    # one step more exceeds the binding limit, and that limit is one in force
    assert binding in {"bed_gy", "absorbed_gy"}
    binding_budget = next(b for b in budgets if b.name == binding)
    assert signif(binding_budget.projected((n + 1) * step)) > binding_budget.limit
    assert n == min(steps_within(b, step) for b in budgets)
    # the closed form agrees: n steps lie below the exact largest activity, n + 1 above it
    exact = min(max(0.0, b.estimate) for b in budgets)
    assert n * step <= exact + 1e-9 and (n + 1) * step > exact - 1e-9


def test_no_step_fits_once_a_limit_is_already_exceeded() -> None:
    activity, binding, n = largest_activity([_bed_budget(29.0, 0.5, 50.0, 28.0)], 0.1)
    assert (activity, binding, n) == (0.0, "bed_gy", 0)


def test_max_dose_is_the_root_of_the_quadratic() -> None:
    dose = KIDNEY.max_dose(10.0, 50.0)
    assert KIDNEY.bed(dose, 50.0) == pytest.approx(10.0, rel=1e-12)
    assert math.isclose(KIDNEY.max_dose(0.0, 50.0), 0.0) and KIDNEY.max_dose(-1.0, 50.0) == 0.0


def test_a_cumulative_dose_exactly_on_a_limit_reads_as_on_it_everywhere() -> None:
    # 6.4 + 9.8 + 6.8 Gy is 23.000000000000004 in floating point: the cumulative dose the document, the
    # protocol check and the card's bar read is the rounded sum, so the bar draws no over-limit mark.
    from cds.dosimetry.conclusions import CycleDose
    from cds.dosimetry.prepare import total
    from cds.hooks.cards.kidney_dose import dose_bar

    doses = [CycleDose(cycle=n, absorbed_gy=gy) for n, gy in
             enumerate((6.4, 9.8, 6.8), start=1)]
    cumulative, reason = total(doses, "absorbed_gy", "kidney absorbed dose")
    assert (cumulative, reason) == (23.0, None)
    assert dose_bar(cumulative, 23.0).endswith("█`")
