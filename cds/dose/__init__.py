"""Lutathera dose advice per cycle: its table, facts, conclusions and document."""
