"""End-to-end fixtures: a real `streamlit run Home.py` and Debian's Chromium driven by Playwright.

No browser is downloaded: Playwright launches the system Chromium at /usr/bin/chromium (or
CKM_E2E_CHROMIUM). Without it the suite skips locally and fails under CI=true, because a
skipped browser suite in CI would hide a broken app.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# Screenshots go to a git-ignored folder; CKM_E2E_SCREENSHOTS=docs refreshes the README's.
SCREENSHOT_DIR = (
    REPO_ROOT / "docs" / "screenshots"
    if os.environ.get("CKM_E2E_SCREENSHOTS") == "docs"
    else REPO_ROOT / "tests" / "e2e" / "artifacts"
)
CHROMIUM = os.environ.get("CKM_E2E_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
START_TIMEOUT = 60.0
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:  # noqa: S310 - local URL
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def _serve(data_dir: Path) -> Iterator[RunningApp]:
    """Run `streamlit run Home.py` over an empty SQLite database in `data_dir` until exit."""
    _require_chromium()
    database_url = f"sqlite:///{data_dir / 'ckm.db'}"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CKM_", "STREAMLIT_"))
    }
    env.update(
        CKM_DATA_DIR=str(data_dir),
        CKM_DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    log_path = data_dir / "streamlit.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "Home.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    app = RunningApp(base_url, data_dir, database_url, log_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(base_url):
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode}:\n{app.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit not healthy after {START_TIMEOUT:.0f}s:\n{app.log_tail()}")
            time.sleep(0.3)
        yield app
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app shared by the browser tests; yields once /_stcore/health says ok."""
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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


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
