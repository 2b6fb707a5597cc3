"""The comparison rules behind duplicate candidates and the Splink model that weighs them, one
variant at a time (no database)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from ckm.services.duplicates import linkage
from ckm.services.duplicates.detect import score_pairs
from ckm.services.duplicates.features import Features, features
from ckm.services.duplicates.scoring import DEFAULT_MIN_SCORE, Match


def _f(
    customer_id: int,
    name: str,
    *,
    contacts: tuple[tuple[str | None, str | None], ...] = (),
    **fields: str | None,
) -> Features:
    """One customer; `contacts`: its contact persons' (phone, email)."""
    return features(
        customer_id,
        contact_phones=[phone for phone, _ in contacts],
        contact_emails=[email for _, email in contacts],
        kind=fields.get("kind", "person"),
        name=name,
        phone=fields.get("phone"),
        email=fields.get("email"),
        city=fields.get("city"),
        national_id=fields.get("national_id"),
        postal_code=fields.get("postal_code"),
        postal_address=fields.get("postal_address"),
        birth_date=fields.get("birth_date"),
        website=fields.get("website"),
    )


def compare(a: Features, b: Features) -> Match:
    """The pair as detection scores it (Splink, the stored model), blocked or not."""
    _, found = score_pairs([a, b], min_score=0.0)
    assert len(found) == 1, "the pair shares no blocking key"
    return found[0][2]


def _keys(a: Features, b: Features) -> set[str]:
    """The reasons the rules give this pair (the levels the model weighs)."""
    reasons = linkage.field_reasons(a, b, defaultdict(float))
    return {reason.key.rsplit(".", 1)[1] for reason in reasons}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("علی کریمی", "علي كريمي"),  # Arabic letter forms
        ("علی حسین‌زاده", "علی حسین زاده"),  # ZWNJ vs space
        ("علی حسین‌زاده", "علی حسینزاده"),  # ZWNJ vs joined
        ("مهندس علی کریمی", "علی کریمی"),  # honorific
        ("شرکت فولاد مبارکه", "فولاد مبارکه"),  # company word
        ("کریمی علی", "علی کریمی"),  # swapped
        ("Mr Ali Karimi", "karimi, ali"),  # honorific, punctuation, case, swapped
        ("شرکت فولاد مبارکه (سهامی خاص)", "فولاد مبارکه"),  # legal form after the name
        ("Foolad Mobarakeh Co. Ltd", "foolad mobarakeh"),
    ],
)
def test_name_variants_are_the_same_name(first: str, second: str) -> None:
    assert "name_same" in _keys(_f(1, first), _f(2, second))


def test_transliteration_sounds_the_same() -> None:
    assert "name_sound" in _keys(_f(1, "علی رحیمی"), _f(2, "Ali Rahimy"))


def test_a_title_word_inside_a_surname_is_kept() -> None:
    """«حاجی» is a title before a name but part of «حاجی‌نژاد»."""
    assert features(
        1, kind="person", name="امیر حاجی‌نژاد", phone=None, email=None, city=None
    ).name == ("امیر حاجی نژاد")
    assert "name_sound" in _keys(_f(1, "Amir Hajinejad"), _f(2, "امیر حاجی‌نژاد"))
    assert "name_word_differs" not in _keys(_f(1, "Habibkhani, Reza"), _f(2, "رضا حبیب‌خانی"))


