"""English agrees with the number it shows: "1 order", "12 orders"; Persian needs no plural."""

from __future__ import annotations

import re
import string
from decimal import Decimal

import pytest

from ckm import i18n

# Placeholders that count something, so a noun or verb next to them must agree with them.
COUNTS = frozenset(
    {
        "at_risk",
        "attempts",
        "chars",
        "complaints",
        "contacts",
        "count",
        "customers",
        "days",
        "documents",
        "expected",
        "interval",
        "length",
        "limit",
        "maximum",
        "minimum",
        "minutes",
        "months",
        "note_links",
        "notes",
        "orders",
        "owned",
        "pages",
        "points",
        "promises",
        "rows",
        "seconds",
        "sole",
        "speed",
        "stale",
        "tenure",
        "total",
        "touchpoints",
        "verify",
    }
)
# Placeholders that hold names, dates, identifiers, labels or measures, never a count.
NOT_COUNTS = frozenset(
    """after amount as_of batch batch_id before change city code coverage created_at created_by
    currency customer customer_id date day detail encoding f field fields figure file first flags
    form gaps head header health id ids item job job_id kind knower label last line m merge_id
    merged moment mood name names new note_id old owner page people percent person problem
    purge query r reason reasons recorded ref revenue revenue_value revision role rule score
    second segment segment_id sheet since source stage suggested survivor survivor_id tags
    target team template text title unit updated_at updated_by username value values what when
    who""".split()
)
# A count followed by words that read right for 1 as they are, each checked by reading it:
# "1 of 35 points", "1 added", "at most 1 can be imported", "1 more.", "1 MB".
READS_RIGHT_FOR_ONE = frozenset(
    {
        ("duplicates.as_of", "seconds"),
        ("error.verify_interval_invalid", "minimum"),
        ("health.complaints", "points"),
        ("health.rhythm.late", "points"),
        ("health.rhythm.on_time", "points"),
        ("health.rhythm.single", "points"),
        ("health.sentiment.some", "points"),
        ("health.trend.change", "points"),
        ("health.trend.new", "points"),
        ("import.file.too_many_columns", "maximum"),
        ("import.upload", "limit"),
        ("knowledge.handover.more", "count"),
        ("knowledge.pack.summary", "sole"),
        ("knowledge.people.line", "count"),
        ("knowledge.people.line_no_revenue", "count"),
        ("knowledge.profile.stale", "stale"),
        ("knowledge.why.sole", "sole"),
        ("privacy.audit.count.created", "count"),
        ("privacy.audit.count.updated", "count"),
        ("quality.missing_count", "count"),
        ("segments.summary", "at_risk"),
        ("tasks.more", "count"),
    }
)
# A word right after the number ("{count} orders"), or "of" ("{count} of your customers have").
_WORD_FOLLOWS = re.compile(r"\s*\**\s*[A-Za-z]")


def _fields(text: str) -> list[tuple[str, str, str]]:
    """(name, format spec, literal text that follows) for each placeholder."""
    parsed = list(string.Formatter().parse(text))
    fields = []
    for index, (_, name, spec, _) in enumerate(parsed):
        if name:
            after = parsed[index + 1][0] if index + 1 < len(parsed) else ""
            fields.append((name, spec or "", after))
    return fields


def test_every_placeholder_is_known_as_a_count_or_not() -> None:
    """A new placeholder must be classified, so a new "{widgets} widgets" is checked too."""
    names = {
        name
        for texts in i18n.catalog().values()
        for text in texts.values()
        for name, _, _ in _fields(text)
    }
    assert sorted(names - COUNTS - NOT_COUNTS) == []
    assert COUNTS & NOT_COUNTS == set()


def test_every_english_count_reads_right_for_one() -> None:
    """A count followed by a word has singular and plural forms, or was read and reads right
    for 1 as it is ("Customers: {count}" needs neither)."""
    unchecked = [
        (key, name)
        for key, texts in i18n.catalog().items()
        for name, spec, after in _fields(texts["en"])
        if name in COUNTS
        and "|" not in spec
        and _WORD_FOLLOWS.match(after)
        and (key, name) not in READS_RIGHT_FOR_ONE
    ]
    assert unchecked == []


def test_no_english_text_says_one_with_a_plural_noun() -> None:
    """Every count set to 1 in turn (the others 2): no "1 orders", "1 days", "1 more pairs"."""
    plural_after_one = re.compile(r"(?<![\d.,])1 (?:more |new )?([a-z][a-z-]*s)\b")
    singular_words = {"is", "was", "has", "its", "this"}
    wrong = []
    for key, texts in i18n.catalog().items():
        names = {name for name, _, _ in _fields(texts["en"])}
        for name in names & COUNTS:
            values: dict[str, object] = {n: 2 if n in COUNTS else "x" for n in names}
            values[name] = 1
            shown = i18n.strip_isolates(i18n.translate(key, "en", **values))
            wrong += [
                (key, found.group(0))
                for found in plural_after_one.finditer(shown)
                if found.group(1) not in singular_words
            ]
    assert wrong == []


def test_plural_forms_are_only_a_matter_for_english() -> None:
    """Persian keeps the noun singular after a number: its texts use the plain placeholder."""
    assert [
        key
        for key, texts in i18n.catalog().items()
        if any("|" in spec for _, spec, _ in _fields(texts["fa"]))
    ] == []


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 order"),
        (0, "0 orders"),
        (2, "2 orders"),
        ("1", "1 order"),  # pages pass number(n), already formatted
        ("1,001", "1,001 orders"),
        (Decimal(1), "1 order"),
        (1.0, "1.0 orders"),
        ("1.0", "1.0 orders"),
    ],
)
def test_the_number_chooses_the_form(count: object, expected: str) -> None:
    shown = i18n.strip_isolates(i18n.translate("brief.orders", "en", count=count))
    assert shown == expected


def test_singular_and_plural_read_as_sentences() -> None:
    one = i18n.translate("knowledge.handover.reassigned", "en", count=1, name="Sara")
    many = i18n.translate("knowledge.handover.reassigned", "en", count=3, name="Sara")
    assert one.startswith("1 customer now belongs to ")
    assert many.startswith("3 customers now belong to ")
    moving = i18n.translate(
        "duplicates.moving", "en", orders=1, touchpoints=2, contacts=1, note_links=0
    )
    assert moving == (
        "Moving to the kept record: 1 order, 2 interactions, 1 contact, 0 knowledge-page links."
    )


def test_persian_shows_the_number_in_persian_digits_and_no_plural_choice() -> None:
    assert i18n.translate("brief.orders", "fa", count=1) == "۱ سفارش"
    assert "۱۲٬۳۴۵" in i18n.translate("quality.customers_checked", "fa", count=12345)


def test_a_plural_form_keeps_the_other_placeholders_isolated() -> None:
    text = i18n.translate("knowledge.handover.notes_handed", "en", count=1, name="رضا")
    assert text.startswith(f"{i18n.isolate('رضا')} now also keeps 1 note about them")
