"""Scoring candidate pairs with Splink (probabilistic record linkage, DuckDB backend).

Splink does the Fellegi–Sunter work: it generates the pairs from the blocking rules (SQL joins
in DuckDB, so the work grows with the number of customers, not its square), puts every field
comparison into one of its levels, weighs each level with log2(m/u) (m: how often true
duplicates show that level, u: how often unrelated customers do), adjusts the name and city
weights for how common the value is (term frequencies: a rare name that matches says more than
«علی محمدی» matching), and turns the summed weights into a match probability.

What Splink compares is CKM's own normalised form of each customer (`features.features`:
Persian letter folding, ZWNJ, digits, +98/0098/0 phones, honorifics dropped, Persian ↔ Latin
sound keys). The name and email levels are CKM's own rules (`scoring.name_reason`,
`scoring.email_reason`), given to DuckDB as SQL functions, so "names 92 % alike" and "one typo
apart" mean the same thing in the model, in its reasons and in the unit tests.

The m and u values are trained, not hand-set: `train()` estimates u from random pairs and m by
expectation maximisation (fixed seed), and `tests/bench/train_duplicates.py` stores the result
in `model.json` next to this file, which detection loads.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ckm.services.duplicates.features import (
    GENERIC_LOCAL,
    Features,
    blocking_keys,
    contact_keys,
)
from ckm.services.duplicates.scoring import (
    Match,
    Reason,
    birth_date_reason,
    email_reason,
    name_reason,
    phone_reason,
    place_reason,
)

if TYPE_CHECKING:
    import duckdb
    import pyarrow

MODEL_PATH = Path(__file__).with_name("model.json")
TRAINING_SEED = 20261130
M_FLOOR = 1e-3

# Blocking: customers are compared only when one of these keys is equal (see
# `features.blocking_keys`): phone, email, national id, postal code, website domain, building,
# mailbox before the @, company domain + name key, name sound key (as written / sorted), city +
# key prefix, and the mailbox's letters and digits at its domain (dots and case ignored). A key
# shared by more customers than its cap (a switchboard number, a very common name in one city)
# carries no signal and is not a block.
#
# The name keys have the lowest cap: a name alone is weak evidence for a common name (term
# frequencies), and at 100,000 customers the name blocks of 9 to 20 namesakes made more than
# half of all pairs compared (200,000 of 374,000) while adding 0.1 point of recall on the
# tuning data (`bench_duplicates.py --blocking` shows the pairs each rule adds).
BLOCKS: tuple[tuple[str, str, int], ...] = (
    ("blkphone", "p", 50),
    ("blkemail", "e", 50),
    ("blkid", "i", 50),
    ("blkpostal", "z", 50),
    ("blkdomain2", "w", 50),
    ("blkplace", "a", 20),
    ("blkmailbox", "l", 50),
    ("blkdomain", "d", 50),
    ("blkname", "k", 8),
    ("blksorted", "s", 8),
    ("blkcity", "c", 8),
    ("blkletters", "m", 50),
)
# Phones and emails of contact persons: a list per customer (its contacts' keys, plus its own
# phone and email keys when some other customer's contact has them), exploded by Splink into
# one join, so a contact's mobile meets the same number written as another record's phone.
CONTACT_BLOCK = ("blkcontact", 50)
_EMAIL_LEVELS = ("same", "typo", "contact", "domain")

# Splink's progress messages stay out of CKM's logs; its warnings go through them (Splink is
# told not to configure logging itself: `log_level=None`).
logging.getLogger("splink").setLevel(logging.WARNING)


def _letters_key(item: Features) -> str | None:
    """The mailbox without dots, dashes and underscores, at its domain ("ELHAM..SHOJAEI336" and
    "elham.shojaei336" at yahoo.com are one key)."""
    if not item.email_local or item.email_local in GENERIC_LOCAL:
        return None
    letters = "".join(char for char in item.email_local if char.isalnum())
    if len(letters) < 5:
        return None
    return f"{letters}@{item.email_domain}"


def block_values(items: Sequence[Features]) -> dict[str, list[str | None]]:
    """One column per blocking rule: the customer's key, or None when it has none or the block
    is larger than its cap."""
    keyed: list[dict[str, str]] = []
    sizes: Counter[str] = Counter()
    for item in items:
        # Every key starts with its one-letter prefix and a colon.
        keys = {key[0]: key for key in blocking_keys(item)}
        letters = _letters_key(item)
        if letters:
            keys["m"] = "m:" + letters
        keyed.append(keys)
        sizes.update(keys.values())
    columns: dict[str, list[str | None]] = {}
    for column, prefix, cap in BLOCKS:
        values: list[str | None] = []
        for keys in keyed:
            key = keys.get(prefix)
            values.append(key if key is not None and 2 <= sizes[key] <= cap else None)
        columns[column] = values
    return columns


def contact_block_values(items: Sequence[Features]) -> list[list[str] | None]:
    """The contact block: per customer, its contacts' phone and email keys, and its own phone
    and email keys that some customer lists for a contact (None when it has none). A key held
    by more customers than the cap, in either role, is not a block."""
    keys: dict[int, set[str]] = {
        index: set(contact_keys(item))
        for index, item in enumerate(items)
        if item.contact_phones or item.contact_emails
    }
    if not keys:
        return [None] * len(items)
    sizes: Counter[str] = Counter(key for held in keys.values() for key in held)
    phones = {phone for index in keys for phone in items[index].contact_phones}
    emails = {email for index in keys for email in items[index].contact_emails}
    for index, item in enumerate(items):
        own = []
        if item.phone in phones and len(item.phone) >= 7:
            own.append("p:" + item.phone)
        if item.email in emails:
            own.append("e:" + item.email)
        for key in own:
            held = keys.setdefault(index, set())
            if key not in held:
                held.add(key)
                sizes[key] += 1
    cap = CONTACT_BLOCK[1]
    values: list[list[str] | None] = [None] * len(items)
    for index, held in keys.items():
        values[index] = sorted(key for key in held if 2 <= sizes[key] <= cap) or None
    return values


def blocking_rules() -> list[Any]:
    """Splink's blocking rules: one per `BLOCKS` column, and the exploded contact block."""
    from splink import block_on

    rules: list[Any] = [block_on(column) for column, _, _ in BLOCKS]
    column = CONTACT_BLOCK[0]
    rules.append(block_on(column, arrays_to_explode=[column]))
    return rules