def test_postal_code_address_birth_date_and_website_are_compared() -> None:
    a = _f(
        1,
        "شرکت پارس سینا",
        kind="company",
        postal_code="۱۸۱۷۱-۳۰۳۸۰",
        postal_address="تهران، خیابان فردوسی، کوچه اقاقیا، پلاک ۹۶، واحد ۸",
        city="تهران",
        website="https://www.ParsSina.ir/",
    )
    b = _f(
        2,
        "Pars Sina Co.",
        kind="company",
        postal_code="1817130380",
        postal_address="خ. فردوسی - ک اقاقیا - پ 96",
        email="info@parssina.ir",
    )
    assert a.postal_code == b.postal_code == "1817130380"
    assert a.domain == b.domain == "parssina.ir"
    assert a.address == "فردوسی اقاقیا 96 8" and b.address == "فردوسی اقاقیا 96"
    assert {"postal_same", "domain_same"} <= _keys(a, b)
    moved = _f(
        3, "Pars Sina", kind="company", postal_code="4743451638", postal_address="خ ونک پ 40"
    )
    assert {"postal_different"} <= _keys(a, moved)
    same_building = _f(4, "x", postal_address="خیابان فردوسی، کوچه اقاقیا، پلاک ۹۶، واحد ۳")
    assert "address_alike" in _keys(a, same_building)
    assert "address_different" in _keys(same_building, _f(5, "y", postal_address="خ فردوسی پ 97"))
    born = _f(6, "Ali", birth_date="1985-07-04")
    assert "birth_same" in _keys(born, _f(7, "Ali", birth_date="1985-07-04"))
    assert "birth_swapped" in _keys(born, _f(8, "Ali", birth_date="1985-04-07"))
    assert "birth_different" in _keys(born, _f(9, "Ali", birth_date="1986-07-04"))


def test_an_accounting_record_meets_its_crm_record() -> None:
    """Nothing but the national id and the postal code in common with the CRM's record in
    Latin letters: found; the relative at the same address with another id: not proposed."""
    crm = _f(1, "Masoud Moradpour", phone="09128084155", national_id="8978179721")
    books = _f(2, "مسعود مرادپور", national_id="8978179721", postal_code="4183823672")
    assert compare(crm, books).score >= DEFAULT_MIN_SCORE
    home = "تهران، خیابان جمهوری، کوچه اقاقیا، پلاک ۲۰۳"
    mother = _f(
        3, "مریم مرادپور", national_id="1085140520", postal_code="4183823672", postal_address=home
    )
    son = _f(
        4, "مسعود مرادپور", national_id="8978179721", postal_code="4183823672", postal_address=home
    )
    assert compare(mother, son).score < DEFAULT_MIN_SCORE


def test_swapped_names_with_a_compound_split_otherwise_weigh_as_the_same_sound() -> None:
    """«حسن‌لو داوود» (family name first, its compound split by a ZWNJ) and "Davood Hassanlou"
    with the same mobile: the reason says "sound the same", and the model weighs it so (it
    once fell through to "all other comparisons" and the pair scored 0.04)."""
    a = _f(1, "Davood Hassanlou", phone="(+98) 9398035128", city="مشهد")
    b = _f(2, "حسن\u200cلو داوود", phone="09398035128")
    match = compare(a, b)
    name = next(reason for reason in match.reasons if reason.key.endswith("name_sound"))
    assert name.weight > 5
    assert match.score >= DEFAULT_MIN_SCORE
    c = _f(3, "ابراهیم حسن زاده", postal_code="57973-19422", city="رشت")
    d = _f(4, "حسنزاده ابراهيم", postal_code="5797319422", city="رشت")
    assert compare(c, d).score >= DEFAULT_MIN_SCORE


def test_phone_formats_are_one_number() -> None:
    a = _f(1, "x", phone="+98 912 345 6789")
    for other in ("09123456789", "00989123456789", "۰۹۱۲ ۳۴۵ ۶۷۸۹", "(+98) 9123456789"):
        assert "phone_same" in _keys(a, _f(2, "y", phone=other))


def test_email_typos_but_not_other_numbers() -> None:
    base = _f(1, "x", email="ali.rahimi48@gmail.com")
    assert "email_typo" in _keys(base, _f(2, "y", email="ali.rahimi48@gmial.com"))
    assert "email_typo" in _keys(base, _f(2, "y", email="ali.rahmi48@gmail.com"))
    assert "email_different" in _keys(base, _f(2, "y", email="ali.rahimi477@gmail.com"))
    assert "email_same" in _keys(base, _f(2, "y", email="ALI.RAHIMI48@GMAIL.COM"))


