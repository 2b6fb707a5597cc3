"""End-to-end fixtures: a real `streamlit run serve.py` and Debian's Chromium driven by Playwright.

No browser is downloaded: Playwright launches the system Chromium at /usr/bin/chromium (or
CKM_E2E_CHROMIUM; see chromium.py). Without it the suite skips locally and fails under CI=true,
because a skipped browser suite in CI would hide a broken app. The server is started and
stopped by deploy/servers.py, the same code that runs the several-servers cluster.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy import servers
from deploy.servers import REPO_ROOT

from .chromium import CHROMIUM, CHROMIUM_ARGS, chromium_browser

# test_cluster.py and tests/bench/bench_browser.py import these names from here.
__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "REPO_ROOT", "RunningApp"]

# Screenshots go to a git-ignored folder; CKM_E2E_SCREENSHOTS=docs refreshes the README's.
SCREENSHOT_DIR = (
    REPO_ROOT / "docs" / "screenshots"
    if os.environ.get("CKM_E2E_SCREENSHOTS") == "docs"
    else REPO_ROOT / "tests" / "e2e" / "artifacts"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class RunningApp:
    """A `streamlit run` of this checkout, on its own port, data folder and SQLite file."""

    base_url: str
    data_dir: Path
    database_url: str
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


def _require_chromium() -> None:
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return
    message = (
        f"Chromium not found at {CHROMIUM} (install Debian's package: apt-get install chromium)"
    )
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def _serve(data_dir: Path) -> Iterator[RunningApp]:
    """Run `streamlit run serve.py` over an empty SQLite database in `data_dir` until exit."""
    _require_chromium()
    database_url = f"sqlite:///{data_dir / 'ckm.db'}"
    port = servers.free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = servers.app_environment(CKM_DATA_DIR=str(data_dir), CKM_DATABASE_URL=database_url)
    log_path = data_dir / "streamlit.log"
    process = servers.spawn(servers.streamlit_command(port), env, log_path)
    app = RunningApp(base_url, data_dir, database_url, log_path)
    try:
        try:
            servers.wait_until_ready(
                lambda: servers.healthy(base_url), [process], timeout=START_TIMEOUT
            )
        except servers.ServerNotReady as problem:
            pytest.fail(f"streamlit: {problem}:\n{app.log_tail()}")
        yield app
    finally:
        servers.stop(process)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app shared by the browser tests; yields once /api/health says it can serve."""
    with _serve(tmp_path_factory.mktemp("ckm-e2e-data")) as app:
        yield app


@pytest.fixture
def fresh_app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """An app of its own over an empty database, for journeys that start at first-run setup
    (the shared one may already have users, whatever order the tests run in)."""
    with _serve(tmp_path_factory.mktemp("ckm-e2e-fresh")) as app:
        yield app


@pytest.fixture(scope="session")
def browser(app_server: RunningApp) -> Iterator[object]:
    """Debian's Chromium, headless, launched by Playwright (never a downloaded browser)."""
    with chromium_browser() as launched:
        yield launched


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Attach the tail of the server log to a failing e2e test's report."""
    report = yield
    app = getattr(item, "funcargs", {}).get("app_server")
    if report.failed and isinstance(app, RunningApp):
        report.sections.append(("streamlit log (tail)", app.log_tail()))
    return report
