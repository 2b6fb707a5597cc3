"""Capacity: real browser sessions doing the sales-rep and marketing journeys against CKM.

    python tests/bench/load_journeys.py --users 10 50 --servers 1 2 --rounds 2

For every (servers, users) pair: a fresh PostgreSQL database with demo data, `servers` app
processes behind HAProxy (deploy/cluster.py), and `users` concurrent Chromium contexts, each
signing in as its own account and running its journey `rounds` times — half of them sales reps
(Customers → search → open a result → save a quick note), half marketing (Segments → pick a
segment → members → download CSV). Every action is timed from the click to the end of the
Streamlit run it triggered. Bounded: a fixed number of rounds per user and a time limit per run;
loopback only. The browsers share this machine's cores with the servers, so figures are an
upper bound of what a user would see with browsers elsewhere.

Prints one table per run: per-action p50/p95 (ms), errors, the servers' memory per session.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from ckm.i18n import translate  # noqa: E402
from deploy.cluster import Cluster, run_cluster  # noqa: E402
from deploy.servers import app_environment  # noqa: E402
from tests.bench.benchlib import DEFAULT_POSTGRES_URL, p95, postgres_database  # noqa: E402
from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PASSWORD = "load test password 2026"
SEARCHES = ("rahimi", "تهران", "فولاد", "trading", "کریمی", "CRM-0001")
ACTION_TIMEOUT_MS = 120_000


def T(key: str) -> str:
    return translate(key, "en")


@dataclass
class Results:
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    first_error: dict[str, str] = field(default_factory=dict)


async def _settled(page) -> None:  # type: ignore[no-untyped-def]
    """Until the run a click started has finished (the app's own state attributes)."""
    await page.wait_for_timeout(150)
    await page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=ACTION_TIMEOUT_MS
    )


async def _timed(results: Results, name: str, action) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        await action()
    except Exception as error:
        results.errors[name] += 1
        results.first_error.setdefault(name, f"{type(error).__name__}: {str(error)[:160]}")
        raise
    results.durations[name].append((time.perf_counter() - started) * 1000)


async def _menu(page, key: str) -> None:  # type: ignore[no-untyped-def]
    sidebar = page.locator('section[data-testid="stSidebar"]')
    await (
        sidebar.locator('[data-testid="stPageLink-NavLink"]').filter(has_text=T(key)).first.click()
    )
    await _settled(page)


