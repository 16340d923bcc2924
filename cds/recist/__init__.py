"""RECIST 1.1 tumour response: its table, time points, baseline, best response and document."""
