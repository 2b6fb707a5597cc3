"""Capacity: the sales-rep and marketing journeys at N concurrent users against CKM.

    python tests/bench/load_journeys.py --users 10 50 100 --servers 1 2 --rounds 3
    python tests/bench/load_journeys.py --users 20 --servers 1 --journey sales  # sales reps only

One fresh PostgreSQL database with demo data per invocation; then for every (servers, users)
pair: `servers` app processes behind HAProxy (deploy/cluster.py, TLS and sticky cookie as in
production), warmed up with one journey of each kind per server, and `users` concurrent
sessions, each signing in as its own account and running its journey `rounds` times:
- sales rep: sign in -> Customers -> search a Persian name -> open a result -> save a quick note;
- marketing: sign in -> Segments -> choose a segment (its member list) -> download the CSV.

Two kinds of session (`--client`):
- `ws` (the default above 10 users): tests/bench/ws_client.py speaks Streamlit's websocket
  protocol, so the load generator costs almost nothing and the figures are the servers';
- `browser`: real Chromium contexts (Playwright). They share this machine's cores with the
  servers, so above ~10 users they measure Chromium.

Every action is timed from sending the click to the end of the Streamlit run it started (the
run's final `script_finished`; in a browser, the app's "not running" state). An action that
shows an exception or an error message, or does not finish in 120 s, is an error. Users start
spread over `--ramp` seconds and pause `--think` seconds (on average) between actions, as a
person reading the page does; `--think 0` is a stress test. Bounded: a fixed number of rounds
per user and a time limit per run; loopback only.

Prints one table per run: per-action count, p50/p95 (ms) and errors; actions per second; the
servers' CPU seconds per action and the whole machine's CPU use; memory before, at peak and
with every session still open (-> MB per session) and after the sessions closed; how many
users finished, stopped on an error or were cut off by `--time-limit`. With `--users 1` also
each action's server CPU (`--journey both --think 0`: what a click costs, for sizing). At the
end, a summary of every run as a Markdown table (for docs/capacity.md) and, per number of
servers, the saturation point: the fewest users at which light clicks' p95 passed 1.5 s, or
any action failed, or a user could not finish in time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from ckm.i18n import translate  # noqa: E402
from deploy.cluster import Cluster, run_cluster  # noqa: E402
from deploy.servers import app_environment  # noqa: E402
from tests.bench.benchlib import DEFAULT_POSTGRES_URL, p95, postgres_database  # noqa: E402
from tests.bench.ws_client import PageError, StreamlitClient  # noqa: E402
from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PASSWORD = "load test password 2026"
# Persian surnames (and one Latin spelling) a sales rep types; the demo data has them all.
SEARCHES = ("رحیمی", "کریمی", "احمدی", "حسینی", "محمدی", "rahimi")
ACTION_TIMEOUT_MS = 120_000
ACTION_TIMEOUT = ACTION_TIMEOUT_MS / 1000
Think = Callable[[], Awaitable[None]]
# --cold-browsers: every websocket user also downloads the front end's scripts (an empty cache).
COLD_BROWSERS = False


def T(key: str) -> str:
    return translate(key, "en")


@dataclass
class Results:
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    first_error: dict[str, str] = field(default_factory=dict)
    finished: int = 0  # users that ran all their rounds
    stopped: int = 0  # users whose connection was lost or whose journey could not go on
    # With one user, the servers' CPU seconds per action (nothing else runs meanwhile).
    cpu_probe: Callable[[], float] | None = None
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # Set when the time limit ends the run: users cancelled then may still unwind through
    # their last action, and counting them then made "finished" and "cut off" overlap.
    closed: bool = False

    def user_finished(self) -> None:
        """Count a user that ran all its rounds (before the books were closed)."""
        if not self.closed:
            self.finished += 1

    def user_stopped(self) -> None:
        """Count a user whose journey could not go on (before the books were closed)."""
        if not self.closed:
            self.stopped += 1


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
        if results.closed:
            raise UserStopped from error
        results.errors[name] += 1
        results.first_error.setdefault(name, f"{type(error).__name__}: {str(error)[:160]}")
        raise
    if not results.closed:
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
        if not await page.get_by_role("button", name=T("profile.save_note")).count():
            await page.get_by_text(T("profile.forms_panel")).first.click()
            await _settled(page)
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
        results.user_finished()
    except Exception:  # noqa: BLE001 - counted in Results; this user stops
        results.user_stopped()
    finally:
        await context.close()


# -- websocket sessions (tests/bench/ws_client.py) -------------------------------------------


class UserStopped(Exception):
    """A user's connection was lost or an action could not go on; counted, the user stops."""


