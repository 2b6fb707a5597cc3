"""Mixed Persian/Latin text: user fragments are isolated so each keeps its place in a line.

The visual order is checked with a real implementation of the Unicode bidirectional algorithm
(the one fpdf2 uses to lay out the PDF brief), not by looking for marker characters alone.
"""

from __future__ import annotations

from fpdf.bidi import BidiParagraph
from fpdf.enums import TextDirection

from ckm.i18n import FSI, PDI, isolate, strip_isolates, translate

NAME = "رضا کریمی"
SEGMENT = "بازرگانی"


def visual(text: str, direction: TextDirection) -> str:
    """The characters in the order a screen shows them, left to right, marks dropped."""
    shown = BidiParagraph(text, direction).get_reordered_string()
    return strip_isolates(shown)


def test_isolate_wraps_once_and_leaves_empty_text_empty() -> None:
    assert isolate("Reza") == f"{FSI}Reza{PDI}"
    assert isolate(isolate("Reza")) == isolate("Reza")
    assert isolate("") == ""
    assert isolate(None) == ""
    # Two isolates side by side are not one isolate: the pair is wrapped again.
    pair = isolate("a") + " · " + isolate("b")
    assert isolate(pair) == f"{FSI}{pair}{PDI}"


def test_translate_isolates_text_values_and_localises_numbers() -> None:
    assert translate("customers.owner", "en", name="Reza") == f"Owner: {FSI}Reza{PDI}"
    persian = translate("customers.owner", "fa", name="Reza Karimi")
    assert f"{FSI}Reza Karimi{PDI}" in persian
    # Numbers are not user text: Persian digits, no marks.
    assert translate("customers.count", "fa", count=12).endswith("۱۲")
    assert FSI not in translate("customers.count", "en", count=12)


def test_persian_owner_and_segment_keep_their_order_in_an_english_line() -> None:
    # Unisolated, the two Persian runs merge and the segment is shown where the owner is.
    scrambled = visual(f"Owner: {NAME} · {SEGMENT}", TextDirection.LTR)
    assert scrambled.index(SEGMENT[::-1]) < scrambled.index(NAME[::-1])
    line = translate("customers.owner", "en", name=NAME) + " · " + isolate(SEGMENT)
    shown = visual(line, TextDirection.LTR)
    assert shown.index(NAME[::-1]) < shown.index(SEGMENT[::-1])


def test_latin_name_with_a_full_stop_stays_whole_in_a_persian_sentence() -> None:
    name = "Acme Ltd."
    line = translate("customers.owner", "fa", name=name)
    shown = visual(line, TextDirection.RTL)
    # The full stop stays at the end of the Latin name instead of jumping to its start.
    assert "Acme Ltd." in shown
    unisolated = visual(f"مسئول: {name}", TextDirection.RTL)
    assert "Acme Ltd." not in unisolated


def test_a_date_next_to_a_persian_name_keeps_its_digit_order() -> None:
    date = "2026-11-30"
    line = isolate(NAME) + " · " + isolate(date)
    shown = visual(line, TextDirection.LTR)
    assert date in shown
    assert shown.index(NAME[::-1]) < shown.index(date)
