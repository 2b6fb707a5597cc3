"""What a person waits for in a browser, and what the server spends (not a pytest module).

    python tests/bench/bench_browser.py [--customers 300 --orders 3000] [--runs 10]
        [--database FILE] [--profile FILE.prof]

A SQLite database is filled by the demo generator (or `--database` reuses a file made
earlier, e.g. by `python -m ckm demo-data` at 100k customers), then `streamlit run serve.py`
serves it (started and stopped by deploy/servers.py, as for the browser tests and the
cluster) and the system Chromium (/usr/bin/chromium, driven by Playwright) measures, as a
person clicks, the median of `--runs`:

- sign-in → Home drawn (submit the login form until the script run is over);
- search on Home → results drawn (type a customer's name, Enter);
- result click → profile drawn (click the result's link);
- Home click → Home drawn (the sidebar link);

beside the floor: the same clicks on an empty Streamlit page (one button, one text line),
served the same way (an `st.App` like serve.py's), which is what Streamlit itself costs on
this machine.

"Drawn" is measured in the page's own clock: from the click to the last change of the page
(any DOM mutation, or Streamlit's script state) before the app has been idle — connected, no
script running, nothing changing — for SETTLE_QUIET_MS, counted only once a script run has
started after the click. So a click is done when its last rerun (a cookie component's, say)
and the drawing that follows it are done, charts included, and the quiet wait itself is not
counted. (Polling "no script running" right after a click can see the state before the click's
run has even started, and stop at once.) Each click also reports how many script runs it
caused (full runs and fragment runs, read from the websocket's ForwardMsgs).

Server CPU: the user+system CPU seconds of the server process (psutil) over each search →
profile → Home cycle (the server runs without its embedded worker, so background jobs are not
counted as page work); a busy machine stretches wall time, CPU time much less. `--profile`
runs the server under cProfile and writes its statistics when the server stops.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil
from playwright.sync_api import Browser, Locator, Page, TimeoutError, WebSocket, expect
from sqlalchemy import select
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from ckm.db import Store  # noqa: E402
from ckm.models import Customer, Role  # noqa: E402
from ckm.services import demo  # noqa: E402
from deploy import servers  # noqa: E402
from tests.e2e.chromium import chromium_browser  # noqa: E402
from tests.e2e.ui import (  # noqa: E402
    ADMIN,
    T,
    ensure_admin,
    ensure_user,
    main,
    new_page,
    sidebar,
    sign_in,
    wait_for_run,
)

# How long the page must stay unchanged and idle for a click to count as done; the quiet
# time is not part of the figure. Longer than the gap between a run and a rerun a component
# asks for once it has loaded (about 0.1 s here), so such a rerun is not missed.
SETTLE_QUIET_MS = 600
# Installed in the page just before a click: notes the click's time and every later DOM
# mutation. (Whether a run has started is read from the websocket: a fast run can go from
# "notRunning" to "running" and back within one React commit, leaving no mutation.)
_ARM = """() => {
  if (window.__ckmSettle) window.__ckmSettle.observer.disconnect();
  const s = { click: performance.now(), last: performance.now() };
  s.observer = new MutationObserver(() => { s.last = performance.now(); });
  s.observer.observe(document.documentElement,
    { subtree: true, childList: true, attributes: true, characterData: true });
  window.__ckmSettle = s;
}"""
_SETTLED = """quietMs => {
  const s = window.__ckmSettle, a = document.querySelector('[data-testid="stApp"]');
  if (!s || !a) return false;
  return a.dataset.testConnectionState === 'CONNECTED'
    && a.dataset.testScriptState === 'notRunning'
    && performance.now() - s.last >= quietMs;
}"""


class RunCounter:
    """Script runs the server reports on this page's websocket: full runs and fragment runs."""

    def __init__(self, page: Page) -> None:
        self.full = 0
        self.fragment = 0
        page.on("websocket", self._watch)

    def _watch(self, socket: WebSocket) -> None:
        socket.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg.FromString(payload)
        if message.WhichOneof("type") != "script_finished":
            return
        if message.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            self.fragment += 1
        else:
            self.full += 1

    def take(self) -> tuple[int, int]:
        counts = (self.full, self.fragment)
        self.full = self.fragment = 0
        return counts


