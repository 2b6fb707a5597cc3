"""`python -m ckm ...`: administration without a browser.

Passwords are read from standard input or prompted for, never taken as arguments (arguments
end up in shell history and process listings).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ckm import duplicates_cli, import_cli, jobs, logs
from ckm.backup import BackupError
from ckm.config import ConfigError, load_settings
from ckm.db import Store
from ckm.i18n import translate
from ckm.privacy_cli import add_privacy_commands
from ckm.services import users
from ckm.services.errors import CKMError
from ckm.services.permissions import SYSTEM


def _store(migrate: bool = True) -> Store:
    return Store.open(load_settings().database_url, run_migrations=migrate)


def _read_password(args: argparse.Namespace) -> str:
    """From stdin with --password-stdin (first line), else prompted twice on the terminal."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise CKMError("error.passwords_differ")
    return first


def _cmd_migrate(_args: argparse.Namespace) -> int:
    store = _store(migrate=True)
    print(f"Database is up to date ({store.engine.url.render_as_string(hide_password=True)}).")
    return 0


def _cmd_user_add(args: argparse.Namespace) -> int:
    password = _read_password(args)
    with _store().write() as session:
        info = users.create_user(
            session,
            actor=SYSTEM,
            username=args.username,
            display_name=args.name,
            password=password,
            role=args.role,
            email=args.email,
            language=args.language,
        )
    print(f"Added {info.username} ({info.role}).")
    return 0


def _cmd_user_list(_args: argparse.Namespace) -> int:
    with _store().read() as session:
        accounts = users.list_users(session, actor=SYSTEM)
    print(f"{'username':<24} {'role':<8} {'active':<7} display name")
    for account in accounts:
        active = "yes" if account.is_active else "no"
        print(f"{account.username:<24} {account.role:<8} {active:<7} {account.display_name}")
    return 0


def _cmd_user_set_role(args: argparse.Namespace) -> int:
    with _store().write() as session:
        info = users.set_role(session, actor=SYSTEM, username=args.username, role=args.role)
    print(f"{info.username} is now {info.role}.")
    return 0


def _cmd_user_reset_password(args: argparse.Namespace) -> int:
    password = _read_password(args)
    with _store().write() as session:
        users.reset_password(session, actor=SYSTEM, username=args.username, password=password)
    print(f"Password of {args.username} reset; their sessions have ended.")
    return 0


def _cmd_user_deactivate(args: argparse.Namespace) -> int:
    with _store().write() as session:
        users.set_active(session, actor=SYSTEM, username=args.username, active=False)
    print(f"{args.username} deactivated and signed out everywhere.")
    return 0


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from ckm.services import demo  # imported here: only this command needs the generator

    def report(fraction: float, stage: str) -> None:
        label = translate(stage, "en")
        print(f"\r{fraction:6.1%} {label:<40}", end="", file=sys.stderr, flush=True)

    store = _store()
    summary = demo.load_demo_data(
        store,
        customers=args.customers,
        orders=args.orders,
        notes=args.notes,
        seed=args.seed,
        progress=report,
    )
    print(file=sys.stderr)
    # New orders and customers: the worker brings the scores and quality figures up to date.
    from ckm.services.quality import request_quality_refresh

    jobs.request_score_refresh(store)
    request_quality_refresh(store)
    print(f"Demo data loaded: {summary}")
    return 0


def _cmd_score(_args: argparse.Namespace) -> int:
    from ckm.services import scoring

    summary = scoring.recalculate(_store(), actor=SYSTEM)
    print(f"Scores recalculated for {summary.customers} customers.")
    return 0


def _cmd_reindex(_args: argparse.Namespace) -> int:
    from ckm.services import notes, search

    with _store().write() as session:
        customers = search.rebuild_customer_index(session)
        pages = notes.rebuild_note_index(session)
    print(f"Search indexes rebuilt: {customers} customers, {pages} notes.")
    return 0


def _cmd_purge_trash(args: argparse.Namespace) -> int:
    from ckm.services import notes

    settings = load_settings()
    days = settings.trash_retention_days if args.older_than_days is None else args.older_than_days
    with _store().write() as session:
        purged = notes.purge_trash(session, actor=SYSTEM, older_than_days=days)
    print(f"Purged {purged} notes deleted more than {days} days ago.")
    return 0


