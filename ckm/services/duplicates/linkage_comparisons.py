"""The Splink model's comparisons (part of `linkage`): the fields it compares, their levels,
and CKM's name, email and address rules as DuckDB SQL functions, so a level means the same as
the reason shown for it (`scoring`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ckm.services.duplicates.features import Features
from ckm.services.duplicates.linkage_frame import blocking_rules
from ckm.services.duplicates.scoring import email_reason, name_reason, place_reason

if TYPE_CHECKING:
    import duckdb
    import pyarrow

_EMAIL_LEVELS = ("same", "typo", "contact", "domain")


# Level codes of the SQL functions (the order of the levels in `settings`).
_NAME_CODES = {
    "duplicates.reason.name_same": 1,
    "duplicates.reason.name_sound": 2,
    "duplicates.reason.name_alike": 3,
    "duplicates.reason.name_partly": 5,
}
_EMAIL_CODES = {
    "duplicates.reason.email_same": 1,
    "duplicates.reason.email_typo": 2,
    "duplicates.reason.email_contact": 3,
    "duplicates.reason.email_domain": 4,
}


def name_level(a: Features, b: Features) -> int:
    """0 no name, 1 same, 2 same sound, 3 ≥ 90 % alike, 4 80–89 %, 5 65–79 %, 6 otherwise."""
    reason = name_reason(a, b)
    if reason is None:
        return 0
    code = _NAME_CODES.get(reason.key, 6)
    percent = reason.values.get("percent", 0)
    if code == 3 and isinstance(percent, int) and percent < 90:
        return 4
    return code


def email_level(a: Features, b: Features) -> int:
    """0 no email, 1 same, 2 one typo apart, 3 the same mailbox through a contact person,
    4 same company domain, 5 different."""
    reason = email_reason(a, b)
    return 0 if reason is None else _EMAIL_CODES.get(reason.key, 5)


_PLACE_CODES = {
    "duplicates.reason.postal_same": 1,
    "duplicates.reason.address_same": 2,
    "duplicates.reason.address_alike": 3,
}


def place_level(a: Features, b: Features) -> int:
    """0 nothing to compare, 1 same postal code, 2 same address, 3 same building (another unit
    or words missing), 4 a different place."""
    reason = place_reason(a, b)
    return 0 if reason is None else _PLACE_CODES.get(reason.key, 4)


def _cached_level(
    by_id: dict[int, Features], rule: Callable[[Features, Features], int]
) -> Callable[[pyarrow.Array, pyarrow.Array], pyarrow.Array]:
    """`rule` as a vectorised DuckDB function of two customer ids, each pair computed once
    (Splink's CASE asks it again for every level it tries)."""
    import pyarrow

    seen: dict[tuple[int, int], int] = {}

    def level(lows: pyarrow.Array, highs: pyarrow.Array) -> pyarrow.Array:
        out = []
        for low, high in zip(lows.to_pylist(), highs.to_pylist(), strict=True):
            pair = (low, high)
            code = seen.get(pair)
            if code is None:
                code = seen[pair] = rule(by_id[low], by_id[high])
            out.append(code)
        return pyarrow.array(out, type=pyarrow.int32())

    # DuckDB reads the annotations at run time; under `from __future__ import annotations`
    # they are strings naming a module imported lazily here.
    level.__annotations__ = {}
    return level


def connect(by_id: dict[int, Features]) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with CKM's name and email levels as SQL functions."""
    import duckdb
    from duckdb.func import PythonUDFType

    connection = duckdb.connect(":memory:")
    for function, rule in (
        ("ckm_name_level", name_level),
        ("ckm_email_level", email_level),
        ("ckm_place_level", place_level),
    ):
        connection.create_function(
            function,
            _cached_level(by_id, rule),
            ["BIGINT", "BIGINT"],
            "INTEGER",
            type=PythonUDFType.ARROW,
        )
    return connection


def settings() -> Any:
    """The untrained model: comparisons, levels and blocking rules."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator

    name_levels: list[Any] = [
        cll.CustomLevel("name_l IS NULL OR name_r IS NULL").configure(is_null_level=True)
    ]
    # The exact levels are plain SQL (most pairs stop there); the fuzzy ones ask CKM's rule.
    same = cll.CustomLevel(
        "name_sorted_l = name_sorted_r OR name_joined_l = name_joined_r", label_for_charts="same"
    )
    # The same sound in order, or CKM's rule for the rest of "sounds the same" (swapped names
    # whose compound is split differently: «حسن‌لو داوود» / "Davood Hassanlou"); without it
    # those pairs fell through to "all other comparisons" while their reason said "sound".
    sound = cll.CustomLevel(
        "key_joined_l = key_joined_r OR ckm_name_level(unique_id_l, unique_id_r) = 2",
        label_for_charts="sound",
    )
    # Iran's register gives a company name to one company only, while person names are shared
    # by many people: two firms with the same registered name (`features.registered_name`:
    # folded letters, «شرکت» and the legal form dropped, nothing else) are one firm, so that is
    # a level of its own with its own m and u (`linkage.train`). Only the exact name: a near
    # name («آریا خودرو» / «آریا خودرو شرق») or one that sounds the same is often another firm,
    # and falls to the levels persons share.
    company = cll.CustomLevel(
        "kind_l = 'company' AND kind_r = 'company' AND registered_l = registered_r",
        label_for_charts="company_registered",
    )
    # Two firms whose names are otherwise the same (words such as «بازرگانی» or «گروه» aside,
    # another order) or sound the same (Persian / Latin): weighed as trained on random pairs,
    # like a person's name, and kept apart from the persons' levels so that firms written in
    # both scripts (nearly always one firm) do not raise the persons' name u.
    company_alike = cll.CustomLevel(
        "kind_l = 'company' AND kind_r = 'company' AND (name_sorted_l = name_sorted_r "
        "OR name_joined_l = name_joined_r OR key_joined_l = key_joined_r)",
        label_for_charts="company_same",
    )
    name_levels += [
        company,
        company_alike,
        same.configure(tf_adjustment_column="key_sorted", tf_adjustment_weight=1.0),
        # Splink's term-frequency adjustment needs the exact level of its column.
        cll.ExactMatchLevel("key_sorted", term_frequency_adjustments=True),
        sound.configure(tf_adjustment_column="key_sorted", tf_adjustment_weight=1.0),
    ]
    for code, label in ((3, "alike90"), (4, "alike80"), (5, "partly")):
        name_levels.append(
            cll.CustomLevel(
                f"ckm_name_level(unique_id_l, unique_id_r) = {code}", label_for_charts=label
            )
        )
    name_levels.append(cll.ElseLevel())

    email_levels: list[Any] = [
        cll.CustomLevel(
            "(email_l IS NULL AND contact_emails_l IS NULL) "
            "OR (email_r IS NULL AND contact_emails_r IS NULL)"
        ).configure(is_null_level=True)
    ]
    for code, label in enumerate(_EMAIL_LEVELS, 1):
        email_levels.append(
            cll.CustomLevel(
                f"ckm_email_level(unique_id_l, unique_id_r) = {code}", label_for_charts=label
            )
        )
    email_levels.append(cll.ElseLevel())

    swapped = (
        "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) "
        "AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2) "
        "AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)"
    )
    birth = cl.CustomComparison(
        [
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date"),
            cll.CustomLevel(swapped, label_for_charts="swapped"),
            cll.ElseLevel(),
        ],
        output_column_name="birth_date",
    )
    # Nothing to compare and the same postal code are plain SQL, so CKM's address rule (a
    # Python call per pair) runs only for the pairs that have addresses to compare. The same
    # levels as `place_level` codes 0 and 1.
    place_levels: list[Any] = [
        cll.CustomLevel(
            "(postal_code_l IS NULL OR postal_code_r IS NULL) "
            "AND (address_l IS NULL OR address_r IS NULL)",
            label_for_charts="nothing",
        ).configure(is_null_level=True),
        cll.CustomLevel("postal_code_l = postal_code_r", label_for_charts="postal"),
    ]
    for code, label in ((2, "address"), (3, "building")):
        place_levels.append(
            cll.CustomLevel(
                f"ckm_place_level(unique_id_l, unique_id_r) = {code}", label_for_charts=label
            )
        )
    place_levels.append(cll.ElseLevel())
    # The same levels as `scoring.phone_reason`, in SQL (every compared pair asks).
    phone = cl.CustomComparison(
        [
            cll.CustomLevel(
                "(phone_l IS NULL AND contact_phones_l IS NULL) "
                "OR (phone_r IS NULL AND contact_phones_r IS NULL)"
            ).configure(is_null_level=True),
            cll.CustomLevel("phone_l = phone_r", label_for_charts="same"),
            cll.CustomLevel(
                "list_contains(contact_phones_l, phone_r) "
                "OR list_contains(contact_phones_r, phone_l) "
                "OR list_has_any(contact_phones_l, contact_phones_r)",
                label_for_charts="contact",
            ),
            cll.ElseLevel(),
        ],
        output_column_name="phone",
    )
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ExactMatch("national_id"),
            cl.CustomComparison(place_levels, output_column_name="place"),
            birth,
            cl.ExactMatch("domain"),
            phone,
            cl.CustomComparison(email_levels, output_column_name="email"),
            cl.CustomComparison(name_levels, output_column_name="name"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("kind"),
        ],
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
    )


# The comparisons' output columns, in the order of `settings`: the weights a prediction reads.
_COMPARISONS = (
    "national_id",
    "place",
    "birth_date",
    "domain",
    "phone",
    "email",
    "name",
    "city",
    "kind",
)