async def _ws_timed(results: Results, name: str, action) -> None:  # type: ignore[no-untyped-def]
    """Time one action; a page error is counted and the user goes on, a lost or stuck
    connection is counted and ends this user."""
    started = time.perf_counter()
    cpu_before = results.cpu_probe() if results.cpu_probe else 0.0
    try:
        await action()
    except Exception as error:
        if results.closed:
            raise UserStopped from error
        results.errors[name] += 1
        results.first_error.setdefault(name, f"{type(error).__name__}: {str(error)[:200]}")
        if isinstance(error, PageError):
            return
        raise UserStopped from error
    if results.closed:
        return
    results.durations[name].append((time.perf_counter() - started) * 1000)
    if results.cpu_probe:
        results.cpu[name].append((results.cpu_probe() - cpu_before) * 1000)


async def _ws_open_app(client: StreamlitClient) -> None:
    await client.open()


async def _ws_sign_in(client: StreamlitClient, username: str) -> None:
    client.fill(T("login.username"), username)
    client.fill(T("login.password"), PASSWORD)
    await client.click(T("login.submit"))
    client.find("button", T("logout.button"))  # signed in
    # ... and, as the browser does with the hidden image the signed-in run draws, fetch the
    # one-use ticket whose answer sets the login cookie (an HTTP request, no rerun).
    for text in client.texts():
        ticket = re.search(r"\((/api/session/cookie\?ticket=[^)\s]+)\)", text)
        if ticket:
            await asyncio.to_thread(client._http_get, ticket.group(1))
            break


async def _ws_sales_round(
    client: StreamlitClient, results: Results, number: int, think: Think
) -> None:
    await _ws_timed(results, "open Customers", lambda: client.open_link(T("nav.customers")))
    await think()
    await _ws_timed(
        results,
        "search",
        lambda: client.type(T("customers.search_label"), SEARCHES[number % len(SEARCHES)]),
    )
    await think()

    async def open_profile() -> None:
        links = [
            node
            for node in client.tree.find_all("page_link")
            if node.path[0] == 0 and node.proto.query_string.startswith("id=")
        ]
        if not links:
            raise PageError("the search found no customer")
        await client.open_link(node=links[number % min(len(links), 5)])
        client.find("block.expandable", T("profile.forms_panel"))

    await _ws_timed(results, "open profile", open_profile)
    await think()

    async def save_note() -> None:
        # The forms stay open for the session's next profiles once opened, as in a browser.
        if not client.tree.find_all("button", T("profile.save_note")):
            await client.open_panel(T("profile.forms_panel"))
        client.fill(T("profile.note_title"), f"Call {number}")
        client.fill(
            T("profile.note_body"),
            "Prefers calls on Wednesdays. ترجیح می‌دهد چهارشنبه‌ها تماس بگیریم.",
        )
        await client.click(T("profile.save_note"))
        if T("profile.note_saved") not in client.texts():
            raise PageError("the note was not confirmed as saved")

    await _ws_timed(results, "save note", save_note)
    await think()


async def _ws_marketing_round(
    client: StreamlitClient, results: Results, number: int, think: Think
) -> None:
    await _ws_timed(results, "open Segments", lambda: client.open_link(T("nav.segments")))
    await think()

    async def members() -> None:
        # The page's own keyboard path to a segment's member list (the same run as a bar click).
        label = T("segments.drill.choose")
        options = client.options(label)[1:]
        await client.select(label, options[number % min(len(options), 6)])
        client.find("download_button", T("segments.export.csv"))

    await _ws_timed(results, "members", members)
    await think()

    async def export() -> None:
        data = await client.download(T("segments.export.csv"))
        if not data:
            raise PageError("the CSV was empty")

    await _ws_timed(results, "export CSV", export)
    await think()