def _cmd_worker(_args: argparse.Namespace) -> int:
    from ckm.jobs.runner import run_worker

    store = _store()
    print(
        f"Worker running on {store.engine.url.render_as_string(hide_password=True)}; "
        "Ctrl+C stops it after the job in hand.",
        file=sys.stderr,
    )
    run_worker(store)
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from ckm import backup

    manifest = backup.backup(_store(migrate=False), Path(args.file))
    tables = sum(manifest.row_counts.values())
    print(
        f"Backup written to {args.file} ({manifest.database}, schema {manifest.schema_revision}, "
        f"{tables} rows in {len(manifest.row_counts)} tables)."
    )
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from ckm import backup

    source = Path(args.file)
    manifest = backup.read_manifest(source)
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                "error: restore replaces the whole database; add --yes to confirm.", file=sys.stderr
            )
            return 1
        answer = input(
            f"Replace the database with the backup of {manifest.created_at} "
            f"(schema {manifest.schema_revision})? Type yes: "
        )
        if answer.strip().lower() != "yes":
            print("Nothing restored.")
            return 1
    backup.restore(load_settings().database_url, source)
    print(
        f"Restored {args.file}: integrity checked, {sum(manifest.row_counts.values())} rows "
        f"match the backup, schema migrated to this CKM's."
    )
    return 0


def _cmd_health(_args: argparse.Namespace) -> int:
    from ckm import health

    result = health.check(load_settings().database_url)
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of prompting",
    )


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface; `--help` on any command explains it."""
    parser = argparse.ArgumentParser(
        prog="python -m ckm",
        description="CKM administration. The database comes from CKM_DATABASE_URL "
        "(default: SQLite in data/ckm.db).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    migrate = commands.add_parser("migrate", help="apply database migrations (Alembic)")
    migrate.set_defaults(handler=_cmd_migrate)

    demo = commands.add_parser(
        "demo-data", help="fill an empty database with realistic bilingual demo data"
    )
    demo.add_argument("--customers", type=int, default=300, help="number of customers")
    demo.add_argument(
        "--orders", type=int, default=None, help="number of orders (default: ~12 per customer)"
    )
    demo.add_argument("--notes", type=int, default=None, help="number of notes")
    demo.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    demo.set_defaults(handler=_cmd_demo_data)

    score = commands.add_parser(
        "score", help="recalculate RFM segments, health and churn risk for every customer"
    )
    score.set_defaults(handler=_cmd_score)

    reindex = commands.add_parser(
        "reindex", help="rebuild the customer and notes search indexes (after a bulk load)"
    )
    reindex.set_defaults(handler=_cmd_reindex)

    purge = commands.add_parser(
        "purge-trash", help="permanently delete notes that have been in the trash too long"
    )
    purge.add_argument(
        "--older-than-days",
        type=int,
        default=None,
        help="default: CKM_TRASH_RETENTION_DAYS (30); 0 empties the whole trash",
    )
    purge.set_defaults(handler=_cmd_purge_trash)

    worker = commands.add_parser(
        "worker", help="run background jobs (score refresh, search catch-up, trash purge)"
    )
    worker.set_defaults(handler=_cmd_worker)

    backup = commands.add_parser(
        "backup", help="write a consistent backup of the database to FILE (safe while in use)"
    )
    backup.add_argument("file", help="the backup file to write (a .tar archive)")
    backup.set_defaults(handler=_cmd_backup)

    restore = commands.add_parser(
        "restore", help="replace the database with a backup FILE (stop the app and workers first)"
    )
    restore.add_argument("file", help="a file written by `backup`")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(handler=_cmd_restore)

    health = commands.add_parser(
        "health", help="check database, schema and worker; JSON out, exit 0 if healthy"
    )
    health.set_defaults(handler=_cmd_health)

    user = commands.add_parser("user", help="manage staff accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    add = user_commands.add_parser("add", help="add a user (password prompted or from stdin)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="display name, any script")
    add.add_argument("--role", default="viewer", choices=["viewer", "editor", "admin"])
    add.add_argument("--email", default=None)
    add.add_argument("--language", default="en", choices=["en", "fa"])
    _password_option(add)
    add.set_defaults(handler=_cmd_user_add)

    listing = user_commands.add_parser("list", help="list users")
    listing.set_defaults(handler=_cmd_user_list)

    set_role = user_commands.add_parser("set-role", help="change a user's role")
    set_role.add_argument("username")
    set_role.add_argument("role", choices=["viewer", "editor", "admin"])
    set_role.set_defaults(handler=_cmd_user_set_role)

    reset = user_commands.add_parser(
        "reset-password", help="set a new password and end the user's sessions"
    )
    reset.add_argument("username")
    _password_option(reset)
    reset.set_defaults(handler=_cmd_user_reset_password)

    deactivate = user_commands.add_parser("deactivate", help="block a user and end their sessions")
    deactivate.add_argument("username")
    deactivate.set_defaults(handler=_cmd_user_deactivate)
    add_privacy_commands(commands, _store)
    import_cli.register(commands)
    duplicates_cli.register(commands, _store)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; problems are printed as plain messages with exit code 1 or 2."""
    args = build_parser().parse_args(argv)
    logs.configure()
    try:
        return int(args.handler(args))
    except CKMError as problem:
        print(f"error: {translate(problem.key, 'en', **problem.values)}", file=sys.stderr)
        return 1
    except BackupError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    except ConfigError as problem:
        print(f"configuration error: {problem}", file=sys.stderr)
        return 2
