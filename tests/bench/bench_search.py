"""Benchmark the customer search on SQLite and PostgreSQL (not a pytest module).

    python tests/bench/bench_search.py --customers 100000 [--postgres-url URL] [--no-postgres]

For each database: a temporary, migrated database; N synthetic bilingual customers bulk
loaded (executemany on SQLite, COPY on PostgreSQL); `rebuild_customer_index`; then a fixed
set of English and Persian queries timed through `search_customer_ids` and, as the floor, the
single index query stage 1 runs (FTS5 MATCH ... ORDER BY rank / tsvector @@ ... ORDER BY
ts_rank) with no re-ranking, no typo stage and no Python work.

Then the quality of name matching across scripts on a labelled list (`NAME_PAIRS`): each
Persian name with the Latin (Finglish) spellings people type for it. A small database holds,
for every name, one customer written in Persian and one in Latin letters, among distractors
(near names such as کرمی/کریمی are separate entries). Every spelling is searched; both
customers of that name are the relevant ones. Reported: recall@10 (share of relevant
customers in the first ten hits), recall of the other-script customer, and precision of the
top hit (the first hit is one of that name's customers).

    python tests/bench/bench_search.py --quality-only      # just the name-matching table
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

from benchlib import DEFAULT_POSTGRES_URL, p95, postgres_database, timed, use_cpu_time

from ckm.db import Store
from ckm.models import Customer
from ckm.services import customers, search
from ckm.services.permissions import SYSTEM

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
    from ckm.services.search.candidates import CandidateIndex
    from ckm.services.search.query import parse_query

    parsed = parse_query(query)
    if parsed is not None:
        CandidateIndex(session, None).words(parsed.full_text(), 100)


# Persian names (surnames and first names; the demo's and other common Iranian ones) with the
# Latin spellings seen in real address books. The first spelling is the customer's own.
NAME_PAIRS: list[tuple[str, list[str]]] = [
    ("رحیمی", ["Rahimi", "Rahimy", "Rahimee"]),
    ("رحیمیان", ["Rahimian", "Rahimiyan"]),
    ("کریمی", ["Karimi", "Kareemi", "Karimy"]),
    ("کرمی", ["Karami"]),
    ("کرمانی", ["Kermani", "Kermany"]),
    ("یزدانی", ["Yazdani", "Yazdany"]),
    ("یزدی", ["Yazdi"]),
    ("احمدی", ["Ahmadi", "Ahmady"]),
    ("محمدی", ["Mohammadi", "Mohamadi", "Muhammadi"]),
    ("حسینی", ["Hosseini", "Hoseini", "Husseini"]),
    ("حسین‌زاده", ["Hosseinzadeh", "Hoseinzadeh"]),
    ("علی‌پور", ["Alipour", "Alipoor"]),
    ("مرادی", ["Moradi", "Moradee"]),
    ("جعفری", ["Jafari", "Jaafari", "Jafary"]),
    ("کاظمی", ["Kazemi", "Kazemy", "Kazimi"]),
    ("رضایی", ["Rezaei", "Rezaie", "Rezaee", "Rezayi"]),
    ("موسوی", ["Mousavi", "Musavi", "Moosavi", "Mosavi"]),
    ("تهرانی", ["Tehrani", "Tehranee"]),
    ("اصفهانی", ["Esfahani", "Isfahani"]),
    ("شیرازی", ["Shirazi", "Shirazy"]),
    ("فراهانی", ["Farahani"]),
    ("میرزایی", ["Mirzaei", "Mirzayi", "Mirzaee"]),
    ("قاسمی", ["Ghasemi", "Qasemi", "Ghassemi"]),
    ("کیانی", ["Kiani", "Kiyani"]),
    ("نوروزی", ["Nowruzi", "Norouzi", "Noroozi"]),
    ("عباسی", ["Abbasi", "Abasi"]),
    ("صادقی", ["Sadeghi", "Sadeqi"]),
    ("صفی‌زاده", ["Safizadeh"]),
    ("نیک‌نام", ["Niknam"]),
    ("ابراهیمی", ["Ebrahimi", "Ibrahimi"]),
    ("اسماعیلی", ["Esmaeili", "Esmaili", "Ismaili"]),
    ("حیدری", ["Heydari", "Heidari", "Haidari"]),
    ("هاشمی", ["Hashemi", "Hashemy"]),
    ("طاهری", ["Taheri", "Tahery"]),
    ("نجفی", ["Najafi"]),
    ("باقری", ["Bagheri", "Baqeri"]),
    ("قربانی", ["Ghorbani", "Qorbani"]),
    ("سلطانی", ["Soltani", "Sultani"]),
    ("خسروی", ["Khosravi", "Khosravy"]),
    ("یوسفی", ["Yousefi", "Yusefi", "Yoosefi"]),
    ("رستمی", ["Rostami"]),
    ("شریفی", ["Sharifi"]),
    ("امینی", ["Amini", "Ameeni"]),
    ("نظری", ["Nazari"]),
    ("توکلی", ["Tavakoli", "Tavakkoli"]),
    ("فرهادی", ["Farhadi"]),
    ("بهرامی", ["Bahrami"]),
    ("علی", ["Ali"]),
    ("محمد", ["Mohammad", "Mohamad", "Muhammad"]),
    ("رضا", ["Reza"]),
    ("حسین", ["Hossein", "Hosein", "Hussein"]),
    ("مهدی", ["Mehdi", "Mahdi"]),
    ("سعید", ["Saeed", "Saeid", "Said"]),
    ("کاوه", ["Kaveh", "Kave"]),
    ("مصطفی", ["Mostafa", "Mustafa"]),
    ("داوود", ["Davood", "Davoud", "Davud"]),
    ("وحید", ["Vahid"]),
    ("مریم", ["Maryam", "Mariam"]),
    ("زهرا", ["Zahra"]),
    ("فاطمه", ["Fatemeh", "Fateme", "Fatima"]),
    ("لیلا", ["Leila", "Leyla", "Layla"]),
    ("شیرین", ["Shirin", "Sheereen"]),
    ("آزاده", ["Azadeh", "Azade"]),
    ("رویا", ["Roya"]),
    ("پویا", ["Pouya", "Pooya"]),
    ("خسرو", ["Khosro", "Khosrow"]),
    ("نرگس", ["Narges"]),
    ("طاهره", ["Tahereh", "Tahere"]),
]
DISTRACTORS = 3000


def _quality_customers() -> tuple[list[tuple[str, str]], dict[str, set[str]]]:
    """(key, name) of every customer and, per name, the keys of its two customers."""
    rng = random.Random(11)  # noqa: S311 - reproducible test data
    customers: list[tuple[str, str]] = []
    relevant: dict[str, set[str]] = {}
    for number, (persian, spellings) in enumerate(NAME_PAIRS):
        fa_word = rng.choice(["بازرگانی", "فروشگاه", "تولیدی", "گروه"])
        en_word = rng.choice(["Trading", "Foods", "Logistics", "Group"])
        customers.append((f"fa{number}", f"{fa_word} {persian}"))
        customers.append((f"en{number}", f"{spellings[0]} {en_word}"))
        relevant[persian] = {f"fa{number}", f"en{number}"}
    for number in range(DISTRACTORS):
        # Other people: English names and Persian companies without the labelled names.
        if number % 2:
            first = rng.choice(["John", "Emma", "Lucas", "Anna"])
            name = f"{first} {rng.choice(['Smith', 'Weber', 'Novak', 'Berg'])}"
        else:
            name = (
                f"{rng.choice(COMPANY_FA)} {rng.choice(['البرز', 'پارس', 'آریا', 'سپهر', 'نگین'])}"
            )
        customers.append((f"x{number}", name))
    return customers, relevant


def quality(label: str, url: str) -> dict[str, float]:
    """Cross-script name matching on the labelled list; returns the averaged measures."""
    customers, relevant = _quality_customers()
    store = Store.open(url)
    try:
        with store.write() as session:
            ids: dict[int, str] = {}
            rows = [Customer(name=name) for _, name in customers]
            session.add_all(rows)
            session.flush()
            ids = {row.id: key for row, (key, _) in zip(rows, customers, strict=True)}
            search.rebuild_customer_index(session)
        recalls: list[float] = []
        other_script: list[float] = []
        top_hits: list[float] = []
        misses: list[str] = []
        with store.read() as session:
            for persian, spellings in NAME_PAIRS:
                wanted = relevant[persian]
                for query in [persian, *spellings]:
                    hits = search.search_customer_ids(session, query, limit=10)
                    found = [ids[hit.customer_id] for hit in hits]
                    recalls.append(len(wanted & set(found)) / len(wanted))
                    other = next(
                        key for key in wanted if key.startswith("fa" if query != persian else "en")
                    )
                    other_script.append(1.0 if other in found else 0.0)
                    top_hits.append(1.0 if found and found[0] in wanted else 0.0)
                    if other not in found or not found or found[0] not in wanted:
                        misses.append(query)
        print(f"{label}: other script not in top 10, or wrong top hit: {', '.join(misses) or '-'}")
        return {
            "queries": len(recalls),
            "recall": statistics.mean(recalls),
            "other": statistics.mean(other_script),
            "precision": statistics.mean(top_hits),
        }
    finally:
        store.dispose()


def print_quality(results: dict[str, dict[str, float]]) -> None:
    print()
    print(f"name matching across scripts: {len(NAME_PAIRS)} names, {DISTRACTORS} distractors")
    print(
        f"{'database':<12}{'queries':>9}{'recall@10':>11}{'other script@10':>17}"
        f"{'top hit right':>15}"
    )
    for database, row in results.items():
        print(
            f"{database:<12}{row['queries']:>9.0f}{row['recall']:>11.3f}{row['other']:>17.3f}"
            f"{row['precision']:>15.3f}"
        )


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
        all_page: list[float] = []
        all_floor: list[float] = []
        with store.read() as session:
            for name, query in QUERIES:
                hits = search.search_customer_ids(session, query, limit=50)
                searched = _time_it(
                    lambda q=query: search.search_customer_ids(session, q, limit=50)
                )
                floored = _time_it(lambda q=query: _floor(session, q))
                all_page += _time_it(
                    lambda q=query: customers.list_customers(session, actor=SYSTEM, query=q)
                )
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
            "page": statistics.median(all_page),
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
    parser.add_argument("--quality-only", action="store_true", help="only name matching")
    parser.add_argument(
        "--cpu", action="store_true", help="process CPU time instead of wall time (SQLite)"
    )
    args = parser.parse_args()
    if args.cpu:
        use_cpu_time()

    scores: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as directory:
        scores["sqlite"] = quality("sqlite", f"sqlite:///{Path(directory) / 'quality.db'}")
    if not args.no_postgres:
        url, drop = postgres_database(args.postgres_url)
        try:
            scores["postgresql"] = quality("postgresql", url)
        finally:
            drop()
    print_quality(scores)
    if args.quality_only:
        return

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
        f"{'floor p95 ms':>14}{'ratio':>8}{'page ms':>9}{'page ratio':>12}{'rebuild s':>11}"
    )
    for database, row in results.items():
        ratio = row["median"] / row["floor"] if row["floor"] else float("inf")
        print(
            f"{database:<12}{row['median']:>11.2f}{row['p95']:>9.2f}{row['floor']:>17.2f}"
            f"{row['floor_p95']:>14.2f}{ratio:>8.2f}{row['page']:>9.2f}"
            f"{row['page'] / row['floor']:>12.2f}{row['rebuild']:>11.1f}"
        )


if __name__ == "__main__":
    main()