async def _ws_user(
    url: str, index: int, rounds: int, journey: str, think_mean: float, results: Results,
    clients: list[StreamlitClient], close: asyncio.Event,
) -> None:  # fmt: skip
    rng = random.Random(index)  # noqa: S311 - think times, not secrets

    async def think() -> None:
        if think_mean > 0:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think_mean)

    client = StreamlitClient(url, timeout=ACTION_TIMEOUT, fetch_assets=COLD_BROWSERS)
    clients.append(client)
    sales = journey == "sales" or (journey == "mixed" and index % 2 == 0)
    try:
        await _ws_timed(results, "open app", lambda: _ws_open_app(client))
        await think()
        await _ws_timed(results, "sign in", lambda: _ws_sign_in(client, f"load{index:03d}"))
        await think()
        for number in range(rounds):
            if sales or journey == "both":
                await _ws_sales_round(client, results, number, think)
            if not sales or journey == "both":
                await _ws_marketing_round(client, results, number, think)
        results.user_finished()
        await close.wait()  # keep the session open until memory has been measured
    except UserStopped:
        results.user_stopped()  # the error is counted by _ws_timed; this user stops
    finally:
        await client.close()


# -- the servers -------------------------------------------------------------------------------


def _server_processes(cluster: Cluster) -> list[psutil.Process]:
    found = []
    for process in cluster.processes[:-1]:  # the last one is HAProxy
        try:
            main = psutil.Process(process.pid)
            found += [main, *main.children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
    return found


def _server_rss_mb(cluster: Cluster) -> float:
    total = 0
    for process in _server_processes(cluster):
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def _server_cpu_seconds(cluster: Cluster) -> float:
    total = 0.0
    for process in _server_processes(cluster):
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


@dataclass
class Measure:
    results: Results
    seconds: float
    idle_mb: float
    peak_mb: float
    held_mb: float
    closed_mb: float
    server_cpu: float
    client_cpu: float
    load_average: tuple[float, float, float]
    machine_cpu: float = math.nan  # percent of all cores busy during the run, whoever used them
    cut_off: int = 0  # users still in their journey when the time limit ended the run


async def _warm_up(cluster: Cluster, servers: int) -> None:
    """One full journey of each kind per server (round robin), so every process has loaded
    its libraries and caches before the baseline memory is read."""
    results = Results()
    never = asyncio.Event()
    never.set()
    for number in range(servers):
        for journey in ("sales", "marketing"):
            await _ws_user(
                cluster.url, WARM_UP_BASE + number * 2 + (journey == "marketing"), 1, journey,
                0.0, results, [], never,
            )  # fmt: skip
    if results.errors:
        raise RuntimeError(f"the warm-up journeys failed: {dict(results.first_error)}")


async def _drive_ws(
    cluster: Cluster, users: int, rounds: int, journey: str, think: float, ramp: float,
    time_limit: float,
) -> Measure:  # fmt: skip
    await _warm_up(cluster, len(cluster.app_urls))
    await asyncio.sleep(2)
    idle = _server_rss_mb(cluster)
    cpu_before, client_before = _server_cpu_seconds(cluster), time.process_time()
    results, close = Results(), asyncio.Event()
    if users == 1:
        results.cpu_probe = lambda: _server_cpu_seconds(cluster)
    clients: list[StreamlitClient] = []
    psutil.cpu_percent()  # starts the machine-wide measurement
    started = time.monotonic()

    async def later(index: int) -> None:
        await asyncio.sleep(ramp * index / max(users, 1))
        await _ws_user(cluster.url, index, rounds, journey, think, results, clients, close)

    tasks = [asyncio.create_task(later(index)) for index in range(users)]
    peak = idle
    deadline = started + time_limit
    # Every user either finished its rounds (and waits with its session open) or stopped.
    while time.monotonic() < deadline and not all(t.done() for t in tasks):
        peak = max(peak, _server_rss_mb(cluster))
        if results.finished + sum(1 for t in tasks if t.done()) >= users:
            break
        await asyncio.sleep(1)
    elapsed = time.monotonic() - started
    machine_cpu = psutil.cpu_percent()
    server_cpu = _server_cpu_seconds(cluster) - cpu_before
    client_cpu = time.process_time() - client_before
    held = _server_rss_mb(cluster)
    peak = max(peak, held)
    results.closed = True
    cut_off = users - results.finished - results.stopped
    close.set()
    for task in tasks:
        if not task.done():
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(5)
    closed = _server_rss_mb(cluster)
    return Measure(
        results, elapsed, idle, peak, held, closed, server_cpu, client_cpu, os.getloadavg(),
        machine_cpu, cut_off,
    )  # fmt: skip


async def _drive_browser(cluster: Cluster, users: int, rounds: int, time_limit: float) -> Measure:
    from playwright.async_api import async_playwright

    await _warm_up(cluster, len(cluster.app_urls))
    await asyncio.sleep(2)
    results = Results()
    idle = _server_rss_mb(cluster)
    cpu_before, client_before = _server_cpu_seconds(cluster), time.process_time()
    psutil.cpu_percent()
    started = time.monotonic()
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
            results.closed = True
            cut_off = sum(1 for task in tasks if not task.done())
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await browser.close()
    elapsed = time.monotonic() - started
    machine_cpu = psutil.cpu_percent()
    held = _server_rss_mb(cluster)
    return Measure(
        results, elapsed, idle, peak, held, held, _server_cpu_seconds(cluster) - cpu_before,
        time.process_time() - client_before, os.getloadavg(), machine_cpu, cut_off,
    )  # fmt: skip


# -- the data ----------------------------------------------------------------------------------

WARM_UP_BASE = 900  # accounts load900… warm the servers up before a run


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
    run("score")
    _add_accounts(database_url, [*range(users), *range(WARM_UP_BASE, WARM_UP_BASE + 8)])


def _add_accounts(database_url: str, numbers: list[int]) -> None:
    """Editors load000… sharing one password; bcrypt runs once, not once per account."""
    from ckm.db import Store, make_engine
    from ckm.services import passwords, users
    from ckm.services.permissions import SYSTEM

    store = Store(make_engine(database_url))
    known_hash = passwords.hash_password(PASSWORD)
    original, users.hash_password = users.hash_password, lambda password: known_hash
    try:
        with store.write() as session:
            for number in numbers:
                users.create_user(
                    session, actor=SYSTEM, username=f"load{number:03d}",
                    display_name=f"Load {number}", password=PASSWORD, role="editor",
                )  # fmt: skip
    finally:
        users.hash_password = original
        store.dispose()


def _keep_logs(cluster: Cluster, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for log in cluster.folder.glob("*.log"):
        shutil.copy(log, folder / log.name)


# -- the report --------------------------------------------------------------------------------

ACTIONS = ["open app", "sign in", "open Customers", "search", "open profile", "save note",
           "open Segments", "members", "export CSV"]  # fmt: skip
# Clicks that cost under ~0.2 s of server CPU each: their p95 is what a person notices first.
# Sign in (bcrypt) and Segments (charts) are heavy by design and would hide the light ones.
LIGHT = ("open app", "open Customers", "search", "open profile", "save note", "export CSV")
LIGHT_P95_LIMIT_MS = 1500.0  # the target for a light click (search) under load


@dataclass
class Run:
    servers: int
    users: int
    client: str
    measure: Measure | None
    failure: str = ""  # why the run could not be made at all (the cluster did not start, ...)


def light_p95_ms(results: Results) -> float:
    samples = [ms for action in LIGHT for ms in results.durations.get(action, [])]
    return p95(samples) if samples else math.nan


def saturation(m: Measure) -> list[str]:
    """Why this run counts as saturated; empty when it does not."""
    reasons = []
    errors = sum(m.results.errors.values())
    if errors:
        reasons.append(f"{errors} errors")
    if m.cut_off:
        reasons.append(f"{m.cut_off} user(s) cut off by the time limit")
    light = light_p95_ms(m.results)
    if light > LIGHT_P95_LIMIT_MS:
        reasons.append(f"light clicks' p95 {light / 1000:.1f} s > {LIGHT_P95_LIMIT_MS / 1000:g} s")
    return reasons


def _rate(m: Measure) -> float:
    return sum(len(v) for v in m.results.durations.values()) / m.seconds


def _seconds(samples: list[float]) -> str:
    if not samples:
        return "–"
    return f"{statistics.median(samples) / 1000:.1f} / {p95(samples) / 1000:.1f}"


def summary(runs: list[Run]) -> str:
    """Every run in one Markdown table (p50 / p95 in seconds), then the saturation points."""
    cores = os.cpu_count() or 1
    head = ["servers × users", "finished", "actions/s", "server cores busy", "machine CPU",
            "MB per session", *ACTIONS, "errors", "load avg"]  # fmt: skip
    lines = [
        "\nSummary (p50 / p95 in seconds; server cores busy = the app processes' CPU seconds "
        f"per second; machine CPU = all {cores} cores, everyone's processes):",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for run in runs:
        m = run.measure
        if m is None:
            lines.append(f"| {run.servers} × {run.users} | not run: {run.failure} |")
            continue
        r = m.results
        errors = sum(r.errors.values())
        cells = [
            f"{run.servers} × {run.users}",
            f"{r.finished}/{run.users}" + (f" ({m.cut_off} cut off)" if m.cut_off else ""),
            f"{_rate(m):.1f}",
            f"{m.server_cpu / m.seconds:.2f}",
            f"{m.machine_cpu:.0f} %",
            f"{(m.held_mb - m.idle_mb) / run.users:.1f}",
            *[_seconds(r.durations.get(action, [])) for action in ACTIONS],
            str(errors) if errors else "0",
            f"{m.load_average[0]:.1f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for servers in sorted({run.servers for run in runs}):
        measured = sorted(
            (run for run in runs if run.servers == servers and run.measure is not None),
            key=lambda run: run.users,
        )
        if not measured:
            continue
        pairs = [(run.users, run.measure) for run in measured if run.measure is not None]
        first = next(((users, m) for users, m in pairs if saturation(m)), None)
        text = f"Saturation, {servers} server(s): "
        if first is None:
            text += f"not reached up to {pairs[-1][0]} users"
        else:
            text += f"at {first[0]} users ({'; '.join(saturation(first[1]))})"
            below = [users for users, m in pairs if users < first[0] and not saturation(m)]
            text += f", fine at {below[-1]}" if below else ", already at the smallest run"
        users, best = max(pairs, key=lambda pair: _rate(pair[1]))
        text += (
            f". Most throughput: {_rate(best):.1f} actions/s at {users} users "
            f"({best.server_cpu / best.seconds:.2f} server cores busy)."
        )
        lines.append(text)
    lines.append(
        f"(Saturated = light clicks' p95 over {LIGHT_P95_LIMIT_MS / 1000:g} s, any error, or a "
        "user cut off by the time limit. Light clicks: " + ", ".join(LIGHT) + ".)"
    )
    return "\n".join(lines)


def report(servers: int, users: int, client: str, args: argparse.Namespace, m: Measure) -> str:
    results = m.results
    count = sum(len(v) for v in results.durations.values())
    lines = [
        f"\n{servers} server(s) x {users} users ({client}, {args.journey}, {args.rounds} rounds, "
        f"think {args.think:g} s, ramp {args.ramp:g} s): {m.seconds:.0f} s, "
        f"{results.finished}/{users} users finished, {results.stopped} stopped on an error, "
        f"{m.cut_off} cut off by the {args.time_limit:g} s time limit",
        f"  load average at the end {m.load_average[0]:.1f} / {m.load_average[1]:.1f} / "
        f"{m.load_average[2]:.1f} (1/5/15 min, {os.cpu_count()} cores); the machine's CPU "
        f"{m.machine_cpu:.0f} % busy during the run (everyone's processes)",
        f"  {count} actions, {count / m.seconds:.2f} per s; server CPU {m.server_cpu:.0f} s "
        f"({m.server_cpu / max(count, 1) * 1000:.0f} ms per action, "
        f"{m.server_cpu / m.seconds:.2f} cores busy); load generator CPU {m.client_cpu:.0f} s",
        f"  server memory: warm idle {m.idle_mb:.0f} MB, peak {m.peak_mb:.0f} MB, "
        f"{m.held_mb:.0f} MB with the sessions open "
        f"({(m.held_mb - m.idle_mb) / users:.1f} MB per session), {m.closed_mb:.0f} MB after "
        "they closed",
        f"  {'action':<16}{'count':>7}{'p50 ms':>10}{'p95 ms':>10}{'errors':>8}"
        + (f"{'CPU ms':>9}" if results.cpu else ""),
    ]
    for action in ACTIONS:
        samples = results.durations.get(action, [])
        errs = results.errors.get(action, 0)
        if not samples and not errs:
            continue
        p50 = statistics.median(samples) if samples else float("nan")
        high = p95(samples) if samples else float("nan")
        cpu = f"{statistics.median(results.cpu[action]):>9.0f}" if results.cpu[action] else ""
        lines.append(f"  {action:<16}{len(samples):>7}{p50:>10.0f}{high:>10.0f}{errs:>8}{cpu}")
    for action, message in results.first_error.items():
        lines.append(f"  first error in {action!r}: {message}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--servers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument(
        "--client", choices=["auto", "ws", "browser"], default="auto",
        help="auto: real Chromium up to 10 users, the websocket client above",
    )  # fmt: skip
    parser.add_argument(
        "--journey", choices=["mixed", "sales", "marketing", "both"], default="mixed",
        help="mixed: half the users each; both: every user does a sales then a marketing round",
    )  # fmt: skip
    parser.add_argument("--think", type=float, default=3.0, help="mean pause between actions, s")
    parser.add_argument("--ramp", type=float, default=10.0, help="users start over this many s")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds per run")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES_URL)
    parser.add_argument(
        "--cold-browsers", action="store_true",
        help="websocket users also download the front end's scripts, as an empty cache does",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, help="also append the tables to this file")
    parser.add_argument(
        "--logs", type=Path, default=Path(tempfile.gettempdir()) / "ckm-load-logs",
        help="the servers' and HAProxy's logs of each run are copied here",
    )  # fmt: skip
    args = parser.parse_args()
    # Importing Streamlit's runtime pieces outside a page run makes Streamlit warn "missing
    # ScriptRunContext"; a filter, as Streamlit resets its loggers' levels.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()
    )
    global COLD_BROWSERS  # a run-wide switch read by every user
    COLD_BROWSERS = args.cold_browsers
    # One database for every run (accounts for the largest run): preparing it takes longer
    # than a run. Notes the sales reps save accumulate; a few hundred change nothing measurable.
    database_url, drop = postgres_database(args.postgres, "ckm_load")
    runs: list[Run] = []

    def show(text: str) -> None:
        print(text, flush=True)
        if args.out:
            with args.out.open("a", encoding="utf-8") as out:
                out.write(text + "\n")

    try:
        _prepare(database_url, max(args.users), args.customers)
        for servers in args.servers:
            for users in args.users:
                client = args.client
                if client == "auto":
                    client = "browser" if users <= 10 else "ws"
                try:
                    measure = _one_run(database_url, servers, users, client, args)
                except Exception as problem:  # noqa: BLE001 - reported; the matrix goes on
                    failure = f"{type(problem).__name__}: {str(problem)[:300]}"
                    runs.append(Run(servers, users, client, None, failure))
                    show(f"\n{servers} server(s) x {users} users: NOT RUN, {failure}")
                    continue
                runs.append(Run(servers, users, client, measure))
                show(report(servers, users, client, args, measure))
        show(summary(runs))
    finally:
        drop()
    return 0 if all(run.measure is not None for run in runs) else 1


def _one_run(
    database_url: str, servers: int, users: int, client: str, args: argparse.Namespace
) -> Measure:
    with tempfile.TemporaryDirectory(prefix="ckm-cluster-") as folder:
        cluster = None
        try:
            with run_cluster(database_url, Path(folder), servers=servers) as cluster:
                if client == "ws":
                    drive = _drive_ws(
                        cluster, users, args.rounds, args.journey, args.think, args.ramp,
                        args.time_limit,
                    )  # fmt: skip
                    return asyncio.run(drive)
                return asyncio.run(_drive_browser(cluster, users, args.rounds, args.time_limit))
        finally:
            if cluster is not None:  # stopped by now; kept also when the run failed
                _keep_logs(cluster, args.logs / f"{servers}x{users}")


if __name__ == "__main__":
    raise SystemExit(main())
