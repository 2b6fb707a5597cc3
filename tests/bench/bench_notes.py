"""Benchmark the notes wiki on SQLite and PostgreSQL (not a pytest module).

    python tests/bench/bench_notes.py --notes 100000 [--postgres-url URL] [--no-postgres]

For each database: a temporary, migrated database; N synthetic bilingual notes (about 80 words
each) bulk loaded with revision 1 and `rebuild_note_index`; then
- search: a fixed set of English and Persian queries through `notes.list_notes` (ranking,
  filters, count, snippets: what the page runs), each repeated; the floor is the bare index
  query (FTS5 MATCH ... ORDER BY bm25 / tsvector @@ ... ORDER BY ts_rank, LIMIT 20);
- save: `notes.save_note` on random pages, each in its own write session (revision, links,
  tags, index, audit); the floor is the bare conditional UPDATE and commit;
- statements: how many SQL statements one save sends (BEGIN included), counted by a
  SQLAlchemy `before_cursor_execute` listener, for a plain save and one with a [[link]], a
  customer mention and linked customers.

    python tests/bench/bench_notes.py --statements-only   (a small SQLite database, seconds)
Targets: search p95 <= 50 ms, save median <= 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import DEFAULT_POSTGRES_URL, p95, postgres_database, timed

from ckm.db import Store
from ckm.models import Customer, Note, NoteRevision
from ckm.services import notes
from ckm.services.permissions import SYSTEM

REPEATS = 5
SAVES = 200
CHUNK = 5000

WORDS_EN = (
    "customer buyer order price discount delivery invoice contract meeting call email support"
    " complaint feedback idea request api integration report weekly monthly quarter budget"
    " promotion manager director team warehouse logistics shipment payment credit risk renewal"
    " competitor offer quality training onboarding product service feature roadmap account"
    " plan strategy growth market segment region tehran shiraz isfahan export import steel"
    " textile food pharmacy retail wholesale partner supplier schedule wednesday morning"
).split()
WORDS_FA = (
    "مشتری خریدار سفارش قیمت تخفیف تحویل فاکتور قرارداد جلسه تماس ایمیل پشتیبانی شکایت"
    " بازخورد ایده درخواست گزارش هفتگی ماهانه بودجه مدیر تیم انبار ارسال پرداخت اعتبار"
    " ریسک تمدید رقیب پیشنهاد کیفیت آموزش محصول خدمات برنامه راهبرد رشد بازار منطقه تهران"
    " شیراز اصفهان صادرات واردات فولاد نساجی غذایی داروخانه خرده‌فروشی عمده‌فروشی همکار"
    " تامین‌کننده زمان‌بندی چهارشنبه صبح می‌خواهد گزارش‌ها"
).split()
TAGS = ["meeting", "pricing", "faq", "competitor", "logistics", "جلسه", "قیمت", "vip"]
FLOWS = ["about", "from", "for", "held_by", "general"]

QUERIES = [
    ("en common word", "customer"),
    ("en rare word", "pharmacy"),
    ("en 2 words", "discount delivery"),
    ("en prefix", "integ"),
    ("fa word", "قرارداد"),
    ("fa 2 words", "تخفیف تحویل"),
    ("fa arabic letters", "مشتري"),
    ("fa zwnj joined", "میخواهد"),
    ("no match", "zzqqxx"),
    ("title substring", "ipmen"),
]


def _text(rng: random.Random, words: int) -> str:
    persian = rng.random() < 0.5
    vocabulary = WORDS_FA if persian else WORDS_EN
    lines = []
    for _ in range(max(1, words // 16)):
        lines.append(" ".join(rng.choice(vocabulary) for _ in range(16)) + ".")
    return "\n".join(lines)


def _rows(count: int, seed: int = 11) -> Iterator[tuple[dict[str, object], dict[str, object]]]:
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for number in range(1, count + 1):
        title = _text(rng, 5).split(".")[0][:120] + f" {number}"
        body = _text(rng, 80)
        flow = rng.choice(FLOWS)
        tags = ", ".join(rng.sample(TAGS, rng.randint(0, 3)))
        moment = start + timedelta(minutes=number)
        note = {
            "id": number,
            "title": title,
            "body": body,
            "flow": flow,
            "tags": tags,
            "author": "bench",
            "revision": 1,
            "created_at": moment,
            "updated_by": "bench",
            "updated_at": moment,
        }
        revision = {
            "note_id": number,
            "revision": 1,
            "title": title,
            "body": body,
            "flow": flow,
            "tags": tags,
            "author": "bench",
            "created_at": moment,
        }
        yield note, revision


def _load(store: Store, count: int) -> float:
    started = time.perf_counter()
    batch_notes: list[dict[str, object]] = []
    batch_revisions: list[dict[str, object]] = []

    def flush() -> None:
        with store.write() as session:
            session.execute(insert(Note), batch_notes)
            session.execute(insert(NoteRevision), batch_revisions)
        batch_notes.clear()
        batch_revisions.clear()

    for note, revision in _rows(count):
        batch_notes.append(note)
        batch_revisions.append(revision)
        if len(batch_notes) >= CHUNK:
            flush()
    if batch_notes:
        flush()
    if not store.is_sqlite:
        with store.write() as session:
            session.execute(text("SELECT setval('notes_id_seq', (SELECT max(id) FROM notes))"))
    with store.write() as session:
        notes.rebuild_note_index(session)
    if store.is_sqlite:
        with store.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    else:
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started


def _floor_search(store: Store, query: str) -> None:
    words = notes._query_words(query)  # the floor uses the service's own query
    if not words:
        return
    with store.read() as session:
        if store.is_sqlite:
            session.execute(
                text(
                    "SELECT rowid FROM note_search WHERE note_search MATCH :q"
                    " ORDER BY bm25(note_search, 5.0, 1.0) LIMIT 20"
                ),
                {"q": notes.match_expression(words, sqlite=True)},
            ).all()
        else:
            session.execute(
                text(
                    "SELECT note_id FROM note_search"
                    " WHERE search_vector @@ to_tsquery('simple', :q)"
                    " ORDER BY ts_rank(search_vector, to_tsquery('simple', :q)) DESC LIMIT 20"
                ),
                {"q": notes.match_expression(words, sqlite=False)},
            ).all()


def bench(label: str, url: str, count: int, verbose: bool) -> list[tuple[str, ...]]:
    store = Store.open(url)
    try:
        load_seconds = _load(store, count)
        if verbose:
            print(f"[{label}] loaded and indexed {count:,} notes in {load_seconds:.1f}s")

        def search(query: str) -> Callable[[], object]:
            def run() -> object:
                with store.read() as session:
                    return notes.list_notes(session, actor=SYSTEM, query=query, limit=20)

            return run

        ours: list[float] = []
        floor: list[float] = []
        for name, query in QUERIES:
            mine = timed(search(query), REPEATS)
            base = timed(lambda q=query: _floor_search(store, q), REPEATS)
            ours += mine
            floor += base
            if verbose:
                with store.read() as session:
                    page = notes.list_notes(session, actor=SYSTEM, query=query, limit=20)
                print(
                    f"[{label}] {name:18} {query!r:22} hits={page.total:>5}"
                    f"{'+' if page.total_is_capped else ' '} median={statistics.median(mine):6.1f}"
                    f" ms  p95={p95(mine):6.1f} ms  floor={statistics.median(base):6.1f} ms"
                )

        rng = random.Random(5)  # noqa: S311 - reproducible data, not secrets
        targets = [rng.randint(1, count) for _ in range(SAVES)]
        with store.read() as session:
            rows = session.execute(
                select(Note.id, Note.revision).where(Note.id.in_(sorted(set(targets))))
            )
            revisions = {row[0]: row[1] for row in rows}
        saves: list[float] = []
        for number, note_id in enumerate(targets):
            started = time.perf_counter()
            with store.write() as session:
                result = notes.save_note(
                    session,
                    actor=SYSTEM,
                    note_id=note_id,
                    base_revision=revisions[note_id],
                    title=f"Bench save {number}",
                    body=f"Saved body {number} with [[Other page]].",
                    flow="general",
                    tags="bench",
                )
            saves.append((time.perf_counter() - started) * 1000)
            if not result.saved:
                raise RuntimeError(f"unexpected conflict on note {note_id}")
            revisions[note_id] = result.revision
        save_floor: list[float] = []
        for number, note_id in enumerate(targets):
            started = time.perf_counter()
            with store.write() as session:
                session.execute(
                    text(
                        "UPDATE notes SET body = :body, revision = revision + 1"
                        " WHERE id = :id AND revision = :base"
                    ),
                    {"body": f"floor {number}", "id": note_id, "base": revisions[note_id]},
                )
            revisions[note_id] += 1
            save_floor.append((time.perf_counter() - started) * 1000)
    finally:
        store.dispose()
    return [
        (
            label,
            "search",
            f"{statistics.median(ours):.1f}",
            f"{p95(ours):.1f}",
            f"{statistics.median(floor):.1f}",
            f"{statistics.median(ours) / max(statistics.median(floor), 0.01):.1f}x",
            "p95 <= 50",
            "ok" if p95(ours) <= 50 else "MISSED",
        ),
        (
            label,
            "save",
            f"{statistics.median(saves):.1f}",
            f"{p95(saves):.1f}",
            f"{statistics.median(save_floor):.1f}",
            f"{statistics.median(saves) / max(statistics.median(save_floor), 0.01):.1f}x",
            "median <= 50",
            "ok" if statistics.median(saves) <= 50 else "MISSED",
        ),
    ]


def count_save_statements(store: Store) -> dict[str, int]:
    """Statements sent by one `save_note`: a plain text change, and one with links."""
    with store.write() as session:
        customer = Customer(name="Statement count", external_id="CRM-STMT-1")
        session.add(customer)
        session.flush()
        customer_id = customer.id
        note_id = notes.create_note(session, actor=SYSTEM, title="Counted", body="start")
    cases = {
        "plain save": {"body": "changed text", "customer_ids": []},
        "save with links": {
            "body": f"see [[Other page]], @[Statement count](customer:{customer_id}), @CRM-STMT-1",
            "customer_ids": [customer_id],
        },
        "save keeping links": {"body": "changed again", "customer_ids": None},
    }
    counts: dict[str, int] = {}
    seen: list[str] = []

    def count(*_args: object) -> None:
        seen.append("statement")

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        for revision, (name, values) in enumerate(cases.items(), start=1):
            seen.clear()
            with store.write() as session:
                notes.save_note(
                    session,
                    actor=SYSTEM,
                    note_id=note_id,
                    base_revision=revision,
                    title="Counted",
                    flow="general",
                    tags="a, b",
                    **values,  # type: ignore[arg-type]
                )
            counts[name] = len(seen)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="only the summary table")
    parser.add_argument(
        "--statements-only", action="store_true", help="only count a save's SQL statements"
    )
    args = parser.parse_args()
    if args.statements_only:
        with tempfile.TemporaryDirectory() as folder:
            store = Store.open(f"sqlite:///{folder}/count.db")
            try:
                for name, value in count_save_statements(store).items():
                    print(f"sqlite      {name:20} {value:>3} statements")
            finally:
                store.dispose()
        if not args.no_postgres:
            url, drop = postgres_database(args.postgres_url)
            store = Store.open(url)
            try:
                for name, value in count_save_statements(store).items():
                    print(f"postgresql  {name:20} {value:>3} statements")
            finally:
                store.dispose()
                drop()
        return
    rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as folder:
        rows += bench("sqlite", f"sqlite:///{folder}/bench.db", args.notes, not args.quiet)
    if not args.no_postgres:
        url, drop = postgres_database(args.postgres_url)
        try:
            rows += bench("postgresql", url, args.notes, not args.quiet)
        finally:
            drop()
    header = ("database", "operation", "median ms", "p95 ms", "floor ms", "ratio", "target", "")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
