"""Rounding of derived numbers before the engine compares them, shared by every concern.

Ratios, sums and percent changes are rounded to 12 significant digits so that floating-point noise
cannot move a value across a table threshold (rules/ctcae_v5.toml, rules/recist_1_1.toml).
"""

from __future__ import annotations


def signif(x: float) -> float:
    """``x`` rounded to 12 significant digits (admiral compares at 15; ratios need a little more slack)."""
    return float(f"{x:.12g}")
