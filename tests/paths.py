"""Paths every test module shares, so a test file can move folders without its paths moving."""

from __future__ import annotations

from pathlib import Path

#: The checkout (the folder holding ``app.py``).
ROOT = Path(__file__).resolve().parents[1]
#: Committed test inputs.
FIXTURES = ROOT / "tests" / "fixtures"
#: Golden figures recorded from real files.
GOLDEN = ROOT / "tests" / "golden"