def settled(page: Page, counter: RunCounter, action: Callable[[], None]) -> float:
    """Milliseconds from `action` (a click and the checks that its result is shown) to the
    page's last change once idle (see the module's docstring). `counter` is the page's; the
    runs it counted before are dropped."""
    counter.take()
    page.evaluate(_ARM)
    action()
    deadline = time.monotonic() + 60
    while counter.full + counter.fragment == 0:  # no script run has finished yet
        if time.monotonic() > deadline:
            raise RuntimeError(f"no script run after a click: {page.evaluate(_STATE)}")
        page.wait_for_timeout(20)  # lets Playwright deliver the websocket's frames
    try:
        page.wait_for_function(_SETTLED, arg=SETTLE_QUIET_MS, polling=50)
    except TimeoutError as problem:
        state = page.evaluate(_STATE)
        raise RuntimeError(f"the page did not settle after a click: {state}") from problem
    return float(page.evaluate("() => window.__ckmSettle.last - window.__ckmSettle.click"))


_STATE = """() => {
  const s = window.__ckmSettle, a = document.querySelector('[data-testid="stApp"]');
  return { armed: !!s, quietMs: s && performance.now() - s.last,
           script: a && a.dataset.testScriptState, connection: a && a.dataset.testConnectionState,
           url: location.href };
}"""


START_TIMEOUT = 120.0
# Streamlit runs each script run in its own thread, which `python -m cProfile` does not see:
# this launcher profiles every thread and writes their merged statistics at exit.
PROFILING_LAUNCHER = """
import atexit, cProfile, pstats, sys, threading

target = sys.argv.pop(1)
profiles = [cProfile.Profile()]


def _in_thread(frame, event, arg):
    sys.setprofile(None)
    profile = cProfile.Profile()
    profiles.append(profile)
    profile.enable()


def _write():
    stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        profile.create_stats()
        stats.add(profile)
    stats.dump_stats(target)


threading.setprofile(_in_thread)
atexit.register(_write)
profiles[0].enable()
from streamlit.web import cli

sys.argv[0] = "streamlit"
cli.main()
"""
EMPTY_PAGE = """
import streamlit as st

st.title("Empty")
if st.button("Click"):
    st.write("clicked")
"""
# The floor page is served like the app (serve.py): an `st.App`, so both share one server stack.
EMPTY_SERVER = """
import streamlit as st

app = st.App("empty_page.py")
"""


def _streamlit_healthy(base_url: str) -> bool:
    """Streamlit's own health check, for the floor page (it has no /api/health)."""
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:  # noqa: S310 - local URL
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def serve(
    script: Path,
    env: dict[str, str],
    ready: Callable[[str], bool],
    profile: Path | None = None,
) -> Iterator[tuple[str, psutil.Process]]:
    """`streamlit run script` on a free port until exit (deploy/servers.py starts, waits for
    `ready(base_url)` and stops it); yields its URL and process."""
    port = servers.free_port()
    command = servers.streamlit_command(port, script)
    if profile is not None:
        launcher = profile.with_suffix(".launcher.py")
        launcher.write_text(PROFILING_LAUNCHER, encoding="utf-8")
        # The launcher stands in for `python -m streamlit`; the rest is `run script …`.
        command = [sys.executable, str(launcher), str(profile), *command[3:]]
    log_path = Path(tempfile.mkstemp(prefix="ckm-bench-", suffix=".log")[1])
    process = servers.spawn(command, env, log_path)
    base_url = f"http://127.0.0.1:{port}"
    try:
        try:
            servers.wait_until_ready(
                lambda: ready(base_url), [process], timeout=START_TIMEOUT, interval=0.2
            )
        except servers.ServerNotReady as problem:
            raise RuntimeError(f"streamlit: {problem}; log: {log_path}") from problem
        yield base_url, psutil.Process(process.pid)
    finally:
        if profile is not None:
            # SIGINT lets Streamlit shut down cleanly, so the launcher writes the profile.
            os.killpg(process.pid, signal.SIGINT)
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        servers.stop(process)


def _timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _cpu(process: psutil.Process) -> float:
    """CPU seconds the server process has used so far (user + system)."""
    times = process.cpu_times()
    return times.user + times.system


PAGE_LOAD_TIMEOUT_MS = 180_000