def test_relatives_sharing_a_phone_are_not_proposed() -> None:
    a = _f(1, "Sara Pourmohammadi", phone="09121111111", city="Tabriz")
    b = _f(2, "Majid Pourmohammadi", phone="09121111111", city="Tabriz")
    match = compare(a, b)
    assert "name_word_differs" in _keys(a, b)
    assert match.score < DEFAULT_MIN_SCORE


def test_same_common_name_elsewhere_is_not_proposed() -> None:
    a = _f(1, "Sara Ahmadi", phone="09121111111", city="Tehran")
    b = _f(2, "سارا احمدی", phone="09352222222", city="Shiraz")
    assert compare(a, b).score < 0.1


def test_typical_duplicate_scores_high_and_reasons_are_ordered() -> None:
    a = _f(1, "شركت فولاد مباركه", kind="company", phone="+98 913 123 4567", city="اصفهان")
    b = _f(2, "فولاد مبارکه", kind="company", phone="0913-123-4567", city="Tehran")
    match = compare(a, b)
    assert match.score > 0.99
    weights = [abs(reason.weight) for reason in match.reasons]
    assert weights == sorted(weights, reverse=True)


def test_blocking_pairs_only_records_that_share_a_key() -> None:
    items = [
        _f(1, "Ali Karimi", phone="09121111111"),
        _f(2, "علی کریمی"),  # same sound key as 1
        _f(3, "Nobody Else", phone="+98 912 111 1111"),  # same phone as 1
        _f(4, "Someone Different", phone="09350000000"),
    ]
    compared, found = score_pairs(items, min_score=0.0)
    assert compared == 2
    assert {(low, high) for low, high, _ in found} == {(1, 2), (1, 3)}


def test_oversized_blocks_are_not_blocks() -> None:
    """A switchboard number shared by 60 customers pairs none of them."""
    items = [_f(i, f"Person {i}", phone="02188888888") for i in range(1, 61)]
    assert linkage.block_values(items)["blkphone"] == [None] * 60


def test_a_name_shared_by_more_than_eight_customers_is_not_a_block() -> None:
    """Eight namesakes are compared with each other; nine are not paired by the name alone
    (their phones, emails and ids still pair the duplicates among them)."""
    eight = [_f(i, "Ali Karimi") for i in range(1, 9)]
    nine = [*eight, _f(9, "علی کریمی")]
    assert None not in linkage.block_values(eight)["blkname"]
    for column in ("blkname", "blksorted"):
        assert linkage.block_values(nine)[column] == [None] * 9


def test_reason_weights_are_the_models_and_add_up() -> None:
    a = _f(1, "Sara Pourmohammadi", phone="09121111111", email="sara.p@gmail.com")
    b = _f(2, "سارا پورمحمدی", phone="+98 912 111 1111", email="sara.p@gmail.com")
    match = compare(a, b)
    assert {"phone_same", "email_same", "name_sound"} <= {
        reason.key.rsplit(".", 1)[1] for reason in match.reasons
    }
    prior = linkage._prior(linkage.load_model(), 2)
    import math

    total = math.log2(prior / (1 - prior)) + sum(reason.weight for reason in match.reasons)
    # The kind comparison (both people) adds its small weight without a reason of its own.
    assert abs(match.weight - total) < 1.5
    assert all(reason.weight > 5 for reason in match.reasons)