async def _sign_in(page, url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(url)
    form = page.locator('[data-testid="stForm"]').filter(
        has=page.get_by_role("button", name=T("login.submit"), exact=True)
    )
    await form.locator(f'input[aria-label="{T("login.username")}"]').fill(username)
    await form.locator(f'input[aria-label="{T("login.password")}"]').fill(PASSWORD)
    await form.get_by_role("button", name=T("login.submit"), exact=True).click()
    await page.get_by_role("button", name=T("logout.button")).wait_for(timeout=ACTION_TIMEOUT_MS)
    await _settled(page)


async def _sales_round(page, results: Results, number: int) -> None:  # type: ignore[no-untyped-def]
    await _timed(results, "open Customers", lambda: _menu(page, "nav.customers"))

    async def search() -> None:
        box = page.locator(f'input[aria-label="{T("customers.search_label")}"]')
        await box.fill(SEARCHES[number % len(SEARCHES)])
        await box.press("Enter")
        await _settled(page)

    await _timed(results, "search", search)

    async def open_profile() -> None:
        await page.locator('.stMain a[href*="profile"]').first.click()
        await page.get_by_role("heading").first.wait_for()
        await _settled(page)

    await _timed(results, "open profile", open_profile)

    async def save_note() -> None:
        tab = page.get_by_role("tab", name=T("profile.tab.quick_note"))
        if await tab.count():
            await tab.first.click()
        await page.locator(f'input[aria-label="{T("profile.note_title")}"]').fill(f"Call {number}")
        await page.locator(f'textarea[aria-label="{T("profile.note_body")}"]').fill(
            "Prefers calls on Wednesdays. ترجیح می‌دهد چهارشنبه‌ها تماس بگیریم."
        )
        await page.get_by_role("button", name=T("profile.save_note")).click()
        await _settled(page)

    await _timed(results, "save note", save_note)


async def _marketing_round(page, results: Results, number: int) -> None:  # type: ignore[no-untyped-def]
    await _timed(results, "open Segments", lambda: _menu(page, "nav.segments"))

    async def members() -> None:
        # As a person does it: click a bar of "customers by segment" until its member list
        # opens (bars start at the label side; the first chart of the first tab).
        chart = page.locator('.stMain [data-testid="stVegaLiteChart"]').first
        await chart.locator("canvas, svg").first.wait_for(timeout=ACTION_TIMEOUT_MS)  # drawn
        await chart.scroll_into_view_if_needed()
        box = await chart.bounding_box()
        # The member list's heading up to its label ("Members:"), without the isolate marks.
        title = translate("segments.drill.title", "en", label="|").split("|")[0]
        title = title.strip().strip("\u2066\u2067\u2068\u2069").strip()
        opened = page.locator(".stMain").get_by_text(title, exact=False).first
        for fraction_x in (0.4, 0.5):
            for step in range(4, 40):
                if box is None or step * 12 > box["height"] - 30:
                    break
                await page.mouse.click(box["x"] + box["width"] * fraction_x, box["y"] + step * 12)
                await _settled(page)
                if await opened.count() and await opened.is_visible():
                    await page.locator('.stMain [data-testid="stPageLink"]').first.wait_for()
                    return
        raise RuntimeError("no bar of the segments chart opened a member list")

    await _timed(results, "members", members)

    async def export() -> None:
        async with page.expect_download(timeout=ACTION_TIMEOUT_MS):
            await page.get_by_role("button", name=T("segments.export.csv")).first.click()

    await _timed(results, "export CSV", export)


async def _user(browser, url: str, index: int, rounds: int, results: Results) -> None:  # type: ignore[no-untyped-def]
    context = await browser.new_context(
        viewport={"width": 1280, "height": 860}, ignore_https_errors=True, accept_downloads=True
    )
    page = await context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        await _timed(results, "sign in", lambda: _sign_in(page, url, f"load{index:03d}"))
        for number in range(rounds):
            if index % 2 == 0:
                await _sales_round(page, results, number)
            else:
                await _marketing_round(page, results, number)
    except Exception:  # noqa: BLE001, S110 - counted in Results; this user stops
        pass
    finally:
        await context.close()


def _server_rss_mb(cluster: Cluster) -> float:
    total = 0
    for process in cluster.processes[:-1]:  # the last one is HAProxy
        try:
            main = psutil.Process(process.pid)
            total += sum(p.memory_info().rss for p in [main, *main.children(recursive=True)])
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


async def _drive(
    cluster: Cluster, users: int, rounds: int, time_limit: float
) -> tuple[Results, float]:
    from playwright.async_api import async_playwright

    results = Results()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tasks = [
                asyncio.create_task(_user(browser, cluster.url, index, rounds, results))
                for index in range(users)
            ]
            peak = 0.0
            deadline = time.monotonic() + time_limit
            while not all(task.done() for task in tasks) and time.monotonic() < deadline:
                peak = max(peak, _server_rss_mb(cluster))
                await asyncio.sleep(1)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await browser.close()
    return results, peak


def _prepare(database_url: str, users: int, customers: int) -> None:
    env = app_environment(
        CKM_DATABASE_URL=database_url, CKM_DATA_DIR=tempfile.mkdtemp(prefix="ckm-load-")
    )
    run = lambda *args, **kw: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "ckm", *args], cwd=REPO_ROOT, env=env, check=True,
        capture_output=True, **kw,
    )  # fmt: skip
    run("migrate")
    run("demo-data", "--customers", str(customers))
    for index in range(users):
        run(
            "user", "add", f"load{index:03d}", "--name", f"Load {index}",
            "--role", "editor", "--password-stdin", input=f"{PASSWORD}\n".encode(),
        )  # fmt: skip
    run("score")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--servers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds per run")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES_URL)
    args = parser.parse_args()
    actions = ["sign in", "open Customers", "search", "open profile", "save note",
               "open Segments", "members", "export CSV"]  # fmt: skip
    for servers in args.servers:
        for users in args.users:
            database_url, drop = postgres_database(args.postgres, "ckm_load")
            try:
                _prepare(database_url, users, args.customers)
                with tempfile.TemporaryDirectory(prefix="ckm-cluster-") as folder:
                    with run_cluster(database_url, Path(folder), servers=servers) as cluster:
                        idle = _server_rss_mb(cluster)
                        started = time.monotonic()
                        results, peak = asyncio.run(
                            _drive(cluster, users, args.rounds, args.time_limit)
                        )
                        elapsed = time.monotonic() - started
            finally:
                drop()
            per_session = (peak - idle) / users
            print(
                f"\n{servers} server(s), {users} users, {args.rounds} rounds, {elapsed:.0f} s; "
                f"server memory idle {idle:.0f} MB, peak {peak:.0f} MB, "
                f"{per_session:.1f} MB per session"
            )
            print(f"{'action':<16}{'count':>7}{'p50 ms':>10}{'p95 ms':>10}{'errors':>8}")
            for action in actions:
                samples = results.durations.get(action, [])
                p50 = statistics.median(samples) if samples else float("nan")
                high = p95(samples) if samples else float("nan")
                errors = results.errors.get(action, 0)
                print(f"{action:<16}{len(samples):>7}{p50:>10.0f}{high:>10.0f}{errors:>8}")
            for action, message in results.first_error.items():
                print(f"  first error in {action!r}: {message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