def floor(browser: Browser, runs: int, directory: Path) -> dict[str, list[float]]:
    """An empty Streamlit page: first load and one button click, each to idle."""
    (directory / "empty_page.py").write_text(EMPTY_PAGE, encoding="utf-8")
    script = directory / "empty_server.py"
    script.write_text(EMPTY_SERVER, encoding="utf-8")
    results: dict[str, list[float]] = {"load": [], "click": []}
    with serve(script, servers.app_environment(), _streamlit_healthy) as (base_url, _):
        for _ in range(runs + 1):
            context, page = new_page(browser)
            counter = RunCounter(page)

            def load(page: Page = page) -> None:
                # A busy machine can take more than Playwright's default 30 s to serve the
                # first page; the first run is a warm-up and is not counted.
                page.goto(base_url, timeout=PAGE_LOAD_TIMEOUT_MS)
                page.wait_for_selector('[data-testid="stApp"]')
                wait_for_run(page)

            results["load"].append(_timed(load))
            button = page.get_by_role("button", name="Click")

            def click(page: Page = page, button: Locator = button) -> None:
                button.click()
                expect(page.get_by_text("clicked")).to_be_visible()

            results["click"].append(settled(page, counter, click))
            context.close()
    return {name: values[1:] for name, values in results.items()}  # first run warms up


def journeys(
    browser: Browser,
    base_url: str,
    server: psutil.Process,
    names: list[str],
    runs: int,
) -> tuple[dict[str, list[float]], dict[str, list[tuple[int, int]]]]:
    """Sign-in → Home, search, result → profile, → Home (each with its script runs, full and
    fragment); server CPU per cycle (the search, profile and Home clicks)."""
    results: dict[str, list[float]] = {
        "sign-in → Home": [],
        "search → results": [],
        "result click → profile": [],
        "Home click → Home": [],
        "server CPU per cycle": [],
    }
    runs_per_click: dict[str, list[tuple[int, int]]] = {label: [] for label in list(results)[:4]}
    for run in range(runs + 1):
        context, page = new_page(browser)
        counter = RunCounter(page)
        if run == 0:
            # The warm-up run reads a cold 100k database: its clicks may take minutes.
            context.set_default_timeout(PAGE_LOAD_TIMEOUT_MS)
        page.goto(base_url, timeout=PAGE_LOAD_TIMEOUT_MS)
        page.wait_for_selector('[data-testid="stApp"]')
        wait_for_run(page)
        # Let the login page settle (its fonts and any late drawing), so the sign-in below
        # is measured from a page a person would type into.
        page.wait_for_timeout(SETTLE_QUIET_MS)
        wait_for_run(page)

        # The first run also waits for the server's first imports and the background
        # worker's start-up jobs, which on a busy machine can take longer than 30 s.
        patience = 180_000 if run == 0 else 30_000

        def enter(page: Page = page, patience: int = patience) -> None:
            sign_in(page, ADMIN["username"], ADMIN["password"])
            logout = sidebar(page).get_by_role("button", name=T("logout.button"))
            expect(logout).to_be_visible(timeout=patience)

        signed = settled(page, counter, enter)
        signed_runs = counter.take()
        name = names[run % len(names)]
        box = main(page).get_by_role("textbox", name=T("customers.search_label"))
        cpu_before = _cpu(server)

        def search(page: Page = page, box: Locator = box, name: str = name) -> None:
            box.fill(name)
            box.press("Enter")
            expect(main(page).get_by_role("link", name=name).first).to_be_visible()

        searched = settled(page, counter, search)
        searched_runs = counter.take()

        def profile(page: Page = page, name: str = name) -> None:
            main(page).get_by_role("link", name=name).first.click()
            expect(main(page).get_by_role("heading", name=name).first).to_be_visible()

        profiled = settled(page, counter, profile)
        profiled_runs = counter.take()

        def home(page: Page = page, box: Locator = box) -> None:
            sidebar(page).get_by_role("link", name=T("nav.home")).click()
            expect(box).to_be_visible()

        homed = settled(page, counter, home)
        homed_runs = counter.take()
        cpu = _cpu(server) - cpu_before
        context.close()
        if run == 0:
            continue  # warms the server's caches and the browser
        for label, value, counts in (
            ("sign-in → Home", signed, signed_runs),
            ("search → results", searched, searched_runs),
            ("result click → profile", profiled, profiled_runs),
            ("Home click → Home", homed, homed_runs),
        ):
            results[label].append(value)
            runs_per_click[label].append(counts)
        results["server CPU per cycle"].append(cpu * 1000)
    return results, runs_per_click