def test_the_stored_model_is_trained_everywhere() -> None:
    """Every level of every comparison has m and u: nothing falls back to Splink's defaults."""
    model = linkage.load_model()
    assert model["ckm"]["records"] >= 10000
    for comparison in model["splink"]["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            assert 0 < level["m_probability"] <= 1, (comparison["output_column_name"], level)
            assert 0 < level["u_probability"] <= 1, (comparison["output_column_name"], level)


def test_a_sales_sheet_meets_the_firm_through_its_contacts_mobile() -> None:
    """The CRM keeps the office line and lists the contact person; the sales sheet carries
    that person's mobile as the firm's phone: the same number, not "different phones"."""
    crm = _f(
        1,
        "شرکت آریا سیمان",
        kind="company",
        phone="021 8877 6655",
        city="تهران",
        contacts=(("+98 935 111 2233", "r.karimi@aryasiman.ir"), ("09121112222", None)),
    )
    sheet = _f(2, "آریا سیمان", kind="company", phone="09351112233")
    assert crm.contact_phones == ("989351112233", "989121112222")
    keys = _keys(crm, sheet)
    assert "phone_contact" in keys and "phone_different" not in keys
    match = compare(crm, sheet)
    assert match.score >= DEFAULT_MIN_SCORE
    # The same registered name weighs more (first); the contact's mobile is weighed too.
    contact = next(r for r in match.reasons if r.key == "duplicates.reason.phone_contact")
    assert contact.weight > 5


def test_a_contacts_email_is_the_same_mailbox() -> None:
    crm = _f(1, "Arya Siman", kind="company", contacts=((None, "R.Karimi@AryaSiman.ir"),))
    sheet = _f(2, "آریا سیمان", kind="company", email="r.karimi@aryasiman.ir")
    assert "email_contact" in _keys(crm, sheet)
    # The firm's people's mailboxes give it a domain when it has no website or mailbox.
    assert crm.domain == "aryasiman.ir"
    # A free-mail box says nothing about the firm's domain.
    assert _f(3, "x", kind="company", contacts=((None, "ali@gmail.com"),)).domain == ""
    # Two firms listing the same person (a consultant) share that contact.
    other = _f(4, "Novin Beton", kind="company", contacts=((None, "r.karimi@aryasiman.ir"),))
    assert "email_contact" in _keys(crm, other)
    assert "email_different" in _keys(crm, _f(5, "y", email="info@novinbeton.ir"))


def test_only_a_contact_phone_in_common_is_still_compared() -> None:
    """Names too far apart for the name blocks ("Kavir Tile" / «شرکت صنایع کاشی کویر
    یزد»): the pair is compared because the contact's mobile is the other's phone."""
    a = _f(1, "Kavir Tile", kind="company", contacts=(("09131234567", None),))
    b = _f(2, "شرکت صنایع کاشی کویر یزد", kind="company", phone="+98 913 123 4567")
    c = _f(3, "Someone Else", kind="company", phone="09350000000")
    compared, found = score_pairs([a, b, c], min_score=0.0)
    assert compared == 1
    assert [(low, high) for low, high, _ in found] == [(1, 2)]
    assert linkage.contact_block_values([a, b, c]) == [["p:989131234567"], ["p:989131234567"], None]


def test_a_contact_number_shared_by_many_firms_is_not_a_block() -> None:
    """An agency's switchboard listed as the contact of 60 firms pairs none of them."""
    items = [
        _f(i, f"Firm {i}", kind="company", contacts=(("02188888888", None),)) for i in range(60)
    ]
    assert linkage.contact_block_values(items) == [None] * 60


def test_a_shared_contact_does_not_make_two_firms_or_a_person_one_customer() -> None:
    """A bookkeeper who is the contact of two firms, and the firm's manager who also buys in
    person: the same number through a contact, but other names or another kind of customer."""
    first = _f(1, "Arya Siman", kind="company", contacts=(("09121234567", None),), city="قم")
    second = _f(2, "Novin Beton", kind="company", contacts=(("0912 123 4567", None),), city="قم")
    assert "phone_contact" in _keys(first, second)
    assert compare(first, second).score < 0.5
    manager = _f(3, "Reza Karimi", phone="+98 912 123 4567", city="قم")
    assert "phone_contact" in _keys(first, manager)
    assert compare(first, manager).score < 0.5


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("شرکت آریا خودرو (سهامی خاص)", "آريا\u200cخودرو", True),  # «شرکت», legal form, ي, ZWNJ
        ("آریا خودرو (با مسئولیت محدود)", "شركت آریا خودرو سهامی عام", True),
        ("Arya Khodro Co.", "ARYA KHODRO LTD", True),
        ("بازرگانی آریا خودرو", "آریا خودرو", False),  # part of a registered name
        ("گروه صنعتی آریا", "صنعتی آریا", False),
        ("Arya Khodro Group", "Arya Khodro", False),
        ("آریا خودرو شرق", "آریا خودرو", False),
        ("خودرو آریا", "آریا خودرو", False),  # another name, not another spelling
    ],
)
def test_registered_name_drops_only_what_a_register_adds(
    first: str, second: str, same: bool
) -> None:
    a, b = _f(1, first, kind="company"), _f(2, second, kind="company")
    assert a.registered and b.registered
    assert (a.registered == b.registered) is same
    assert _f(3, first).registered == ""  # persons have no registered name


