"""Every scenario of every .feature file under features/ (a new .feature file needs no Python)."""

from __future__ import annotations

from pytest_bdd import scenarios

scenarios(".")
