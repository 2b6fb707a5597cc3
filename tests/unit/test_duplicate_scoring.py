"""The comparison rules behind duplicate candidates and the Splink model that weighs them, one
variant at a time (no database)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from ckm.services.duplicates import linkage
from ckm.services.duplicates.detect import score_pairs
from ckm.services.duplicates.features import Features, features
from ckm.services.duplicates.scoring import DEFAULT_MIN_SCORE, Match


def _f(customer_id: int, name: str, **fields: str | None) -> Features:
    return features(
        customer_id,
        kind=fields.get("kind", "person"),
        name=name,
        phone=fields.get("phone"),
        email=fields.get("email"),
        city=fields.get("city"),
        national_id=fields.get("national_id"),
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
    ],
)
def test_name_variants_are_the_same_name(first: str, second: str) -> None:
    assert "name_same" in _keys(_f(1, first), _f(2, second))


def test_transliteration_sounds_the_same() -> None:
    assert "name_sound" in _keys(_f(1, "علی رحیمی"), _f(2, "Ali Rahimy"))


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
