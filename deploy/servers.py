"""Starting and stopping `streamlit run` app servers on loopback: the one copy of it.

Used by `deploy/cluster.py` (several servers behind HAProxy), the browser tests'
`tests/e2e/conftest.py` (one server over a throwaway SQLite file) and the benchmarks. Standard
library only, and nothing from `ckm`: a server is started as a separate process, so this module
works before CKM's requirements are importable and never loads the app into the caller.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class ServerNotReady(RuntimeError):
    """A server exited, or did not answer its health check in time (the message says which)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthy(base_url: str, *, insecure_tls: bool = False) -> bool:
    """True when the CKM server at `base_url` says it can serve: `GET /api/health` answers 200
    (its database reachable at the current schema; see serve.py and ckm/health.py).

    `insecure_tls` accepts a self-signed certificate (our own, made by `deploy/cluster.py`).
    """
    context = ssl._create_unverified_context() if insecure_tls else None  # noqa: S323 - our own self-signed certificate
    try:
        with urllib.request.urlopen(  # noqa: S310 - loopback URL
            f"{base_url}/api/health", timeout=5, context=context
        ) as response:
            return bool(response.status == 200 and json.loads(response.read())["serving"])
    except (urllib.error.URLError, OSError, ValueError, KeyError):
        return False


def app_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any CKM_ or STREAMLIT_ setting, plus `settings`.

    A server started for a test or a trial must not pick up the caller's database or keys.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CKM_", "STREAMLIT_"))}
    env.update(settings, PYTHONUNBUFFERED="1")
    return env


def streamlit_command(port: int, script: str | Path = "serve.py") -> list[str]:
    """`streamlit run script` on 127.0.0.1:`port`, headless, without usage statistics."""
    return [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


def spawn(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start `command` in the repository root, in its own process group, output to `log_path`."""
    with log_path.open("wb") as log:
        return subprocess.Popen(  # noqa: S603 - our own commands
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a spawned process and its children: SIGTERM, then SIGKILL after 10 seconds."""
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


def wait_until_ready(
    ready: Callable[[], bool],
    processes: Iterable[subprocess.Popen[bytes]],
    *,
    timeout: float,
    interval: float = 0.3,
) -> None:
    """Poll `ready()` until it is true; raise `ServerNotReady` if a process exits first or
    `timeout` seconds pass (the caller adds its logs to the message)."""
    watched = list(processes)
    deadline = time.monotonic() + timeout
    while not ready():
        dead = [process for process in watched if process.poll() is not None]
        if dead:
            codes = ", ".join(str(process.returncode) for process in dead)
            raise ServerNotReady(f"a server exited (code {codes}) before it was healthy")
        if time.monotonic() > deadline:
            raise ServerNotReady(f"not healthy after {timeout:.0f}s")
        time.sleep(interval)
