"""Realistic, deterministic, bilingual demo data — from a few hundred customers to 100,000.

`loader` creates the staff accounts and drives the load; `generator` makes the rows from one
seeded random source; `texts` holds what the data is made of (names, places, note and
touchpoint texts).
"""

from ckm.services.demo.generator import HISTORY_DAYS, STAFF, DemoSummary
from ckm.services.demo.loader import load_demo_data

__all__ = ["HISTORY_DAYS", "STAFF", "DemoSummary", "load_demo_data"]
