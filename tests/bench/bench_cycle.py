"""Server CPU of one search → profile → Home cycle, measured in-process (not a pytest module).

    python tests/bench/bench_cycle.py [--customers 300 --orders 3000] [--database FILE]
        [--runs 10] [--profile FILE.prof]

The real app script (Home.py) runs under Streamlit's AppTest in this process, signed in as an
admin, against a SQLite file (filled by the demo generator, or `--database` reuses one, e.g.
100k customers made by `python -m ckm demo-data`). One cycle is what a person does on Home:
type a customer's name in the search box, open the profile, go back to Home. Measured per
cycle: this process's CPU time (user + system), which other work on a busy machine distorts
far less than wall time; the median and max of `--runs` cycles, after one warm-up cycle, are
printed per step. `--profile` writes the cProfile statistics of the measured cycles.

Signing in takes one run (the login cookie is set over HTTP by the server, with no rerun), so
the cycle measures a settled session.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import select  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ckm.db import Store  # noqa: E402
from ckm.models import Customer, Role  # noqa: E402
from ckm.services import demo  # noqa: E402
from tests.e2e.ui import ADMIN, ensure_user  # noqa: E402


def _prepare(database: str | None, customers: int, orders: int, directory: Path) -> Path:
    path = Path(database) if database else directory / "ckm.db"
    store = Store.open(f"sqlite:///{path}")
    try:
        with store.write() as session:
            empty = session.scalar(select(Customer.id).limit(1)) is None
        if empty:
            demo.load_demo_data(store, customers=customers, orders=orders)
        with store.write() as session:
            ensure_user(
                session,
                username=ADMIN["username"],
                display_name=ADMIN["display_name"],
                password=ADMIN["password"],
                role=Role.ADMIN,
            )
        with store.read() as session:
            rows = session.execute(
                select(Customer.id, Customer.name)
                .where(Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None))
                .limit(2000)
            ).all()
    finally:
        store.dispose()
    names = [row.name for row in rows]
    unique = [(row.id, row.name) for row in rows if names.count(row.name) == 1]
    global SAMPLE
    SAMPLE = random.Random(5).sample(unique, min(10, len(unique)))  # noqa: S311 - sampling
    return path


SAMPLE: list[tuple[int, str]] = []


def _warm_server_navigation() -> None:
    """AppTest resets Streamlit's pages-directory flag and script cache before each run; a server
    does not."""
    from streamlit.runtime import pages_manager

    original_init = pages_manager.PagesManager.__init__

    def init_as_warm_server(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        pages_manager.PagesManager.uses_pages_directory = False

    pages_manager.PagesManager.__init__ = init_as_warm_server  # type: ignore[method-assign]

    # AppTest also compiles Home.py and the page anew on every run (a new script cache per
    # run); a server compiles each file once. One cache for all runs, as on a server.
    from streamlit.runtime.scriptrunner import script_cache

    shared: dict[str, object] = {}
    original_cache_init = script_cache.ScriptCache.__init__

    def init_shared(self, *args, **kwargs):
        original_cache_init(self, *args, **kwargs)
        self._cache = shared

    script_cache.ScriptCache.__init__ = init_shared  # type: ignore[method-assign]


def _signed_in() -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "Home.py"), default_timeout=300)
    at.run()
    fields = [field for field in at.text_input if field.label in ("Username", "Password")]
    fields[0].input(ADMIN["username"])
    fields[1].input(ADMIN["password"])
    next(button for button in at.button if button.label == "Sign in").click()
    at.run()  # the click's own run is signed in (the cookie is set over HTTP, no rerun)
    assert not at.exception, at.exception
    return at


def _cycle(at: AppTest, customer_id: int, name: str) -> dict[str, float]:
    spent: dict[str, float] = {}
    started = time.process_time()
    at.text_input(key="ckm_home_query").input(name).run()
    spent["search"] = time.process_time() - started
    started = time.process_time()
    at.switch_page("pages/profile.py")
    at.query_params["id"] = str(customer_id)
    at.run()
    spent["profile"] = time.process_time() - started
    started = time.process_time()
    at.query_params.pop("id", None)
    at.switch_page("pages/home.py")
    at.run()
    spent["home"] = time.process_time() - started
    assert not at.exception, at.exception
    return spent


def _profile_thread(profiles: list[cProfile.Profile]) -> None:
    sys.setprofile(None)
    profile = cProfile.Profile()
    profiles.append(profile)
    profile.enable()


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--database", help="a SQLite file to reuse (filled if empty)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--profile", help="write cProfile statistics of the cycles here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        path = _prepare(args.database, args.customers, args.orders, directory)
        os.environ["CKM_DATA_DIR"] = str(directory)
        os.environ["CKM_DATABASE_URL"] = f"sqlite:///{path}"
        os.environ.pop("CKM_COOKIE_KEY", None)
        # Background jobs (the score refresh at 100k: minutes of CPU) would run in this very
        # process and be counted in the cycle; the cycle measures pages only.
        os.environ.setdefault("CKM_EMBEDDED_WORKER", "0")
        _warm_server_navigation()
        at = _signed_in()
        _cycle(at, *SAMPLE[0])  # warms caches and query plans
        profiles: list[cProfile.Profile] = []
        if args.profile:
            # AppTest runs each script run in a new thread: profile every one of them.
            threading.setprofile(lambda *_: _profile_thread(profiles))
        results: dict[str, list[float]] = {"search": [], "profile": [], "home": [], "cycle": []}
        for run_number in range(args.runs):
            customer_id, name = SAMPLE[(run_number + 1) % len(SAMPLE)]
            spent = _cycle(at, customer_id, name)
            for step, seconds in spent.items():
                results[step].append(seconds * 1000)
            results["cycle"].append(sum(spent.values()) * 1000)
        threading.setprofile(None)
        if args.profile and profiles:
            stats = pstats.Stats(profiles[0])
            for profile in profiles[1:]:
                stats.add(profile)
            stats.dump_stats(args.profile)

    print(f"{args.runs} cycles, database {path.name}")
    print("| step (server CPU) | median ms | max ms |")
    print("|---|---|---|")
    for step, values in results.items():
        print(f"| {step} | {statistics.median(values):,.0f} | {max(values):,.0f} |")
    if args.profile:
        print(f"profile: {args.profile} (python -m pstats {args.profile})")


if __name__ == "__main__":
    run()
