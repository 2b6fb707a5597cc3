"""Mixed Persian/Latin text: user fragments are isolated so each keeps its place in a line.

The visual order is checked with a real implementation of the Unicode bidirectional algorithm
(the one fpdf2 uses to lay out the PDF brief), not by looking for marker characters alone.
"""

from __future__ import annotations

from fpdf.bidi import BidiParagraph
from fpdf.enums import TextDirection

from ckm import i18n
from ckm.i18n import FSI, PDI, bidi, isolate, names_in_order, strip_isolates, translate

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


def test_a_list_of_names_reads_in_the_interface_direction() -> None:
    names = ["Sara", "Reza"]
    marks = str.maketrans("", "", bidi.LRI + bidi.RLI)
    # Persian: read from the right, "Sara، Reza." -- the Persian comma after Sara, the
    # sentence's full stop after Reza at the left end.
    shown = visual(names_in_order(names, "fa") + ".", TextDirection.RTL).translate(marks)
    assert shown == ".Reza ،Sara"
    english = visual(names_in_order(names, "en") + ".", TextDirection.LTR).translate(marks)
    assert english == "Sara, Reza."
    assert names_in_order([], "fa") == ""


def test_the_package_and_the_bidi_module_share_one_copy_of_each_helper() -> None:
    for name in ("FSI", "PDI", "LRI", "RLI", "is_rtl", "isolate", "isolate_lines"):
        assert getattr(i18n, name) is getattr(bidi, name)
    assert i18n.strip_isolates is bidi.strip_isolates
    assert i18n.names_in_order is bidi.names_in_order
