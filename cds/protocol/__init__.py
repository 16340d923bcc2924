"""Checks before a Lutathera cycle other than laboratory toxicity: somatostatin analogues, pregnancy,
amino acids, potassium."""
