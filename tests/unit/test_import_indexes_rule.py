"""When an import sets indexes aside: a file large in itself and against what is stored, in a
table small enough to build them again in seconds."""

from __future__ import annotations

import pytest

from ckm.services.importing.indexes import worth_setting_aside


@pytest.mark.parametrize(
    ("file_rows", "stored_rows", "worth"),
    [
        (1_000_000, 0, True),  # the benchmark's orders into an empty table
        (1_000_000, 2_000_000, True),
        (99_999, 0, False),  # upkeep of a small file costs less than a rebuild
        (150_000, 2_000_000, False),  # under a tenth of what is stored
        (1_000_000, 3_500_000, False),  # the rebuild would hold the table too long
        (4_000_000, 0, True),
        (4_000_001, 0, False),
    ],
)
def test_worth_setting_aside(file_rows: int, stored_rows: int, worth: bool) -> None:
    assert worth_setting_aside(file_rows, stored_rows) is worth
