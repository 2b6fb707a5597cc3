"""Customer search on real SQLite and PostgreSQL databases, migrated from empty."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from ckm.db import Store, alembic_config
from ckm.models import Customer, utc_now
from ckm.services.search import (
    SearchHit,
    customer_document,
    index_customers,
    rebuild_customer_index,
    search_customer_ids,
)

ZWNJ = "\u200c"

# name, city, email, phone, external id. Spellings are deliberately mixed: Arabic letters,
# ZWNJ, Persian digits, as real imports deliver them.
CUSTOMERS: dict[str, tuple[str, str | None, str | None, str | None, str | None]] = {
    "rahimi": ("Rahimi Trading", "Tehran", "ali.rahimi@example.com", "0912 345 6789", "C-1001"),
    "rahim": ("Rahim", "Shiraz", None, None, None),
    "karimi": ("شركت كريمي", "تهران", "info@karimi.ir", "+98 21 8888 1234", "C-1002"),
    "rezaei": ("علي رضايي", "اصفهان", None, "۰۹۳۵۱۱۱۲۲۳۳", "C-۱۰۰۳"),
    "hosseinzadeh": (f"مریم حسین{ZWNJ}زاده", "مشهد", None, None, None),
    "alipour": ("کاوه علیپور", "تبریز", None, None, None),
    "shop": (f"فروشگاه کتاب{ZWNJ}های نو", "کرج", None, None, None),
    "mueller": ("Müller GmbH", "Berlin", "kontakt@mueller.de", "+49 30 1234567", "DE-77"),
}


def _add(session, key: str) -> Customer:  # type: ignore[no-untyped-def]
    name, city, email, phone, external_id = CUSTOMERS[key]
    customer = Customer(name=name, city=city, email=email, phone=phone, external_id=external_id)
    session.add(customer)
    return customer


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    """All CUSTOMERS inserted through the ORM and indexed; key -> customer id."""
    with store.write() as session:
        created = {key: _add(session, key) for key in CUSTOMERS}
        session.flush()
        index_customers(session, [customer.id for customer in created.values()])
        return {key: customer.id for key, customer in created.items()}


def _search(store: Store, query: str, **kwargs: object) -> list[SearchHit]:
    with store.read() as session:
        return search_customer_ids(session, query, **kwargs)  # type: ignore[arg-type]


def _found(store: Store, query: str) -> list[int]:
    return [hit.customer_id for hit in _search(store, query)]


def _first(store: Store, query: str) -> int | None:
    hits = _found(store, query)
    return hits[0] if hits else None


# ---------------------------------------------------------------- what users type


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("Rahimi", "rahimi"),
        ("rahimi trading", "rahimi"),
        ("TRADING", "rahimi"),
        ("Tehran", "rahimi"),
        ("müller", "mueller"),
        ("muller", "mueller"),
        ("کریمی", "karimi"),
        ("شرکت کریمی", "karimi"),
        ("علی رضایی", "rezaei"),
        ("رضایی اصفهان", "rezaei"),
    ],
)
def test_whole_words_in_either_script(store: Store, ids: dict[str, int], query: str, key: str):
    assert _first(store, query) == ids[key]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("rahimi", "rahimi"),
        ("rahi", "rahimi"),
        ("trad", "rahimi"),
        ("Teh", "rahimi"),
        ("کری", "karimi"),
        ("رضا", "rezaei"),
        ("mül", "mueller"),
    ],
)
def test_prefixes(store: Store, ids: dict[str, int], query: str, key: str) -> None:
    assert ids[key] in _found(store, query)


def test_short_prefix_finds_both_rahims(store: Store, ids: dict[str, int]) -> None:
    found = _found(store, "rah")
    assert set(found[:2]) == {ids["rahim"], ids["rahimi"]}
    assert _found(store, "r")[:2] == found[:2]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("Rahimy", "rahimi"),
        ("Tehrann", "rahimi"),
        ("Teharn", "rahimi"),
        ("Trdaing", "rahimi"),
        ("تهرن", "karimi"),
        ("کریمى", "karimi"),
        ("رضایے", "rezaei"),
        ("Mullre", "mueller"),
    ],
)
def test_typos(store: Store, ids: dict[str, int], query: str, key: str) -> None:
    assert ids[key] in _found(store, query)


@pytest.mark.parametrize("query", ["Trdaing", "تهرن", "Mullre"])
def test_typo_search_on_a_new_connection(store: Store, ids: dict[str, int], query: str) -> None:
    """The typo step is the first statement on a connection nobody has used before.

    On PostgreSQL the trigram extension's library loads lazily, per connection: its settings
    do not exist until then, so reading them first would fail. NullPool opens a new
    connection for every session, as a freshly started server or worker does.
    """
    fresh = Store(create_engine(store.engine.url, poolclass=NullPool))
    try:
        for _ in range(2):  # the second search starts on another new connection
            assert _found(fresh, query), query
    finally:
        fresh.dispose()


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)  # a PostgreSQL setting
def test_typo_search_leaves_the_trigram_setting_as_it_was(
    store: Store, ids: dict[str, int]
) -> None:
    with store.read() as session:
        session.execute(text("SELECT set_config('pg_trgm.similarity_threshold', '0.45', true)"))
        assert search_customer_ids(session, "Trdaing")
        setting = "SELECT current_setting('pg_trgm.similarity_threshold')"
        assert session.execute(text(setting)).scalar_one() == "0.45"


def test_a_typo_does_not_match_everything(store: Store, ids: dict[str, int]) -> None:
    assert _found(store, "Qwzxv") == []
    assert ids["mueller"] not in _found(store, "Rahimy")


@pytest.mark.parametrize(
    ("query", "key"),
    [
        # Stored with Arabic ي/ك, searched with Persian ی/ک, and the other way round.
        ("كريمي", "karimi"),
        ("کریمی", "karimi"),
        ("رضایی", "rezaei"),
        ("رضايي", "rezaei"),
        ("علي", "rezaei"),
        ("شركت", "karimi"),
    ],
)
def test_arabic_and_persian_letter_variants(
    store: Store, ids: dict[str, int], query: str, key: str
) -> None:
    assert _first(store, query) == ids[key]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        # Stored with a ZWNJ: found with the ZWNJ, with a space, and joined.
        (f"حسین{ZWNJ}زاده", "hosseinzadeh"),
        ("حسین زاده", "hosseinzadeh"),
        ("حسینزاده", "hosseinzadeh"),
        ("حسینز", "hosseinzadeh"),
        (f"کتاب{ZWNJ}های", "shop"),
        ("کتاب های", "shop"),
        ("کتابهای", "shop"),
        # Stored joined: found joined, with a space, and with a ZWNJ.
        ("علیپور", "alipour"),
        ("علی پور", "alipour"),
        (f"علی{ZWNJ}پور", "alipour"),
    ],
)
def test_zwnj_space_or_joined(store: Store, ids: dict[str, int], query: str, key: str) -> None:
    assert _first(store, query) == ids[key]


@pytest.mark.parametrize(
    "query",
    [
        "0912 345 6789",
        "09123456789",
        "+989123456789",
        "00989123456789",
        "۰۹۱۲۳۴۵۶۷۸۹",
        "٠٩١٢٣٤٥٦٧٨٩",
        "9123456789",
        "0912",
        "۰۹۱۲ ۳۴۵",
        "+98912",
        "3456789",
        "345 6789",
    ],
)
def test_phone_in_any_form_and_partial(store: Store, ids: dict[str, int], query: str) -> None:
    assert _first(store, query) == ids["rahimi"]


def test_phone_stored_with_persian_digits(store: Store, ids: dict[str, int]) -> None:
    assert _first(store, "09351112233") == ids["rezaei"]
    assert _first(store, "+98 935 111") == ids["rezaei"]
    assert _first(store, "021 8888") == ids["karimi"]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("ali.rahimi@example.com", "rahimi"),
        ("ali.rahimi", "rahimi"),
        ("example.com", "rahimi"),
        ("info@karimi.ir", "karimi"),
        ("kontakt@", "mueller"),
        ("mueller.de", "mueller"),
    ],
)
def test_email(store: Store, ids: dict[str, int], query: str, key: str) -> None:
    assert _first(store, query) == ids[key]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("C-1001", "rahimi"),
        ("c1001", "rahimi"),
        ("c 1002", "karimi"),
        ("C-1003", "rezaei"),
        ("C-۱۰۰۳", "rezaei"),
        ("de-77", "mueller"),
    ],
)
def test_external_id(store: Store, ids: dict[str, int], query: str, key: str) -> None:
    assert _first(store, query) == ids[key]


# ---------------------------------------------------------------- ranking and snippets


def test_exact_name_beats_partial(store: Store, ids: dict[str, int]) -> None:
    hits = _search(store, "Rahim")
    assert [hit.customer_id for hit in hits[:2]] == [ids["rahim"], ids["rahimi"]]
    assert hits[0].score > hits[1].score


def test_name_beats_other_fields(store: Store, ids: dict[str, int]) -> None:
    with store.write() as session:
        other = Customer(name="Tehran Steel", city="Qom")
        session.add(other)
        session.flush()
        index_customers(session, [other.id])
    hits = _search(store, "tehran")
    assert hits[0].customer_id == other.id
    assert ids["rahimi"] in [hit.customer_id for hit in hits]


def test_exact_match_beats_typo_match(store: Store, ids: dict[str, int]) -> None:
    with store.write() as session:
        typo = Customer(name="Rahimy Bakery")
        session.add(typo)
        session.flush()
        index_customers(session, [typo.id])
    hits = _search(store, "rahimy")
    assert hits[0].customer_id == typo.id
    assert ids["rahimi"] in [hit.customer_id for hit in hits]


def test_snippet_marks_the_match_as_plain_text(store: Store, ids: dict[str, int]) -> None:
    (hit,) = [h for h in _search(store, "kontakt") if h.customer_id == ids["mueller"]]
    assert "«kontakt»" in hit.matched
    assert "<" not in hit.matched and ">" not in hit.matched
    persian = _search(store, "رضايي")[0]
    assert "«رضایی»" in persian.matched
    assert 0 < persian.score <= 1


def test_limit_and_candidate_ids(store: Store, ids: dict[str, int]) -> None:
    assert len(_search(store, "r", limit=1)) == 1
    assert _search(store, "rahimi", limit=0) == []
    restricted = _search(store, "rah", candidate_ids=[ids["rahim"], ids["karimi"]])
    assert [hit.customer_id for hit in restricted] == [ids["rahim"]]
    assert _search(store, "rah", candidate_ids=[]) == []
    # The typo and substring stages respect the restriction too.
    assert _search(store, "Rahimy", candidate_ids=[ids["karimi"]]) == []
    assert _search(store, "3456789", candidate_ids=[ids["karimi"]]) == []


# ---------------------------------------------------------------- keeping the index current


def test_deleted_and_merged_customers_are_not_found(store: Store, ids: dict[str, int]) -> None:
    with store.write() as session:
        session.get(Customer, ids["rahimi"]).deleted_at = utc_now()
        session.get(Customer, ids["karimi"]).merged_into_id = ids["rezaei"]
        session.flush()
        index_customers(session, [ids["rahimi"], ids["karimi"]])
    assert ids["rahimi"] not in _found(store, "rahimi")
    assert _found(store, "C-1001") == []
    assert _found(store, "0912 345 6789") == []
    assert _found(store, "کریمی") == []
    assert _found(store, "Rahim") == [ids["rahim"]]


def test_a_stale_index_row_is_not_returned(store: Store, ids: dict[str, int]) -> None:
    """Deleted without re-indexing (a bug elsewhere): search still hides the customer."""
    with store.write() as session:
        session.get(Customer, ids["rahim"]).deleted_at = utc_now()
    assert ids["rahim"] not in _found(store, "rahim")


def test_reindex_after_rename(store: Store, ids: dict[str, int]) -> None:
    with store.write() as session:
        customer = session.get(Customer, ids["rahim"])
        customer.name = "Golestan Foods"
        customer.email = "hello@golestan.ir"
        session.flush()
        index_customers(session, [customer.id])
    assert _first(store, "golestan") == ids["rahim"]
    assert _first(store, "Golstan") == ids["rahim"]
    assert ids["rahim"] not in _found(store, "rahim")


def test_rollback_leaves_the_index_unchanged(store: Store, ids: dict[str, int]) -> None:
    with pytest.raises(RuntimeError), store.write() as session:
        customer = session.get(Customer, ids["rahim"])
        customer.name = "Renamed"
        session.flush()
        index_customers(session, [customer.id])
        raise RuntimeError("abort")
    assert _first(store, "rahim") == ids["rahim"]
    assert _found(store, "renamed") == []


def test_rebuild_indexes_live_customers_only(store: Store, ids: dict[str, int]) -> None:
    with store.write() as session:
        session.get(Customer, ids["mueller"]).deleted_at = utc_now()
        # A customer added without indexing is picked up by the rebuild.
        late = Customer(name="Late Arrival", city="Yazd")
        session.add(late)
        session.flush()
        late_id = late.id
    assert _found(store, "arrival") == []
    with store.write() as session:
        assert rebuild_customer_index(session) == len(CUSTOMERS)
    assert _found(store, "arrival") == [late_id]
    assert _found(store, "müller") == []
    assert _first(store, "حسین زاده") == ids["hosseinzadeh"]
    assert _first(store, "Rahimy") == ids["rahimi"]
    with store.write() as session:
        assert rebuild_customer_index(session) == len(CUSTOMERS)  # idempotent
    assert _found(store, "arrival") == [late_id]


def test_index_customers_in_bulk(store: Store) -> None:
    with store.write() as session:
        session.add_all(
            Customer(name=f"Bulk Customer {number}", external_id=f"B-{number}")
            for number in range(1, 1201)
        )
        session.flush()
        all_ids = [row[0] for row in session.execute(text("SELECT id FROM customers"))]
        index_customers(session, all_ids + all_ids)  # duplicates are harmless
    assert _first(store, "B-1177") is not None
    assert len(_search(store, "bulk", limit=500)) == 500
    with store.read() as session:
        table = "customer_search"
        assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 1200


# ---------------------------------------------------------------- hostile input


NASTY = [
    "",
    " ",
    "     ",
    "\t\n",
    '"',
    '""',
    "'",
    "''",
    "*",
    "**",
    "a*",
    "*a",
    ":",
    "a:b",
    "::",
    "&",
    "|",
    "!",
    "(",
    ")",
    "&|!()",
    "(a | b) & !c",
    "a & b",
    "a <-> b",
    "OR",
    "AND",
    "NOT",
    "NEAR",
    "NEAR(a b)",
    "a OR b",
    "a AND",
    "rahimi OR",
    "-rahimi",
    "+",
    "^",
    "^rahimi",
    "{",
    "col:rahimi",
    "document:rahimi",
    "customer_search",
    'rahimi"',
    '"rahimi',
    "%",
    "_",
    "%_%",
    "\\",
    "\\'",
    "rahimi'; DROP TABLE customers; --",
    "x" * 500,
    "rahimi " * 100,
    "ض" * 500,
    "\u200c",
    "\u200c\u200c",
    "ـ",
    "\u064b",
    "😀",
    "NULL",
    "\x00",
    "\x7f",
    "'rahimi':*",
    "rahimi:*",
    "rahimi:A",
    "!rahimi",
]


def test_hostile_input_never_raises(store: Store, ids: dict[str, int]) -> None:
    # One session for all of them: a failed statement would poison the PostgreSQL transaction
    # and make every later query in it fail too, so this also proves none of them errored.
    with store.read() as session:
        for query in NASTY:
            hits = search_customer_ids(session, query)
            assert isinstance(hits, list), query
            assert len(hits) <= 50, query
        assert search_customer_ids(session, "rahimi")[0].customer_id == ids["rahimi"]


@pytest.mark.parametrize("query", ['"rahimi', "rahimi:*", "^rahimi", "!rahimi"])
def test_operators_are_just_text(store: Store, ids: dict[str, int], query: str) -> None:
    assert _first(store, query) == ids["rahimi"]


def test_customers_table_survives(store: Store, ids: dict[str, int]) -> None:
    _search(store, "x'); DELETE FROM customers; --")
    _search(store, '"); DELETE FROM customers; --')
    with store.read() as session:
        assert session.execute(text("SELECT count(*) FROM customers")).scalar_one() == len(ids)


# ---------------------------------------------------------------- both databases agree


QUERIES = [
    "rah",
    "Rahim",
    "Rahimy",
    "Tehrann",
    "تهرن",
    "كريمي",
    "حسین زاده",
    "علی پور",
    "0912",
    "3456789",
    "example.com",
    "C-1001",
    "müller",
    "ر",
    "Karimi",
    "کریمى",
    "Rahimy",
]


@pytest.fixture
def both_stores(tmp_path: Path, postgres_server: str) -> Iterator[list[Store]]:
    """A fresh SQLite store and a fresh PostgreSQL store, side by side."""
    name = f"ckm_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    stores: list[Store] = []
    try:
        stores.append(Store.open(f"sqlite:///{tmp_path / 'ckm.db'}"))
        stores.append(Store.open(postgres_server.rsplit("/", 1)[0] + f"/{name}"))
        yield stores
    finally:
        for opened in stores:
            opened.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_same_results_on_both_databases(both_stores: list[Store]) -> None:
    results = []
    for opened in both_stores:
        with opened.write() as session:
            created = [_add(session, key) for key in CUSTOMERS]
            session.flush()
            index_customers(session, [customer.id for customer in created])
        results.append({query: _search(opened, query) for query in QUERIES})
    sqlite_results, postgres_results = results
    for query in QUERIES:
        assert sqlite_results[query], query
        assert sqlite_results[query] == postgres_results[query], query


# ---------------------------------------------------------------- names in the other script

# Persian names as customers write them, and the Latin (Finglish) names some customers have.
NAMES = {
    "zahra": "زهرا رحیمی",
    "hamid": "حمید یزدانی",
    "maryam": "مریم موسوی",
    "hosseinzadeh": f"رضا حسین{ZWNJ}زاده",
    "leila": "Leila Karimi",
    "davood": "Davood Tehrani",
}


@pytest.fixture
def names(store: Store) -> dict[str, int]:
    with store.write() as session:
        created = {
            key: Customer(name=name, email=f"{key}@example.com") for key, name in NAMES.items()
        }
        session.add_all(created.values())
        session.flush()
        index_customers(session, [customer.id for customer in created.values()])
        return {key: customer.id for key, customer in created.items()}


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("Rahimi", "zahra"),
        ("Rahimy", "zahra"),
        ("rahimee", "zahra"),
        ("Zahra Rahimi", "zahra"),
        ("Yazdani", "hamid"),
        ("Mousavi", "maryam"),
        ("Musavi", "maryam"),
        ("Mosavi", "maryam"),  # not the same key: found as a near sound
        ("Hosseinzadeh", "hosseinzadeh"),
        ("کریمی", "leila"),
        ("لیلا", "leila"),
        ("داوود تهرانی", "davood"),
        ("داود", "davood"),
    ],
)
def test_names_in_either_script(store: Store, names: dict[str, int], query: str, key: str) -> None:
    assert _first(store, query) == names[key], query


def test_the_same_script_ranks_first(
    store: Store, ids: dict[str, int], names: dict[str, int]
) -> None:
    found = _found(store, "Rahimi")
    assert found.index(ids["rahimi"]) < found.index(names["zahra"])
    hit = next(hit for hit in _search(store, "Rahimy") if hit.customer_id == names["zahra"])
    assert hit.matched == "زهرا «رحیمی»"


def test_sounds_match_names_only(store: Store, names: dict[str, int]) -> None:
    # "example" is in every email: its sound in Persian letters must not find them all.
    assert _found(store, "اگزامپل") == []


def test_sound_list_filled_by_the_migration(store: Store, names: dict[str, int]) -> None:
    config = alembic_config(store.engine)
    command.downgrade(config, "0004")
    command.upgrade(config, "head")
    assert _first(store, "Yazdani") == names["hamid"]
    assert _first(store, "Mosavi") == names["maryam"]


# ---------------------------------------------------------------- schema


def test_document_is_normalised() -> None:
    document = customer_document(
        name=f"شركت حسین{ZWNJ}زاده",
        email="A@B.ir",
        phone="۰۹۱۲۳۴۵۶۷۸۹",
        external_id="X-1",
        city=None,
    )
    assert document.startswith("شرکت حسین زاده حسینزاده | a@b.ir | ")
    assert "989123456789 09123456789 9123456789" in document
    assert document.endswith("x-1 x1")


def test_migration_downgrade_and_upgrade(store: Store, ids: dict[str, int]) -> None:
    config = alembic_config(store.engine)
    command.downgrade(config, "0001")
    with store.read() as session:
        assert session.execute(text("SELECT count(*) FROM customers")).scalar_one() == len(ids)
    command.upgrade(config, "head")
    assert _found(store, "rahimi") == []  # the index starts empty
    with store.write() as session:
        rebuild_customer_index(session)
    assert _first(store, "rahimi") == ids["rahimi"]
