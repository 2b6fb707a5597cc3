"""The demo data generator: plain rows from one seeded `random.Random`, written in chunks.

Rows are generated as plain dicts and written with Core `executemany` inserts, so a million
orders load in minutes on SQLite and PostgreSQL alike. Customer and note ids are assigned here
(they are referenced by the rows that follow). The work is split by responsibility:
`common` (state, staff, writer, helpers), `people` (customers, contacts), `activity` (orders,
touchpoints) and `wiki` (notes and the knowledge patterns); this module puts them together.
"""

from __future__ import annotations

from ckm.services.demo.activity import _Activity
from ckm.services.demo.common import HISTORY_DAYS, STAFF, DemoSummary, Progress, _Staff
from ckm.services.demo.people import _Customers
from ckm.services.demo.wiki import _Notes


class _Generator(_Customers, _Activity, _Notes):
    """Customers, then orders, touchpoints and notes, from one seeded random source."""


__all__ = ["HISTORY_DAYS", "STAFF", "DemoSummary", "Progress", "_Generator", "_Staff"]