def _books_and_sheet(sheet_name: str, phone: str) -> tuple[Features, Features]:
    """An accounting record of a firm (formal name, office line, postal code) and a sales
    sheet's record (a name and a rep's mobile): nothing in common but the name and city."""
    books = _f(
        1,
        "شرکت آریا خودرو (سهامی خاص)",
        kind="company",
        phone="021 4412 8890",
        postal_code="1587654321",
        postal_address="خیابان ولیعصر، کوچه لاله، پلاک ۱۲",
        city="تهران",
    )
    return books, _f(2, sheet_name, kind="company", city="تهران", phone=phone)


def test_a_firm_sharing_only_its_registered_name_is_proposed() -> None:
    """Iran's register gives a company name to one company only: the exact registered name
    (after CKM's folding, «شرکت» and the legal form aside) is near-decisive for two firms."""
    books, sheet = _books_and_sheet("آريا\u200cخودرو", "0912 345 6789")
    match = compare(books, sheet)
    assert match.score >= DEFAULT_MIN_SCORE
    assert match.reasons[0].key == "duplicates.reason.company_name_same"
    assert match.reasons[0].weight > 15
    # A firm that moved to another city is still found.
    moved = _f(3, "آریا خودرو", kind="company", phone="0912 345 6789", city="شیراز")
    assert compare(books, moved).score >= DEFAULT_MIN_SCORE


@pytest.mark.parametrize(
    "near",
    ["آریا خودرو شرق", "شرکت آریا خودرو پخش", "بازرگانی آریا خودرو", "صنایع آریا خودرو"],
)
def test_a_near_name_firm_is_not_proposed(near: str) -> None:
    """A region or activity word more is another firm (a regional arm, a distributor), even
    when CKM's name rule drops the word as a title («بازرگانی», «صنایع»)."""
    books, sibling = _books_and_sheet(near, "0935 222 3344")
    assert "company_name_same" not in _keys(books, sibling)
    assert compare(books, sibling).score < DEFAULT_MIN_SCORE


def test_two_persons_sharing_only_a_name_are_not_proposed() -> None:
    """The same name and city, nothing else: namesakes, however exact the name."""
    a = _f(1, "کاوه یزدانی", postal_code="1934567890", city="تهران")
    b = _f(2, "كاوه یزدانی", phone="0912 888 7766", city="تهران")
    assert "name_same" in _keys(a, b) and "company_name_same" not in _keys(a, b)
    assert compare(a, b).score < DEFAULT_MIN_SCORE


def test_registered_name_u_is_measured_on_firms_known_to_differ() -> None:
    """u of "same registered name" counts only pairs of firms whose national ids differ (two
    records of one firm with one name are not evidence against the name)."""

    def firm(ident: int, name: str, national_id: str | None) -> Features:
        return _f(ident, name, kind="company", national_id=national_id)

    items = [
        firm(1, "آریا خودرو", "10101234567"),
        firm(2, "شرکت آریا خودرو", "10101234567"),  # the same firm: not counted
        firm(3, "نوین بتن", "10107654321"),
        firm(4, "سهند بتن", None),  # no id: not known to differ
        _f(5, "کاوه یزدانی"),
    ]
    u, shared, pairs = linkage.registered_name_u(items)
    assert (shared, pairs) == (0, 2)
    clash = [*items, firm(6, "Novin Beton", "10100000001"), firm(7, "نوین‌بتن", "10100000002")]
    _, shared, pairs = linkage.registered_name_u(clash)
    assert shared == 1  # 3 and 7: one registered name, two ids
    assert linkage.registered_name_u(clash)[0] > u