def _prepare(args: argparse.Namespace, directory: Path) -> Path:
    path = Path(args.database) if args.database else directory / "ckm.db"
    store = Store.open(f"sqlite:///{path}")
    try:
        with store.write() as session:
            has_customers = session.scalar(select(Customer.id).limit(1)) is not None
        if not has_customers:
            started = time.perf_counter()
            demo.load_demo_data(store, customers=args.customers, orders=args.orders)
            print(f"demo data loaded in {time.perf_counter() - started:.0f} s", flush=True)
        with store.write() as session:
            # Demo data brings its own staff (first-admin setup is then over): add ours.
            ensure_admin(session)
            ensure_user(
                session,
                username=ADMIN["username"],
                display_name=ADMIN["display_name"],
                password=ADMIN["password"],
                role=Role.ADMIN,
            )
    finally:
        store.dispose()
    return path


def _sample_names(path: Path, count: int = 10) -> list[str]:
    """Customers whose name is unique (the result link is then unambiguous)."""
    store = Store.open(f"sqlite:///{path}", run_migrations=False)
    try:
        with store.read() as session:
            names = list(
                session.scalars(
                    select(Customer.name)
                    .where(Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None))
                    .limit(2000)
                )
            )
    finally:
        store.dispose()
    unique = sorted({name for name in names if names.count(name) == 1 and len(name) < 40})
    return random.Random(5).sample(unique, min(count, len(unique)))  # noqa: S311 - sampling


def _row(
    label: str,
    values: list[float],
    floor_ms: float | None,
    runs: list[tuple[int, int]] | None = None,
    unit: str = "ms",
) -> str:
    median = statistics.median(values)
    ratio = f"{median / floor_ms:.1f}×" if floor_ms else "-"
    floor_text = f"{floor_ms:.0f}" if floor_ms else "-"
    if runs:
        full = statistics.median(count[0] for count in runs)
        fragment = statistics.median(count[1] for count in runs)
        runs_text = f"{full:g} + {fragment:g}"
    else:
        runs_text = "-"
    return (
        f"| {label} | {median:,.0f} {unit} | {max(values):,.0f} | {floor_text} | {ratio}"
        f" | {runs_text} |"
    )


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--database", help="a SQLite file to reuse (filled if empty)")
    parser.add_argument("--profile", help="write the server's cProfile statistics here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        path = _prepare(args, directory)
        names = _sample_names(path)
        # No embedded worker: jobs queued by the demo load (a duplicate check of the whole
        # base, the knowledge refresh) would otherwise run inside the measured server process
        # and be counted as the cycles' CPU. They have benchmarks of their own.
        env = servers.app_environment(
            CKM_DATA_DIR=str(directory),
            CKM_DATABASE_URL=f"sqlite:///{path}",
            CKM_EMBEDDED_WORKER="0",
        )
        profile = Path(args.profile).resolve() if args.profile else None
        with chromium_browser() as browser:
            empty = floor(browser, args.runs, directory)
            app = serve(REPO_ROOT / "serve.py", env, servers.healthy, profile)
            with app as (base_url, server):
                measured, runs_per_click = journeys(browser, base_url, server, names, args.runs)

    load_floor = statistics.median(empty["load"])
    click_floor = statistics.median(empty["click"])
    print()
    print(
        f"{args.runs} runs; empty Streamlit page: load {load_floor:.0f} ms,"
        f" click {click_floor:.0f} ms; load average {os.getloadavg()[0]:.1f}"
    )
    print("| step | median | max | floor ms | ratio | script runs (full + fragment) |")
    print("|---|---|---|---|---|---|")
    for label, values in measured.items():
        if label == "server CPU per cycle":
            print(_row(label, values, None))
        else:
            print(_row(label, values, click_floor, runs_per_click[label]))
    if profile is not None:
        print(f"server profile: {profile} (python -m pstats {profile})")


if __name__ == "__main__":
    run()
