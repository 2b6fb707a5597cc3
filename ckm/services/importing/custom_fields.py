"""Custom fields: a customer's typed key–value pairs for the columns CKM has no field for.

The value is always kept as the text the file gave (what exports write back). Its type is
read from that text: a number (Persian digits and thousands separators allowed), a day
(Gregorian or Jalali, year first), or text; the typed value is stored beside it for sorting.
`value_key` is the text in search form (`ckm.text.normalise`), indexed for search and for the
"custom field KEY = VALUE" filter, so both are one index lookup on either database.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ckm.services.customers.listing import custom_value_key
from ckm.services.importing.bulk import BindRow
from ckm.services.importing.parsing import CellProblem, parse_date, parse_number

# Numeric(18, 4): fourteen digits before the point.
_LARGEST = Decimal(10) ** 14


def value_key(value: str | None) -> str:
    """The search form of a custom value (what search and the filter compare; defined with
    the customer list, which compares it)."""
    return custom_value_key(value)


def typed(value: str) -> tuple[str, Decimal | None, date | None]:
    """(kind, number, day) read from a value's text: "number", "date" or "text"."""
    text = value.strip()
    if not text or len(text) > 40:
        return "text", None, None
    try:
        number = parse_number(text)
    except CellProblem:
        number = None
    if (
        number is not None
        and abs(number) < _LARGEST
        and number == number.quantize(Decimal("0.0001"))
    ):
        return "number", number, None
    try:
        day = parse_date(text)
    except CellProblem:
        day = None
    if day is not None:
        return "date", None, day
    return "text", None, None


def custom_row(customer_id: int, key: str, value: str) -> BindRow:
    """The `customer_custom_fields` row for one value."""
    kind, number, day = typed(value)
    return {
        "customer_id": customer_id,
        "key": key,
        "kind": kind,
        "value": value,
        "number": number,
        "day": day,
        "value_key": value_key(value),
    }
