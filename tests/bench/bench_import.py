"""Import benchmark: customers + orders from CSV on SQLite and PostgreSQL, against a floor.

    python tests/bench/bench_import.py                      # 100k customers, 1M orders, both DBs
    python tests/bench/bench_import.py --customers 10000 --orders 100000 --db sqlite

Each step runs in its own process (so its peak memory, ru_maxrss, is its own): dry run and real
import of the customers file, then of the orders file, through `python -m ckm import`'s service
(`import_file`: sniff, strict decode, parse, validate, classify, bulk write, change records,
one transaction per chunk, written in a thread while the next chunk is classified; the dry run
is `run_import` in a read session). After a real import it times what the import job does
next (`refresh_after_import`: search index and kept totals of the customers touched). Beside
wall time it reports CPU seconds (this process, its helpers and, on PostgreSQL, the server's
backends), which a machine busy with other work distorts far less. The floor is the bare
minimum for the same rows: csv.reader straight into `executemany` (SQLite) or COPY
(PostgreSQL), no validation, no lookups, no index upkeep beyond the tables' own. Figures go to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import DEFAULT_POSTGRES_URL, postgres_database  # noqa: E402

FIRST = ["علی", "مریم", "رضا", "زهرا", "حسین", "فاطمه", "Sara", "John", "کیان", "نرگس"]
LAST = ["رضایی", "احمدی", "محمدی", "کریمی", "حسینی", "Smith", "یکتا", "موسوی", "نوری", "صادقی"]
CITIES = ["تهران", "اصفهان", "شیراز", "مشهد", "تبریز", "کرج", "Tehran", "قم"]
PRODUCTS = ["ورق فولادی", "میلگرد", "پیچ", "لوله", "Cable", "رنگ صنعتی"]


def make_files(folder: Path, customers: int, orders: int, seed: int = 7) -> tuple[Path, Path]:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    customers_path = folder / "customers.csv"
    with customers_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["کد مشتری", "نام", "تلفن", "ایمیل", "شهر", "تاریخ تولد"])
        for i in range(customers):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
            phone = f"09{rng.randrange(10, 40)}{rng.randrange(1000000, 9999999)}"
            birth = (
                f"{rng.randrange(1330, 1385)}/{rng.randrange(1, 13):02d}/{rng.randrange(1, 29):02d}"
            )
            writer.writerow(
                [f"CRM-{i:06d}", name, phone, f"c{i}@example.com", rng.choice(CITIES), birth]
            )
    orders_path = folder / "orders.csv"
    with orders_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["شماره فاکتور", "کد مشتری", "تاریخ", "مبلغ", "کالا"])
        for i in range(orders):
            month, day_of_month = rng.randrange(1, 13), rng.randrange(1, 29)
            if i % 2:  # half Jalali, half Gregorian
                day = f"{rng.randrange(1398, 1404)}/{month:02d}/{day_of_month:02d}"
            else:
                day = f"20{rng.randrange(19, 25)}-{month:02d}-{day_of_month:02d}"
            amount = f"{rng.randrange(10, 5000) * 10000:,}"
            writer.writerow(
                [
                    f"F-{i:07d}",
                    f"CRM-{rng.randrange(customers):06d}",
                    day,
                    amount,
                    rng.choice(PRODUCTS),
                ]
            )
    return customers_path, orders_path


def step_import(url: str, kind: str, path: str, dry_run: bool) -> dict[str, float]:
    from ckm.db import Store
    from ckm.services.importing import ImportSettings, Kind, sniff, suggest_mapping
    from ckm.services.importing.pipeline import import_file, run_import
    from ckm.services.importing.reading import preview
    from ckm.services.permissions import SYSTEM

    store = Store.open(url, run_migrations=False)
    headers, _rows = preview(sniff(Path(path)))
    settings = ImportSettings(
        kind=kind, mapping=suggest_mapping(Kind(kind), headers), currency="IRR"
    )
    started, cpu_started = time.perf_counter(), own_cpu_seconds()
    if dry_run:  # only reads (it needs no write transaction, as the Import page's check)
        with store.read() as session:
            report = run_import(
                session, actor=SYSTEM, path=Path(path), settings=settings, dry_run=True
            )
    else:  # as the worker and the CLI run it: a short transaction per chunk
        report = import_file(store, actor=SYSTEM, path=Path(path), settings=settings)
    seconds = time.perf_counter() - started
    counts = report.counts
    if counts.rejected or counts.new + counts.unchanged + counts.updated != counts.read:
        raise SystemExit(f"unexpected counts: {counts}")
    server = server_cpu_seconds(url)
    result = {
        "seconds": seconds,
        "rows": counts.read,
        "cpu": own_cpu_seconds() - cpu_started + server,
    }
    # The import's own peak, before the refresh below: that loads the job registry (for the
    # score refresh it queues), whose imports start a child process of this one's size.
    result["peak_mb"] = peak_mb()
    if not dry_run and report.batch_id is not None:
        # What the background job does next: search index and kept totals of touched customers.
        from ckm.services.importing.batches import refresh_after_import

        started, cpu_started = time.perf_counter(), own_cpu_seconds()
        result["refreshed"] = refresh_after_import(store, report.batch_id)
        result["refresh_seconds"] = time.perf_counter() - started
        result["refresh_cpu"] = own_cpu_seconds() - cpu_started + server_cpu_seconds(url) - server
    return result


def step_floor(url: str, kind: str, path: str) -> dict[str, float]:
    """csv.reader → executemany / COPY of the same rows, values as they come (no parsing)."""
    from sqlalchemy import text

    from ckm.db import Store

    store = Store.open(url, run_migrations=False)
    started, cpu_started = time.perf_counter(), own_cpu_seconds()
    rows = 0
    with store.write() as session, open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        raw = session.connection().connection.driver_connection
        if store.is_sqlite:
            if kind == "customers":
                sql = (
                    "INSERT INTO customers (external_id, name, phone, email, city, kind, tags,"
                    " source, created_at, updated_at, consent_contact, consent_marketing,"
                    " consent_profiling, version)"
                    " VALUES (?, ?, ?, ?, ?, 'company', '', 'floor', '2024-01-01',"
                    " '2024-01-01', 0, 0, 0, 1)"
                )
                values = ((r[0], r[1], r[2], r[3], r[4]) for r in reader)
            else:
                ids = dict(session.execute(text("SELECT external_id, id FROM customers")).all())
                sql = (
                    "INSERT INTO orders (external_id, customer_id, ordered_on, amount, currency,"
                    " product, source, created_at)"
                    " VALUES (?, ?, '2024-01-01', ?, 'IRR', ?, 'floor', '2024-01-01')"
                )
                values = ((r[0], ids[r[1]], r[3].replace(",", ""), r[4]) for r in reader)
            cursor = raw.cursor()
            while batch := [row for _, row in zip(range(5000), values, strict=False)]:
                cursor.executemany(sql, batch)
                rows += len(batch)
        else:
            with raw.cursor() as cursor:
                if kind == "customers":
                    copy_sql = (
                        "COPY customers (external_id, name, phone, email, city, kind, tags, source,"
                        " created_at, updated_at, consent_contact, consent_marketing,"
                        " consent_profiling, version) FROM STDIN"
                    )
                    with cursor.copy(copy_sql) as copy:
                        for r in reader:
                            copy.write_row(
                                (
                                    r[0],
                                    r[1],
                                    r[2],
                                    r[3],
                                    r[4],
                                    "company",
                                    "",
                                    "floor",
                                    "2024-01-01",
                                    "2024-01-01",
                                    False,
                                    False,
                                    False,
                                    1,
                                )
                            )
                            rows += 1
                else:
                    ids = dict(session.execute(text("SELECT external_id, id FROM customers")).all())
                    copy_sql = (
                        "COPY orders (external_id, customer_id, ordered_on, amount, currency,"
                        " product,"
                        " source, created_at) FROM STDIN"
                    )
                    with cursor.copy(copy_sql) as copy:
                        for r in reader:
                            copy.write_row(
                                (
                                    r[0],
                                    ids[r[1]],
                                    "2024-01-01",
                                    r[3].replace(",", ""),
                                    "IRR",
                                    r[4],
                                    "floor",
                                    "2024-01-01",
                                )
                            )
                            rows += 1
    seconds = time.perf_counter() - started
    cpu = own_cpu_seconds() - cpu_started + server_cpu_seconds(url)
    return {"seconds": seconds, "rows": rows, "cpu": cpu}


def peak_mb() -> float:
    """Peak memory so far (MB) of this process and its finished children: a helper process's
    peak counts too, together they are what the step needs."""
    return (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ) / 1024


def own_cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (user + system)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def server_cpu_seconds(url: str) -> float:
    """CPU seconds of the PostgreSQL backends now connected to `url`'s database (0 on SQLite).

    The server runs on this machine, so its backends' /proc entries are readable; on a machine
    shared with other work, CPU time says more than wall time.
    """
    if not url.startswith("postgresql"):
        return 0.0
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        pids = connection.execute(
            text(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalars()
        ticks = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
    engine.dispose()
    return ticks / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    """The machine's load over 1, 5 and 15 minutes: on a shared machine, what wall times mean."""
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def run_step(*args: str) -> dict[str, float]:
    """One step in a fresh process: its time, rows and peak memory (MB)."""
    output = subprocess.run(
        [sys.executable, __file__, "--step", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def fresh_database(kind: str, folder: Path, admin_url: str) -> tuple[str, object]:
    from ckm.db import Store

    if kind == "sqlite":
        path = folder / f"bench-{time.time_ns()}.db"
        url = f"sqlite:///{path}"
        drop = lambda: None  # noqa: E731
    else:
        url, drop = postgres_database(admin_url, "ckm_bench_import")
    Store.open(url).dispose()
    return url, drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--step", nargs="+")
    args = parser.parse_args()
    if args.step:
        mode, url, kind, path = args.step[:4]
        result = (
            step_floor(url, kind, path)
            if mode == "floor"
            else step_import(url, kind, path, mode == "dry")
        )
        result.setdefault("peak_mb", peak_mb())
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        customers_path, orders_path = make_files(folder, args.customers, args.orders)
        sizes = {
            kind: path.stat().st_size / 1e6
            for kind, path in (("customers", customers_path), ("orders", orders_path))
        }
        print(
            f"files: customers {sizes['customers']:.0f} MB, orders {sizes['orders']:.0f} MB",
            flush=True,
        )
        databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
        print(
            f"{'db':<11}{'step':<18}{'rows':>10}{'seconds':>9}{'rows/s':>10}"
            f"{'floor s':>9}{'ratio':>7}{'cpu s':>8}{'floor cpu':>10}{'cpu ratio':>10}"
            f"{'peak MB':>9}"
        )
        totals: dict[tuple[str, str], float] = {}
        for database in databases:
            print(f"{database}: load average {load_average()} at the start", flush=True)
            url, drop = fresh_database(database, folder, args.postgres_url)
            floor_url, floor_drop = fresh_database(database, folder, args.postgres_url)
            try:
                for kind, path in (("customers", customers_path), ("orders", orders_path)):
                    floor = run_step("floor", floor_url, kind, str(path))
                    for mode in ("dry", "real"):
                        result = run_step(mode, url, kind, str(path))
                        label = f"{kind} {'dry run' if mode == 'dry' else 'import'}"
                        print(
                            f"{database:<11}{label:<18}{int(result['rows']):>10,}"
                            f"{result['seconds']:>9.1f}"
                            f"{result['rows'] / result['seconds']:>10,.0f}{floor['seconds']:>9.1f}"
                            f"{result['seconds'] / floor['seconds']:>7.1f}"
                            f"{result['cpu']:>8.1f}{floor['cpu']:>10.1f}"
                            f"{result['cpu'] / floor['cpu']:>10.1f}"
                            f"{result['peak_mb']:>9.0f}",
                            flush=True,
                        )
                        for measure in ("seconds", "cpu"):
                            key = (database, mode, measure)
                            totals[key] = totals.get(key, 0.0) + result[measure]
                        key = (database, "floor", "seconds")
                        if mode == "real":
                            totals[key] = totals.get(key, 0.0) + floor["seconds"]
                        if "refresh_seconds" in result:
                            refreshed, spent = result["refreshed"], result["refresh_seconds"]
                            print(
                                f"{database:<11}{kind + ' refresh':<18}{int(refreshed):>10,}"
                                f"{spent:>9.1f}{refreshed / max(spent, 1e-9):>10,.0f}"
                                f"{'':>16}{result['refresh_cpu']:>8.1f}",
                                flush=True,
                            )
            finally:
                drop()  # type: ignore[operator]
                floor_drop()  # type: ignore[operator]
            print(f"{database}: load average {load_average()} at the end", flush=True)
        # Against the targets: import <= 60 s, dry run within 1.5x of the import.
        for database in databases:
            real = totals.get((database, "real", "seconds"), 0.0)
            dry = totals.get((database, "dry", "seconds"), 0.0)
            floor_total = totals.get((database, "floor", "seconds"), 0.0)
            print(
                f"{database}: customers + orders import {real:.1f} s (target 60 s;"
                f" {real / floor_total if floor_total else 0:.1f}x the floor's"
                f" {floor_total:.1f} s; CPU {totals.get((database, 'real', 'cpu'), 0.0):.1f} s),"
                f" dry run {dry:.1f} s = {dry / real if real else 0:.2f}x the import (target 1.5x)",
                flush=True,
            )


if __name__ == "__main__":
    main()
