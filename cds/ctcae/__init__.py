"""CTCAE laboratory grading: its table, facts for the engine, conclusions and document."""