def frame(items: Sequence[Features]) -> pyarrow.Table:
    """The customers as Splink's input table (empty strings as NULL: no evidence)."""
    import pyarrow

    def column(name: str) -> list[str | None]:
        return [getattr(item, name) or None for item in items]

    # Most customers have no contacts: their list is NULL (cheap to build and to convert).
    def lists(name: str) -> list[list[str] | None]:
        return [list(getattr(item, name)) or None for item in items]

    return pyarrow.table(
        {
            "unique_id": [item.id for item in items],
            "kind": column("kind"),
            "name": column("name"),
            "name_sorted": column("name_sorted"),
            "name_joined": column("name_joined"),
            "key_sorted": column("key_sorted"),
            "key_joined": column("key_joined"),
            "phone": column("phone"),
            "contact_phones": lists("contact_phones"),
            "email": column("email"),
            "contact_emails": lists("contact_emails"),
            "city": column("city"),
            "national_id": column("national_id"),
            "postal_code": column("postal_code"),
            "birth_date": column("birth_date"),
            "domain": column("domain"),
            "address": column("address"),
            **block_values(items),
            CONTACT_BLOCK[0]: contact_block_values(items),
        },
        schema=_schema(),
    )


def _schema() -> pyarrow.Schema:
    """Column types, so that a list column holding only NULLs is still a list of strings."""
    import pyarrow

    text = pyarrow.string()
    names = [
        "kind",
        "name",
        "name_sorted",
        "name_joined",
        "key_sorted",
        "key_joined",
        "phone",
        "contact_phones",
        "email",
        "contact_emails",
        "city",
        "national_id",
        "postal_code",
        "birth_date",
        "domain",
        "address",
        *(column for column, _, _ in BLOCKS),
        CONTACT_BLOCK[0],
    ]
    lists = {"contact_phones", "contact_emails", CONTACT_BLOCK[0]}
    return pyarrow.schema(
        [("unique_id", pyarrow.int64())]
        + [(name, pyarrow.list_(text) if name in lists else text) for name in names]
    )


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
    # Company names are registered once, person names are shared by many people: the same
    # name says more of two companies, so it is its own level with its own weight.
    company = cll.CustomLevel(
        "kind_l = 'company' AND kind_r = 'company' AND (name_sorted_l = name_sorted_r "
        "OR name_joined_l = name_joined_r OR key_joined_l = key_joined_r)",
        label_for_charts="company_same",
    )
    name_levels += [
        company,
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


def train(items: Sequence[Features], *, seed: int = TRAINING_SEED) -> dict[str, Any]:
    """Estimate the model on these customers (unsupervised; reproducible with the seed).

    u from a random sample of pairs (nearly all different customers); the share of duplicates
    among all pairs from two near-certain rules; m by expectation maximisation twice, once on
    pairs sharing a phone (learns the name, email and city levels) and once on pairs sharing a
    name sound key (learns the phone levels).
    """
    from splink import DuckDBAPI, Linker, block_on

    by_id = {item.id: item for item in items}
    api = DuckDBAPI(connect(by_id))
    linker = Linker(api.register(frame(items)), settings(), log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [
            "l.phone = r.phone and l.key_sorted = r.key_sorted",
            "l.email = r.email and l.key_sorted = r.key_sorted",
            "l.national_id = r.national_id",
        ],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    _birth_date_u(linker, items)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("key_sorted"))
    model: dict[str, Any] = linker.misc.save_model_to_json()
    # Ten significant digits: DuckDB's parallel sums differ in the last bits from run to run,
    # and the stored model should not.
    model["linker_uid"] = "ckm"
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            # A level true duplicates never showed in training (a company against a person,
            # a birth date typed with day and month swapped) still happens now and then:
            # its m stays at least M_FLOOR, so one slip cannot outweigh every other field.
            level["m_probability"] = max(float(level.get("m_probability") or 0.0), M_FLOOR)
        # A level random pairs never showed is as rare among different customers as the
        # rarest level of its field (not counting "all other", which nearly all pairs show).
        known = [
            level["u_probability"]
            for level in comparison["comparison_levels"][:-1]
            if isinstance(level.get("u_probability"), float)
        ]
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level") and level.get("u_probability") is None and known:
                level["u_probability"] = min(known)
        for level in comparison["comparison_levels"]:
            for key in ("m_probability", "u_probability"):
                if isinstance(level.get(key), float):
                    level[key] = float(f"{level[key]:.10g}")
    share = float(model["probability_two_random_records_match"])
    model["probability_two_random_records_match"] = float(f"{share:.10g}")
    return {"ckm": {"records": len(items), "seed": seed}, "splink": model}


def _birth_date_u(linker: Any, items: Sequence[Features]) -> None:
    """u of the birth-date levels from the dates themselves when the random sample saw none:
    few customers carry a birth date, so 2 million random pairs may hold no two equal ones,
    and an unobserved u would leave "same birth date" without weight (or, filled with the
    "different" level's u of nearly 1, make it count against). Instead: the share of ordered
    pairs of customers with birth dates that share one (at least one pair's worth; true
    duplicates among them make it an overestimate, so the evidence is understated, not
    overstated); a day-and-month swap is taken as about as likely."""
    counts = Counter(item.birth_date for item in items if item.birth_date)
    total = sum(counts.values())
    if total < 2:
        return
    pairs = total * (total - 1)
    chance = max(sum(count * (count - 1) for count in counts.values()), 1) / pairs
    for comparison in linker._settings_obj.comparisons:
        if comparison.output_column_name != "birth_date":
            continue
        for level in comparison.comparison_levels[1:-1]:  # between NULL and "all other"
            # Splink's own record of the sample: no number, or "not observed".
            if not isinstance(level._u_probability, float):
                level.u_probability = chance


def load_model(path: Path = MODEL_PATH) -> dict[str, Any]:
    model: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return model


def _prior(model: dict[str, Any], customers: int) -> float:
    """The share of duplicates among all pairs: the training base's, whatever the size.

    The textbook choice scales it by 1/n (each customer has about as many duplicates in a base
    of any size). On the tuning data at 100,000 customers that cost 3 points of recall at the
    default threshold for no precision (0.9989 against 0.9986): the summed weights of fields that
    are not independent (a shared phone and a shared name) already overstate the evidence, and
    the smaller prior only moved the threshold. `customers` is kept for that choice.
    """
    del customers
    return float(model["splink"]["probability_two_random_records_match"])


# Term frequencies are shrunk towards the trained average so that a small base (ten customers,
# where every name is "10 % of all names") is not read as all-common names.
_TF_PSEUDO_RECORDS = 10000


def _exact_u(model: dict[str, Any], comparison: str, column: str) -> float:
    for item in model["splink"]["comparisons"]:
        if item["output_column_name"] != comparison:
            continue
        for level in item["comparison_levels"]:
            if level.get("sql_condition") == f'"{column}_l" = "{column}_r"':
                return float(level["u_probability"])
    raise KeyError(column)


def _term_frequencies(values: Iterable[str | None], prior_u: float) -> pyarrow.Table | None:
    import pyarrow

    counts = Counter(value for value in values if value)
    total = sum(counts.values())
    if not counts:
        return None
    keys = list(counts)
    return pyarrow.table(
        {
            "value": keys,
            "tf": [
                (counts[key] + _TF_PSEUDO_RECORDS * prior_u) / (total + _TF_PSEUDO_RECORDS)
                for key in keys
            ],
        }
    )


@dataclass(frozen=True)
class Scored:
    low: int
    high: int
    match: Match


def field_reasons(a: Features, b: Features, weights: dict[str, float]) -> list[Reason]:
    """Plain-words reasons per field, each with the weight Splink gave that field."""
    reasons: list[Reason] = []
    if a.national_id and b.national_id:
        key = "id_same" if a.national_id == b.national_id else "id_different"
        reasons.append(Reason(f"duplicates.reason.{key}", weights["national_id"]))
    place = place_reason(a, b)
    if place is not None:
        reasons.append(Reason(place.key, weights["place"]))
    birth = birth_date_reason(a, b)
    if birth is not None:
        reasons.append(Reason(birth.key, weights["birth_date"]))
    if a.domain and b.domain:
        key = "domain_same" if a.domain == b.domain else "domain_different"
        reasons.append(Reason(f"duplicates.reason.{key}", weights["domain"]))
    phone = phone_reason(a, b)
    if phone is not None:
        reasons.append(Reason(phone.key, weights["phone"]))
    email = email_reason(a, b)
    if email is not None:
        reasons.append(Reason(email.key, weights["email"], email.values))
    name = name_reason(a, b)
    if name is not None:
        reasons.append(Reason(name.key, weights["name"], name.values))
    if a.city and b.city:
        key = "city_same" if a.city == b.city else "city_different"
        reasons.append(Reason(f"duplicates.reason.{key}", weights["city"]))
    if a.kind and b.kind and a.kind != b.kind:
        reasons.append(Reason("duplicates.reason.kind_different", weights["kind"]))
    reasons.sort(key=lambda reason: -abs(reason.weight))
    return reasons


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


def predict(
    items: Sequence[Features],
    *,
    min_score: float,
    model: dict[str, Any] | None = None,
    timings: dict[str, float] | None = None,
) -> tuple[int, list[Scored]]:
    """(pairs compared, the pairs whose match probability is at least `min_score`);
    `timings` receives the seconds spent building the input ("frame"), in Splink ("predict")
    and writing the reasons ("reasons")."""
    if len(items) < 2:
        return 0, []
    clock = time.perf_counter()
    from splink import DuckDBAPI, Linker

    model = model or load_model()
    splink_model = dict(model["splink"])
    splink_model["probability_two_random_records_match"] = _prior(model, len(items))
    by_id = {item.id: item for item in items}
    connection = connect(by_id)
    api = DuckDBAPI(connection)
    linker = Linker(api.register(frame(items)), splink_model, log_level=None)
    spent = {"frame": time.perf_counter() - clock}
    clock = time.perf_counter()
    for column, comparison in (("key_sorted", "name"), ("city", "city")):
        table = _term_frequencies(
            (getattr(item, column) for item in items), _exact_u(model, comparison, column)
        )
        if table is not None:
            lookup = api.register(
                table.rename_columns([column, f"tf_{column}"]), table_name=f"ckm_tf_{column}"
            )
            linker.table_management.register_term_frequency_lookup(lookup, column)
    predictions = linker.inference.predict(warning_mode="never")
    table_name = predictions.physical_name
    compared = int(connection.sql(f"SELECT count(*) FROM {table_name}").fetchall()[0][0])  # noqa: S608
    weight_columns = ", ".join(
        f"coalesce(mw_{name}, 0)"
        + (f" + coalesce(mw_tf_adj_{name}, 0)" if name in ("name", "city") else "")
        for name in _COMPARISONS
    )
    rows = connection.sql(
        f"SELECT unique_id_l, unique_id_r, match_weight, match_probability, {weight_columns} "  # noqa: S608
        f"FROM {table_name} WHERE match_probability >= {float(min_score)!r}"
    ).fetchall()
    spent["predict"] = time.perf_counter() - clock
    clock = time.perf_counter()
    found: list[Scored] = []
    for left, right, weight, chance, *parts in rows:
        low, high = sorted((int(left), int(right)))
        weights = dict(zip(_COMPARISONS, (float(part) for part in parts), strict=True))
        reasons = field_reasons(by_id[low], by_id[high], weights)
        found.append(Scored(low, high, Match(float(weight), float(chance), reasons)))
    connection.close()
    spent["reasons"] = time.perf_counter() - clock
    if timings is not None:
        timings.update(spent)
    return compared, found
