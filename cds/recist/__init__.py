"""RECIST 1.1 tumour response: its table, time points, baseline, follow-ups, engine facts and decisions,
best response and document."""
