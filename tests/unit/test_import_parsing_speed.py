"""The import's fast paths give exactly what the plain ones give: Jalali days as jdatetime
computes them, and remembered cells as parsed afresh (a column of unique texts stops
remembering, so memory stays bounded)."""

from __future__ import annotations

import jdatetime

from ckm.services.importing.parsing import _jalali
from ckm.services.importing.settings import ImportSettings
from ckm.services.importing.validate import _MEMO_SAMPLE, Record, RowError, RowValidator


def test_jalali_days_match_jdatetime_including_leap_years_and_impossible_days() -> None:
    for year in (1300, 1354, 1383, 1399, 1403, 1404, 1408, 1499):
        for month in range(0, 14):
            for day in range(0, 33):
                try:
                    expected = jdatetime.date(year, month, day).togregorian()
                except ValueError:
                    expected = None
                try:
                    got = _jalali(year, month, day)
                except ValueError:
                    got = None
                assert got == expected, (year, month, day)


def test_remembered_cells_give_the_same_values_and_problems() -> None:
    settings = ImportSettings(
        kind="orders",
        mapping={"n": "external_id", "c": "customer_ref", "d": "ordered_on", "a": "amount"},
        currency="IRR",
    )
    validator = RowValidator(settings, ["n", "c", "d", "a"])
    outcomes = []
    for line in range(2, 2 + _MEMO_SAMPLE + 50):
        day = "۱۴۰۳/۰۲/۳۱" if line % 3 else "1403/13/01"  # the second is impossible
        outcomes.append(validator.validate(line, [f"F-{line}", "CRM-1", day, "1,000 تومان"]))
    first_good, first_bad = outcomes[0], outcomes[1]
    assert isinstance(first_good, Record) and isinstance(first_bad, RowError)
    for outcome in outcomes:
        if isinstance(outcome, Record):
            assert outcome.values["ordered_on"] == first_good.values["ordered_on"]
            assert outcome.values["amount"] == first_good.values["amount"] and outcome.toman
        else:
            assert [p.key for p in outcome.problems] == ["import.problem.date_impossible"]
    memos = {header: memo for _i, header, _spec, memo in validator.columns}
    assert not memos["n"].on and not memos["n"].outcomes  # order numbers never repeat
    assert memos["d"].on and len(memos["d"].outcomes) == 2
