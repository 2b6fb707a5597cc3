"""Benchmark duplicate detection quality and speed, and merge speed (not a pytest module).

    python tests/bench/bench_duplicates.py [--sizes 10000 100000] [--no-postgres]

1. Quality, in memory: labelled data from tests/bench/dup_data.py (records written the way a
   CRM export, an accounting export and a sales rep's sheet write them). Seed 101 is the set
   the Splink model was trained on (tests/bench/train_duplicates.py); seeds 202 and 303 are
   what the figures report. Precision and recall at the default threshold, for pairs and for
   groups (every pair inside a connected group counts as found), overall and for the pairs
   whose two records both carry a field beyond the name; `--sweep` adds other thresholds.
2. Detection speed, end to end (`run_detection`: read every live customer and its contacts'
   phones and emails, block, score, store the candidates) on SQLite and PostgreSQL at each
   size, with the companies' contacts loaded into the contacts table; floor: the plain SQL
   read of the same columns plus a GROUP BY on the phone column (the cheapest exact-key
   blocking there is).
3. Merge speed: two customers with 1,000 orders each (plus touchpoints and note links) merged
   into one, and the merge undone; floor: a bare `UPDATE orders SET customer_id` of 1,000 rows.
Prints medians, p95 and the ratio to the floor.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import DEFAULT_POSTGRES_URL, p95, postgres_database
from dup_data import Record, collision_share, generate

from ckm.db import Store
from ckm.models import Contact, Customer, Note, NoteCustomerLink, Order, Touchpoint
from ckm.services import duplicates
from ckm.services.duplicates import linkage
from ckm.services.duplicates.clusters import components
from ckm.services.duplicates.detect import score_pairs
from ckm.services.duplicates.features import Features, features
from ckm.services.permissions import SYSTEM

TUNING_SEED = 101
HELD_OUT_SEEDS = (202, 303)


def _line(label: str, values: list[float], floor: list[float] | None) -> str:
    median = statistics.median(values)
    ratio = f"{median / statistics.median(floor):8.1f}x" if floor else "        "
    return f"  {label:<40} {median:10.1f} {p95(values):10.1f} {ratio}"


def _samples(action: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


# Fields that can tell two records apart beyond the name (the "ceiling": a pair whose two
# records carry none of these in common can only be told by its name and city). Phones and
# emails count the contact persons' too.
STRONG = ("phones", "emails", "national_id", "postal_code", "birth_date", "domain", "address")


def _shares_a_field(a: Features, b: Features) -> bool:
    return any(getattr(a, name) and getattr(b, name) for name in STRONG)


def _agrees(a: Features, b: Features) -> bool:
    """Whether some field beyond the name says "the same": a phone or email in common (own or
    a contact's, an email one typo apart), the same national id, postal code, address or
    building, birth date or domain. Pairs without any can only be told by the name."""
    from ckm.services.duplicates import scoring

    reasons = [
        scoring.phone_reason(a, b),
        scoring.email_reason(a, b),
        scoring.place_reason(a, b),
        scoring.birth_date_reason(a, b),
    ]
    same = {
        "phone_same",
        "phone_contact",
        "email_same",
        "email_typo",
        "email_contact",
        "postal_same",
        "address_same",
        "address_alike",
        "birth_same",
        "birth_swapped",
    }
    if any(reason and reason.key.rsplit(".", 1)[1] in same for reason in reasons):
        return True
    return bool(
        (a.national_id and a.national_id == b.national_id) or (a.domain and a.domain == b.domain)
    )


def sibling_pairs(records: list[Record]) -> set[tuple[int, int]]:
    """The near-name negatives: each sibling firm's record with every record of the firm whose
    name it is near (`dup_data`'s `sibling_of`)."""
    by_entity: dict[int, list[int]] = {}
    for index, record in enumerate(records):
        by_entity.setdefault(record.entity, []).append(index)
    return {
        (min(index, other), max(index, other))
        for index, record in enumerate(records)
        if record.sibling_of is not None
        for other in by_entity.get(record.sibling_of, [])
    }


def kinds(count: int, seeds: tuple[int, ...]) -> None:
    """The true pairs by kind (person/company and the two records' sources): their share, the
    share that carries a field beyond the name on both sides, the share where such a field
    agrees, and the recall at the default threshold."""
    for seed in seeds:
        records, truth = generate(count, seed)
        items = [features(i, **r.fields()) for i, r in enumerate(records)]
        _, found = score_pairs(items, min_score=duplicates.DEFAULT_MIN_SCORE)
        predicted = {(low, high) for low, high, _ in found}
        groups: dict[str, list[tuple[int, int]]] = {}
        for a, b in sorted(truth):
            sources = "+".join(sorted((records[a].source, records[b].source)))
            groups.setdefault(f"{records[a].kind} {sources}", []).append((a, b))
        print(f"True pairs by kind, seed {seed} ({len(truth):,} pairs)")
        print(f"  {'kind':<28} {'pairs':>6} {'share':>7} {'carry':>7} {'agree':>7} {'recall':>7}")
        rows = [("all", sorted(truth)), *sorted(groups.items(), key=lambda row: -len(row[1]))]
        for label, pairs in rows:
            carry = sum(_shares_a_field(items[a], items[b]) for a, b in pairs)
            agree = sum(_agrees(items[a], items[b]) for a, b in pairs)
            hits = len(predicted.intersection(pairs))
            size = len(pairs)
            print(
                f"  {label:<28} {size:>6} {size / len(truth):>7.3f} {carry / size:>7.3f} "
                f"{agree / size:>7.3f} {hits / size:>7.3f}"
            )
    print("  carry = both records hold a field beyond the name; agree = such a field says")
    print("  the same (phone or email in common, own or a contact's; same id, postal code,")
    print("  address or building, birth date, domain)")


def sweep(count: int, seeds: tuple[int, ...], thresholds: list[float]) -> None:
    """Pair precision and recall at other thresholds (to choose the default on the tuning seed
    and check it on the held-out ones)."""
    print(f"  {'data set':<22} {'threshold':>9} {'precision':>10} {'recall':>8} {'near-name':>10}")
    for seed in seeds:
        records, truth = generate(count, seed)
        items = [features(i, **r.fields()) for i, r in enumerate(records)]
        siblings = sibling_pairs(records)
        _, found = score_pairs(items, min_score=min(thresholds))
        for threshold in sorted(thresholds):
            predicted = {(low, high) for low, high, match in found if match.score >= threshold}
            hits = len(predicted & truth)
            near = f"{len(predicted & siblings)}/{len(siblings)}"
            print(
                f"  seed {seed:<17} {threshold:>9.2f} {hits / max(1, len(predicted)):>10.4f} "
                f"{hits / len(truth):>8.4f} {near:>10}"
            )


def quality(count: int, seeds: tuple[int, ...]) -> None:
    print(f"Detection quality at the default threshold ({duplicates.DEFAULT_MIN_SCORE:.2f})")
    print(
        f"  {'data set':<22} {'records':>8} {'true pairs':>10} {'precision':>10} "
        f"{'recall':>8} {'recall*':>8} {'group P':>8} {'group R':>8} {'ceiling':>8} "
        f"{'namesakes':>9} {'near-name':>9}"
    )
    for seed in seeds:
        records, truth = generate(count, seed)
        items = [features(i, **r.fields()) for i, r in enumerate(records)]
        _, found = score_pairs(items, min_score=duplicates.DEFAULT_MIN_SCORE)
        predicted = {(low, high) for low, high, _ in found}
        siblings = sibling_pairs(records)
        reachable = {(a, b) for a, b in truth if _shares_a_field(items[a], items[b])}
        hits = len(predicted & truth)
        grouped = {
            (group[i], group[j])
            for group in components(sorted(predicted))
            for i in range(len(group))
            for j in range(i + 1, len(group))
        }
        group_hits = len(grouped & truth)
        label = f"seed {seed} " + ("(tuning)" if seed == TUNING_SEED else "(held out)")
        print(
            f"  {label:<22} {len(records):>8} {len(truth):>10} "
            f"{hits / max(1, len(predicted)):>10.4f} {hits / len(truth):>8.4f} "
            f"{len(predicted & reachable) / max(1, len(reachable)):>8.4f} "
            f"{group_hits / max(1, len(grouped)):>8.4f} {group_hits / len(truth):>8.4f} "
            f"{len(reachable) / len(truth):>8.4f} {collision_share(records):>9.4f} "
            f"{f'{len(predicted & siblings)}/{len(siblings)}':>9}"
        )
    print("  recall* = recall on the true pairs whose two records both carry one field beyond")
    print("            the name (" + ", ".join(STRONG) + ")")
    print("  group P/R = every pair inside a connected group of found pairs counted as found")
    print("  ceiling = share of true pairs that are such pairs (the rest: name and city only)")
    print("  namesakes = share of person records whose name another customer also carries")
    print("  near-name = pairs of a firm and its near-name sibling (another firm) proposed / all")


def _load(store: Store, records: list[Record]) -> None:
    rows = [
        {
            "name": r.name,
            "kind": r.kind,
            "phone": r.phone,
            "email": r.email,
            "city": r.city,
            "postal_code": r.postal_code,
            "postal_address": r.postal_address,
            "birth_date": r.birth_date,
            "website": r.website,
            "national_id": r.national_id,
            "economic_code": r.economic_code,
            "tags": "",
            "source": "bench",
            "consent_contact": False,
            "consent_marketing": False,
            "consent_profiling": False,
            "version": 1,
        }
        for r in records
    ]
    with store.write() as session:
        for start in range(0, len(rows), 5000):
            ids = session.scalars(
                insert(Customer).returning(Customer.id, sort_by_parameter_order=True),
                rows[start : start + 5000],
            ).all()
            # The contacts table rows the records' sources hold (companies' contact persons).
            contacts = [
                {"customer_id": ident, "name": name, "phone": phone, "email": email}
                for ident, record in zip(ids, records[start : start + 5000], strict=True)
                for name, phone, email in record.contacts
            ]
            if contacts:
                session.execute(insert(Contact), contacts)


def detection_speed(store: Store, label: str, records: list[Record], sizes: list[int]) -> None:
    """Detection at each size; the base grows by the next slice of one data set (loading a
    second data set of the same seed would add exact copies of the first one's records)."""
    loaded = 0
    summaries: list[duplicates.DetectionSummary] = []
    for size in sizes:
        _load(store, records[loaded:size])
        loaded = size
        repeats = 3 if size <= 20000 else 1

        summaries.clear()

        def detect() -> None:
            summaries.append(duplicates.run_detection(store))

        def floor() -> None:
            with store.read() as session:
                session.execute(
                    text(
                        "SELECT id, kind, name, phone, email, city, national_id, postal_code, "
                        "postal_address, birth_date, website FROM customers"
                    )
                ).all()
                session.execute(text("SELECT customer_id, phone, email FROM contacts")).all()
                session.execute(
                    text(
                        "SELECT phone, count(*) FROM customers WHERE phone IS NOT NULL "
                        "GROUP BY phone HAVING count(*) > 1"
                    )
                ).all()

        values = _samples(detect, repeats)
        print(_line(f"{label} detection, {size:,} customers", values, _samples(floor, 3)))
        last = summaries[-1]
        phases = ", ".join(
            f"{name} {statistics.median(s.phases[name] for s in summaries) / 1000:.1f}"
            for name in last.phases
        )
        print(f"    ({last.pairs_compared:,} pairs, {last.candidates:,} stored; seconds: {phases})")


def blocking(records: list[Record]) -> None:
    """Pairs each blocking rule adds (after the rules before it), with Splink's own counter,
    and how many of them are true pairs: a rule that adds many pairs and few true ones is
    where the time goes."""
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    items = [features(i, **r.fields()) for i, r in enumerate(records)]
    entity = [r.entity for r in records]
    api = DuckDBAPI(linkage.connect({item.id: item for item in items}))
    table = api.register(linkage.frame(items))
    counts = count_comparisons_from_blocking_rules(
        table,
        blocking_rules=linkage.blocking_rules(),
        link_type="dedupe_only",
        record_sample_proportion=1.0,
    )
    columns: dict[str, list[list[str] | None]] = {
        column: [None if key is None else [key] for key in keys]
        for column, keys in linkage.block_values(items).items()
    }
    columns[linkage.CONTACT_BLOCK[0]] = linkage.contact_block_values(items)
    rules = [*linkage.BLOCKS, (*linkage.CONTACT_BLOCK[:1], "", linkage.CONTACT_BLOCK[1])]
    print(f"Blocking at {len(records):,} records: pairs each rule adds to the rules before it")
    print(f"  {'rule':<12} {'cap':>4} {'blocks':>8} {'largest':>8} {'pairs added':>12} {'true':>7}")
    seen: set[tuple[int, int]] = set()
    for (column, _, cap), count in zip(rules, counts, strict=True):
        members: dict[str, list[int]] = {}
        for index, keys in enumerate(columns[column]):
            for key in keys or ():
                members.setdefault(key, []).append(index)
        added = {
            (group[i], group[j])
            for group in members.values()
            for i in range(len(group))
            for j in range(i + 1, len(group))
        } - seen
        seen |= added
        true = sum(entity[a] == entity[b] for a, b in added)
        largest = max((len(group) for group in members.values()), default=0)
        print(
            f"  {column:<12} {cap:>4} {len(members):>8} {largest:>8} "
            f"{count['marginal_comparison_count']:>12,} {true:>7,}"
        )
    print(f"  all rules: {len(seen):,} pairs")


def merge_speed(store: Store, label: str, repeats: int = 5) -> None:
    def pair() -> tuple[int, int]:
        with store.write() as session:
            first, second = Customer(name="Bench A"), Customer(name="Bench B")
            session.add_all([first, second])
            session.flush()
            for owner in (first.id, second.id):
                session.execute(
                    insert(Order),
                    [
                        {"customer_id": owner, "ordered_on": date(2025, 1 + i % 12, 1), "amount": i}
                        for i in range(1000)
                    ],
                )
                session.execute(
                    insert(Touchpoint),
                    [
                        {"customer_id": owner, "channel": "email", "experience_kind": "human"}
                        for _ in range(50)
                    ],
                )
                note = Note(title=f"bench {owner}")
                session.add(note)
                session.flush()
                session.add(NoteCustomerLink(note_id=note.id, customer_id=owner))
            return first.id, second.id

    merges: list[float] = []
    undos: list[float] = []
    floors: list[float] = []
    for _ in range(repeats):
        first, second = pair()
        started = time.perf_counter()
        with store.write() as session:
            result = duplicates.merge_customers(
                session, actor=SYSTEM, ids=[first, second], survivor_id=first
            )
        merges.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with store.write() as session:
            duplicates.unmerge(session, actor=SYSTEM, merge_id=result.merge_id)
        undos.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with store.write() as session:
            session.execute(
                text("UPDATE orders SET customer_id = :to WHERE customer_id = :source"),
                {"to": first, "source": second},
            )
        floors.append((time.perf_counter() - started) * 1000)
    print(_line(f"{label} merge 2 x 1,000 orders", merges, floors))
    print(_line(f"{label} unmerge 2 x 1,000 orders", undos, floors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quality-size", type=int, default=10000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[TUNING_SEED, *HELD_OUT_SEEDS])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-quality", action="store_true")
    parser.add_argument("--sweep", type=float, nargs="*", help="also these thresholds")
    parser.add_argument(
        "--kinds", action="store_true", help="true pairs by kind: shares, evidence, recall"
    )
    parser.add_argument(
        "--blocking", action="store_true", help="pairs per blocking rule at the largest size"
    )
    args = parser.parse_args()
    if not args.no_quality:
        quality(args.quality_size, tuple(args.seeds))
    if args.sweep:
        sweep(args.quality_size, tuple(args.seeds), args.sweep)
    if args.kinds:
        kinds(args.quality_size, tuple(args.seeds))
    records = generate(max(args.sizes), HELD_OUT_SEEDS[0])[0] if args.sizes else []
    if args.blocking and records:
        blocking(records)
    print(f"\n  {'operation (ms)':<40} {'median':>10} {'p95':>10} {'vs floor':>9}")
    with tempfile.TemporaryDirectory() as folder:
        if args.no_sqlite:
            folder = ""
        if folder:
            store = Store.open(f"sqlite:///{Path(folder) / 'bench.db'}")
            try:
                detection_speed(store, "SQLite", records, sorted(args.sizes))
                merge_speed(store, "SQLite")
            finally:
                store.dispose()
    if not args.no_postgres:
        url, drop = postgres_database(args.postgres_url)
        store = Store.open(url)
        try:
            detection_speed(store, "PostgreSQL", records, sorted(args.sizes))
            merge_speed(store, "PostgreSQL")
        finally:
            store.dispose()
            drop()


if __name__ == "__main__":
    main()
