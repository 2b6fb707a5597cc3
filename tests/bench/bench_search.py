"""Benchmark the customer search on SQLite and PostgreSQL (not a pytest module).

    python tests/bench/bench_search.py --customers 100000 [--postgres-url URL] [--no-postgres]

For each database: a temporary, migrated database; N synthetic bilingual customers bulk
loaded (executemany on SQLite, COPY on PostgreSQL); `rebuild_customer_index`; then a fixed
set of English and Persian queries timed through `search_customer_ids` and, as the floor, the
single index query stage 1 runs (FTS5 MATCH ... ORDER BY rank / tsvector @@ ... ORDER BY
ts_rank) with no re-ranking, no typo stage and no Python work.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import DEFAULT_POSTGRES_URL, p95, postgres_database, timed

from ckm.db import Store
from ckm.models import Customer
from ckm.services import search

REPEATS = 7


def _time_it(action: Callable[[], object]) -> list[float]:
    return timed(action, REPEATS)


FIRST_FA = [
    "علی",
    "محمد",
    "رضا",
    "حسین",
    "مریم",
    "زهرا",
    "فاطمه",
    "سارا",
    "نیلوفر",
    "امیر",
    "مهدی",
    "کاوه",
    "شیرین",
    "یاسمن",
    "بهرام",
    "پریسا",
    "کیان",
    "هستی",
    "آرش",
    "نگار",
]
LAST_FA = [
    "رحیمی",
    "احمدی",
    "کریمی",
    "حسین‌زاده",
    "علی‌پور",
    "قلی‌زاده",
    "موسوی",
    "کاظمی",
    "یزدانی",
    "جعفری",
    "صادقی",
    "نوروزی",
    "تهرانی",
    "شیرازی",
    "مرادی",
    "عبدالله‌زاده",
    "بهرامی",
    "کیانی",
    "فرهادی",
    "میرزایی",
]
FIRST_EN = [
    "Ali",
    "Mohammad",
    "Reza",
    "Hossein",
    "Maryam",
    "Zahra",
    "Sara",
    "Niloofar",
    "Amir",
    "Mehdi",
    "Kaveh",
    "Shirin",
    "Yasaman",
    "Bahram",
    "Parisa",
    "John",
    "Emma",
    "Lucas",
]
LAST_EN = [
    "Rahimi",
    "Ahmadi",
    "Karimi",
    "Hosseinzadeh",
    "Alipour",
    "Mousavi",
    "Kazemi",
    "Yazdani",
    "Jafari",
    "Sadeghi",
    "Nowruzi",
    "Tehrani",
    "Shirazi",
    "Moradi",
    "Bahrami",
    "Smith",
    "Miller",
    "Weber",
]
COMPANY_FA = ["شرکت", "فروشگاه", "گروه صنعتی", "بازرگانی", "کارخانه", "کتاب‌فروشی", "تولیدی"]
COMPANY_EN = ["Trading", "Industries", "Group", "Co.", "Holding", "Logistics", "Foods"]
CITIES = [
    ("تهران", "Tehran"),
    ("شیراز", "Shiraz"),
    ("اصفهان", "Isfahan"),
    ("مشهد", "Mashhad"),
    ("تبریز", "Tabriz"),
    ("کرج", "Karaj"),
    ("یزد", "Yazd"),
    ("کرمان", "Kerman"),
]
DOMAINS = ["gmail.com", "yahoo.com", "example.ir", "chmail.ir", "company.co"]
ARABIC_VARIANTS = str.maketrans({"ی": "ي", "ک": "ك"})
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

# (label, query): words, prefixes, typos, both scripts, letter variants, digits, ZWNJ forms.
QUERIES = [
    ("en word", "Rahimi"),
    ("en prefix", "rah"),
    ("en 2 words", "ali rahimi"),
    ("en typo", "Rahimy"),
    ("en typo city", "Tehrann"),
    ("en swap typo", "Kazmei"),
    ("en short", "al"),
    ("email", "kaveh.jafari"),
    ("email domain", "chmail.ir"),
    ("external id", "C-004217"),
    ("phone 0912", "0912 345"),
    ("phone +98", "+98912"),
    ("phone fa digits", "۰۹۱۲۳۴"),
    ("fa word", "رحیمی"),
    ("fa arabic yeh", "رحيمي"),
    ("fa arabic kaf", "كريمي"),
    ("fa zwnj", "حسین‌زاده"),
    ("fa space", "حسین زاده"),
    ("fa joined", "حسینزاده"),
    ("fa typo", "تهرن"),
    ("fa 2 words", "شرکت کیانی"),
    ("fa short", "ع"),
]


def _customer_rows(count: int, seed: int = 7) -> Iterator[dict[str, object]]:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for number in range(1, count + 1):
        persian = rng.random() < 0.55
        is_company = rng.random() < 0.4
        city_fa, city_en = rng.choice(CITIES)
        if persian:
            person = f"{rng.choice(FIRST_FA)} {rng.choice(LAST_FA)}"
            name = f"{rng.choice(COMPANY_FA)} {rng.choice(LAST_FA)}" if is_company else person
            if rng.random() < 0.15:
                name = name.translate(ARABIC_VARIANTS)  # typed on an Arabic keyboard
            if rng.random() < 0.2:
                name = name.replace("\u200c", "")  # ZWNJ left out
            city = city_fa
        else:
            name = f"{rng.choice(FIRST_EN)} {rng.choice(LAST_EN)}"
            if is_company:
                name = f"{rng.choice(LAST_EN)} {rng.choice(COMPANY_EN)}"
            city = city_en
        first_en, last_en = rng.choice(FIRST_EN), rng.choice(LAST_EN)
        email = f"{first_en}.{last_en}{number % 97}@{rng.choice(DOMAINS)}".lower()
        digits = f"09{rng.randint(10, 39)}{rng.randint(0, 9999999):07d}"
        style = rng.random()
        if style < 0.3:
            phone = f"{digits[:4]} {digits[4:7]} {digits[7:]}"
        elif style < 0.6:
            phone = "+98" + digits[1:]
        elif style < 0.8:
            phone = digits.translate(PERSIAN_DIGITS)
        else:
            phone = digits
        yield {
            "id": number,
            "external_id": f"C-{number:06d}",
            "kind": "company" if is_company else "person",
            "name": name,
            "email": email,
            "phone": phone,
            "city": city,
            "country": "Iran",
            "tags": "",
            "consent_contact": False,
            "consent_marketing": False,
            "consent_profiling": False,
            "source": "bench",
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }


def _load(store: Store, count: int) -> None:
    rows = list(_customer_rows(count))
    with store.write() as session:
        if store.is_sqlite:
            for start in range(0, len(rows), 10_000):
                session.execute(insert(Customer.__table__), rows[start : start + 10_000])
            return
        columns = list(rows[0])
        driver = session.connection().connection.driver_connection
        with driver.cursor() as cursor:
            copy_sql = f"COPY customers ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(copy_sql) as copy:
                for row in rows:
                    # COPY bypasses the ORM type that turns aware UTC into naive UTC.
                    copy.write_row(
                        [
                            value.replace(tzinfo=None) if isinstance(value, datetime) else value
                            for value in (row[column] for column in columns)
                        ]
                    )
        session.execute(text("SELECT setval('customers_id_seq', :n)"), {"n": count})
        session.execute(text("ANALYZE customers"))


def _floor(session: Session, query: str) -> None:
    """Stage 1 alone: the index query (whole words, then prefixes), no scoring, no fallback."""
    parsed = search._parse_query(query)
    if parsed is not None:
        search._Index(session, None).words(search._slots(parsed), 100)


def bench(label: str, url: str, count: int, verbose: bool) -> dict[str, float]:
    store = Store.open(url)
    try:
        started = time.perf_counter()
        _load(store, count)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        with store.write() as session:
            indexed = search.rebuild_customer_index(session)
        rebuilt = time.perf_counter() - started
        print(
            f"{label}: loaded {count} customers in {loaded:.1f} s; "
            f"rebuild_customer_index indexed {indexed} in {rebuilt:.1f} s"
        )
        all_search: list[float] = []
        all_floor: list[float] = []
        with store.read() as session:
            for name, query in QUERIES:
                hits = search.search_customer_ids(session, query, limit=50)
                searched = _time_it(
                    lambda q=query: search.search_customer_ids(session, q, limit=50)
                )
                floored = _time_it(lambda q=query: _floor(session, q))
                all_search += searched
                all_floor += floored
                if verbose:
                    top = hits[0].matched[:48] if hits else "-"
                    print(
                        f"  {name:<16} {len(hits):>3} hits"
                        f"  search {statistics.median(searched):7.2f} ms"
                        f"  floor {statistics.median(floored):7.2f} ms  top: {top}"
                    )
        return {
            "median": statistics.median(all_search),
            "p95": p95(all_search),
            "floor": statistics.median(all_floor),
            "floor_p95": p95(all_floor),
            "rebuild": rebuilt,
        }
    finally:
        store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="admin URL; a temporary database is created next to it",
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="only the summary table")
    args = parser.parse_args()

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        results["sqlite"] = bench("sqlite", url, args.customers, not args.quiet)
    if not args.no_postgres:
        url, drop = postgres_database(args.postgres_url)
        try:
            results["postgresql"] = bench("postgresql", url, args.customers, not args.quiet)
        finally:
            drop()

    print()
    print(f"{len(QUERIES)} queries x {REPEATS} runs, {args.customers} customers")
    print(
        f"{'database':<12}{'median ms':>11}{'p95 ms':>9}{'floor median ms':>17}"
        f"{'floor p95 ms':>14}{'ratio':>8}{'rebuild s':>11}"
    )
    for database, row in results.items():
        ratio = row["median"] / row["floor"] if row["floor"] else float("inf")
        print(
            f"{database:<12}{row['median']:>11.2f}{row['p95']:>9.2f}{row['floor']:>17.2f}"
            f"{row['floor_p95']:>14.2f}{ratio:>8.2f}{row['rebuild']:>11.1f}"
        )


if __name__ == "__main__":
    main()
