"""`python -m ckm privacy ...`: data-subject export, erasure and retention without a browser."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ckm.db import Store
from ckm.services.permissions import SYSTEM


def _export(args: argparse.Namespace, store: Callable[[], Store]) -> int:
    from ckm.services.privacy import export_subject

    with store().write() as session:
        data = export_subject(session, actor=SYSTEM, customer_id=args.customer_id)
    target = Path(args.file)
    # The file holds one person's data: readable by its owner only.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    print(f"Everything about customer {args.customer_id} written to {target} ({len(data)} bytes).")
    return 0


def _erase(args: argparse.Namespace, store: Callable[[], Store]) -> int:
    from ckm.services.privacy import erase_customer

    if not args.yes:
        answer = input(f"Erase customer {args.customer_id} for good? Type 'erase' to go on: ")
        if answer.strip().lower() != "erase":
            print("Nothing erased.", file=sys.stderr)
            return 1
    with store().write() as session:
        summary = erase_customer(
            session, actor=SYSTEM, customer_id=args.customer_id, reason=args.reason
        )
    print(
        f"Customer {args.customer_id} erased (reference {summary.ref}): "
        f"{summary.customers} record(s), {summary.contacts} contact(s), "
        f"{summary.touchpoints} touchpoint(s), {summary.notes} page(s) and "
        f"{summary.revisions} revision(s) rewritten, {summary.audit_rows} audit row(s) "
        f"anonymised, {summary.blocked} value(s) added to the block list."
    )
    return 0


def _retention(_args: argparse.Namespace, store: Callable[[], Store]) -> int:
    from ckm.services.privacy import run_retention

    summary = run_retention(store())
    print(
        f"Retention applied: {summary.touchpoints_deleted} touchpoint(s) and "
        f"{summary.audit_rows_deleted} audit row(s) deleted "
        f"(keep touchpoints {summary.policy.touchpoint_days or 'for ever'} days, "
        f"audit {summary.policy.audit_days or 'for ever'} days)."
    )
    return 0


def add_privacy_commands(
    commands: argparse._SubParsersAction,
    store: Callable[[], Store],
) -> None:
    """Register `privacy export|erase|retention` on the main parser's subcommands."""
    privacy = commands.add_parser("privacy", help="data-subject requests and retention")
    actions = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")

    export = actions.add_parser(
        "export", help="write everything CKM holds about one customer to a ZIP file"
    )
    export.add_argument("customer_id", type=int, metavar="ID")
    export.add_argument("file", metavar="FILE", help="the ZIP file to write")
    export.set_defaults(handler=lambda args: _export(args, store))

    erase = actions.add_parser(
        "erase",
        help="erase one customer for good (personal data replaced, email and phone blocked)",
    )
    erase.add_argument("customer_id", type=int, metavar="ID")
    erase.add_argument("--reason", required=True, help="why (kept in the audit log)")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(handler=lambda args: _erase(args, store))

    retention = actions.add_parser(
        "retention",
        help="delete touchpoints and audit rows older than CKM_TOUCHPOINT_RETENTION_DAYS / "
        "CKM_AUDIT_RETENTION_DAYS (0 = keep)",
    )
    retention.set_defaults(handler=lambda args: _retention(args, store))
