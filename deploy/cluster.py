"""Start CKM as several app servers behind HAProxy on this machine, for trials and load tests.

    python deploy/cluster.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ckm \
        --servers 2 --https-port 8443

What it does, in order: applies the migrations once (so the servers do not race each other),
makes one cookie-signing key shared by every server (kept in the work folder, owner-only), makes
a self-signed TLS certificate for 127.0.0.1, starts N `streamlit run serve.py` processes on
loopback ports, writes an HAProxy configuration from `deploy/haproxy/ckm.cfg.template` and runs
HAProxy in the foreground of this script. Ctrl-C stops everything. Only loopback addresses are
used. A real deployment uses the same template with its own certificate and addresses.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import os
import re
import secrets
import signal
import string
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

if not __package__:  # run as a script (python deploy/cluster.py): make `deploy` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.servers import (
    REPO_ROOT,
    ServerNotReady,
    app_environment,
    free_port,
    healthy,
    spawn,
    stop,
    streamlit_command,
    wait_until_ready,
)

TEMPLATE = REPO_ROOT / "deploy" / "haproxy" / "ckm.cfg.template"
HAPROXY = os.environ.get("CKM_HAPROXY", "/usr/sbin/haproxy")
START_TIMEOUT = 90.0


def _package_dir(name: str) -> Path:
    """Where an installed package lives, without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{name} is not installed")
    return Path(spec.origin).parent


def inline_script_hashes() -> list[str]:
    """CSP hashes of the inline scripts in the pages the browser loads from the app servers.

    Streamlit's page carries a small inline script; allowing exactly its hashes (rather than
    'unsafe-inline') keeps every other inline script blocked. Computed from the installed
    version, so an upgrade cannot silently break the page. CKM draws no component frame (the
    login cookie is set by the server, not by extra-streamlit-components' cookie manager), so
    no frame's inline script is allowed either.
    """
    import streamlit

    page = Path(streamlit.__file__).parent / "static" / "index.html"
    hashes: list[str] = []
    for body in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page.read_text(), re.S):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return sorted(set(hashes))


def content_security_policy() -> str:
    """The policy HAProxy sends: this origin only, no framing by other sites.

    Streamlit's front end injects its styles at run time (emotion), draws charts and images
    from blob:/data: URLs and frames its own components from this origin.
    """
    scripts = " ".join(["'self'", *inline_script_hashes()])
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "frame-src 'self' blob: data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        )
    )


def _owner_only_file(path: Path, content: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)


def make_certificate(folder: Path) -> Path:
    """A self-signed certificate and key for 127.0.0.1/localhost, as one PEM for HAProxy."""
    pem = folder / "ckm.pem"
    if pem.exists():
        return pem
    key, cert = folder / "tls.key", folder / "tls.crt"
    subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607 - the distribution's openssl
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    _owner_only_file(pem, cert.read_text() + key.read_text())
    key.unlink()
    return pem


def shared_cookie_key(folder: Path) -> str:
    """The one cookie key every server signs and checks logins with."""
    explicit = os.environ.get("CKM_COOKIE_KEY")
    if explicit:
        return explicit
    key_file = folder / "cookie_key"
    if not key_file.exists():
        _owner_only_file(key_file, secrets.token_urlsafe(48))
    return key_file.read_text(encoding="utf-8").strip()


def render_haproxy_config(
    *, https_port: int, http_port: int, certificate: Path, app_ports: list[int]
) -> str:
    """The HAProxy configuration for these ports, from the shipped template."""
    servers = "\n".join(
        f"    server app{number} 127.0.0.1:{port} cookie app{number}"
        for number, port in enumerate(app_ports, start=1)
    )
    return string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        bind_address="127.0.0.1",
        https_port=https_port,
        http_port=http_port,
        certificate=certificate,
        content_security_policy=content_security_policy(),
        servers=servers,
    )


@dataclass
class Cluster:
    """A running set of app servers and their load balancer."""

    url: str
    app_urls: list[str]
    folder: Path
    database_url: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def log(self, name: str, lines: int = 40) -> str:
        path = self.folder / f"{name}.log"
        try:
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return f"(no {name}.log)"


@contextmanager
def run_cluster(
    database_url: str,
    folder: Path,
    *,
    servers: int = 2,
    https_port: int | None = None,
    http_port: int | None = None,
) -> Iterator[Cluster]:
    """Run `servers` app servers behind HAProxy until the block exits."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    cookie_key = shared_cookie_key(folder)
    certificate = make_certificate(folder)
    env = app_environment(
        CKM_DATABASE_URL=database_url, CKM_COOKIE_KEY=cookie_key, CKM_DATA_DIR=str(folder)
    )
    subprocess.run([sys.executable, "-m", "ckm", "migrate"], cwd=REPO_ROOT, env=env, check=True)
    app_ports = [free_port() for _ in range(servers)]
    https_port = https_port or free_port()
    http_port = http_port or free_port()
    cluster = Cluster(
        url=f"https://127.0.0.1:{https_port}",
        app_urls=[f"http://127.0.0.1:{port}" for port in app_ports],
        folder=folder,
        database_url=database_url,
    )
    try:
        for number, port in enumerate(app_ports, start=1):
            server_dir = folder / f"app{number}"
            server_dir.mkdir(exist_ok=True, mode=0o700)
            cluster.processes.append(
                spawn(
                    streamlit_command(port),
                    env | {"CKM_DATA_DIR": str(server_dir)},
                    folder / f"app{number}.log",
                )
            )
        config = folder / "haproxy.cfg"
        config.write_text(
            render_haproxy_config(
                https_port=https_port,
                http_port=http_port,
                certificate=certificate,
                app_ports=app_ports,
            ),
            encoding="utf-8",
        )
        subprocess.run([HAPROXY, "-c", "-q", "-f", str(config)], check=True)  # noqa: S603
        cluster.processes.append(
            spawn([HAPROXY, "-db", "-f", str(config)], env, folder / "haproxy.log")
        )
        try:
            wait_until_ready(
                lambda: (
                    all(healthy(url) for url in cluster.app_urls)
                    and healthy(cluster.url, insecure_tls=True)
                ),
                cluster.processes,
                timeout=START_TIMEOUT,
                interval=0.5,
            )
        except ServerNotReady as problem:
            names = ["haproxy", *[f"app{number}" for number in range(1, servers + 1)]]
            logs = "\n".join(cluster.log(name) for name in names)
            raise RuntimeError(f"the cluster did not become healthy ({problem}):\n{logs}") from None
        yield cluster
    finally:
        for process in reversed(cluster.processes):
            stop(process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("CKM_DATABASE_URL"), required=False
    )
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--https-port", type=int, default=8443)
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument("--folder", type=Path, default=REPO_ROOT / "data" / "cluster")
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgresql"):
        parser.error(
            "several app servers need a shared PostgreSQL: pass --database-url postgresql+psycopg://…"
        )
    with run_cluster(
        args.database_url,
        args.folder,
        servers=args.servers,
        https_port=args.https_port,
        http_port=args.http_port,
    ) as cluster:
        print(f"CKM is up at {cluster.url} (self-signed certificate) over {args.servers} servers:")
        for url in cluster.app_urls:
            print(f"  {url}")
        print("Ctrl-C stops everything.")
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
