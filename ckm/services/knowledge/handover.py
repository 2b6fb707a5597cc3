"""The handover pack of an employee who leaves or changes role, and the bulk reassignment.

The pack lists the customers the person owns or knows (those only they know first, then by
revenue): what we still don't know about each, open complaints and promised next steps, their
notes that are stale or never checked, key contacts (name and role only: the pack is shared,
contact details stay on the profile behind its privacy rules), and at-risk customers. It is
built from the newest knowledge run plus a bounded number of small look-ups (at most
PACK_CUSTOMERS customers).

`reassign` moves the person's customers to a colleague in one audited transaction, with the
checking (verification) of the person's notes about those customers, and asks for a
knowledge refresh in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from ckm.i18n import format_date, format_money, format_number, isolate, translate
from ckm.models import (
    Contact,
    Customer,
    CustomerScore,
    KnowledgeCoverage,
    KnowledgeDegree,
    Note,
    NoteCustomerLink,
    Touchpoint,
    User,
    utc_now,
)
from ckm.services import audit
from ckm.services.documents import Block, render_markdown, render_pdf
from ckm.services.errors import NotFound, ValidationFailed
from ckm.services.knowledge import rules
from ckm.services.knowledge.read import require_manager
from ckm.services.knowledge.refresh import latest_finished, queue_knowledge_refresh
from ckm.services.notes.verification import AUDIT_IDS, VERIFIER_ROLES
from ckm.services.permissions import Actor

PACK_CUSTOMERS = 200
ITEMS_PER_CUSTOMER = 5
REASSIGNED = "customers_reassigned"
NOTE_BATCH = 500
_OPEN_TASK = re.compile(r"^\s*[-*+]\s+\[ \]\s+(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class HandoverCustomer:
    customer_id: int
    name: str
    owned: bool
    only_they_know: bool
    coverage: int
    missing: tuple[str, ...]
    currency: str | None
    revenue_12m: Decimal
    at_risk: bool
    open_complaints: tuple[str, ...] = ()
    promises: tuple[str, ...] = ()
    stale_notes: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class HandoverPack:
    username: str
    display_name: str
    as_of: date | None
    owned: int
    only_they_know: int
    customers: list[HandoverCustomer] = field(default_factory=list)
    truncated: bool = False


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("error.user_not_found", username=username)
    return user


def handover_pack(session: Session, *, actor: Actor, username: str) -> HandoverPack:
    """What a colleague taking over from `username` needs to know (managers only)."""
    require_manager(actor)
    person = _user(session, username)
    run = latest_finished(session)
    knows: set[int] = set()
    sole: set[int] = set()
    coverage: dict[int, KnowledgeCoverage] = {}
    if run is not None:
        knows = set(
            session.scalars(
                select(KnowledgeDegree.customer_id).where(
                    KnowledgeDegree.run_id == run.id,
                    KnowledgeDegree.person == username,
                    KnowledgeDegree.knows.is_(True),
                )
            )
        )
    live = (Customer.deleted_at.is_(None), Customer.merged_into_id.is_(None))
    owned = set(session.scalars(select(Customer.id).where(Customer.owner_id == person.id, *live)))
    ids = owned | knows
    if run is not None and ids:
        for row in session.scalars(
            select(KnowledgeCoverage).where(
                KnowledgeCoverage.run_id == run.id,
                KnowledgeCoverage.customer_id.in_(sorted(ids)),
            )
        ):
            coverage[row.customer_id] = row
            if row.sole_knower == username:
                sole.add(row.customer_id)

    def rank(customer_id: int) -> tuple[int, Decimal, int]:
        row = coverage.get(customer_id)
        revenue = row.revenue_12m if row else Decimal(0)
        return (0 if customer_id in sole else 1, -revenue, customer_id)

    chosen = sorted(ids, key=rank)[:PACK_CUSTOMERS]
    names = dict(
        session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(chosen))).all()
    )
    churn = set(
        session.scalars(
            select(CustomerScore.customer_id).where(
                CustomerScore.customer_id.in_(chosen), CustomerScore.churn_risk.is_(True)
            )
        )
    )
    complaints = _grouped(
        session.execute(
            select(Touchpoint.customer_id, Touchpoint.summary)
            .where(
                Touchpoint.customer_id.in_(chosen),
                Touchpoint.is_complaint.is_(True),
                Touchpoint.resolved_at.is_(None),
            )
            .order_by(Touchpoint.occurred_at.desc())
        ).all()
    )
    stale_before = utc_now() - timedelta(days=rules.STALE_DAYS)
    note_rows = session.execute(
        select(NoteCustomerLink.customer_id, Note.title, Note.body, Note.last_verified_at)
        .join(Note, Note.id == NoteCustomerLink.note_id)
        .where(
            NoteCustomerLink.customer_id.in_(chosen),
            Note.deleted_at.is_(None),
            or_(Note.author == username, Note.updated_by == username),
        )
        .order_by(Note.updated_at.desc())
    ).all()
    stale = _grouped(
        [
            (cid, title)
            for cid, title, _body, verified in note_rows
            if verified is None or verified < stale_before
        ]
    )
    promises = _grouped(
        [
            (cid, " ".join(match.group(1).split()))
            for cid, _title, body, _verified in note_rows
            for match in _OPEN_TASK.finditer(body or "")
        ]
    )
    contacts = _grouped(
        [
            (cid, f"{name} ({title})" if title else name)
            for cid, name, title in session.execute(
                select(Contact.customer_id, Contact.name, Contact.title)
                .where(Contact.customer_id.in_(chosen))
                .order_by(Contact.is_primary.desc(), Contact.id)
            )
        ]
    )
    customers = []
    for customer_id in chosen:
        found = coverage.get(customer_id)
        score = found.coverage if found else 0
        customers.append(
            HandoverCustomer(
                customer_id=customer_id,
                name=names.get(customer_id, ""),
                owned=customer_id in owned,
                only_they_know=customer_id in sole,
                coverage=score,
                missing=tuple(
                    item.key for item in rules.missing_items(found.passed if found else 0)
                ),
                currency=found.currency if found else None,
                revenue_12m=found.revenue_12m if found else Decimal(0),
                at_risk=customer_id in churn or (found is not None and score < rules.LOW_COVERAGE),
                open_complaints=complaints.get(customer_id, ()),
                promises=promises.get(customer_id, ()),
                stale_notes=stale.get(customer_id, ()),
                contacts=contacts.get(customer_id, ()),
            )
        )
    return HandoverPack(
        username=username,
        display_name=person.display_name,
        as_of=run.as_of if run else None,
        owned=len(owned),
        only_they_know=len(sole),
        customers=customers,
        truncated=len(ids) > PACK_CUSTOMERS,
    )


def _grouped(rows: Iterable[Any]) -> dict[int, tuple[str, ...]]:
    """(customer id, text) rows as up to ITEMS_PER_CUSTOMER texts per customer."""
    out: dict[int, list[str]] = {}
    for customer_id, text in rows:
        items = out.setdefault(int(customer_id), [])
        if len(items) < ITEMS_PER_CUSTOMER and text:
            items.append(str(text))
    return {key: tuple(value) for key, value in out.items()}


@dataclass(frozen=True)
class Reassignment:
    customers: int
    from_username: str
    to_username: str
    # Notes about the moved customers that the colleague now keeps true (verifies).
    notes: int = 0


def _handed_notes(session: Session, moved_customers: Any, leaving: str) -> list[int]:
    """Notes linked to the moved customers whose verifier is `leaving`: named, or unset (or
    empty) with `leaving` as the author. Trashed notes too, so a restored one is not left
    with someone who has gone. Led by ix_note_customer_links_customer_id."""
    linked = select(NoteCustomerLink.note_id).where(
        NoteCustomerLink.customer_id.in_(moved_customers)
    )
    return list(
        session.scalars(
            select(Note.id)
            .where(
                Note.id.in_(linked),
                or_(
                    Note.verifier == leaving,
                    and_(
                        or_(Note.verifier.is_(None), Note.verifier == ""),
                        Note.author == leaving,
                    ),
                ),
            )
            .order_by(Note.id)
        )
    )


def reassign(
    session: Session,
    *,
    actor: Actor,
    from_username: str,
    to_username: str,
    customer_ids: list[int] | None = None,
) -> Reassignment:
    """Move the owner of `from_username`'s customers (all, or `customer_ids` among them) to
    `to_username`, in the caller's transaction: audited, and a knowledge refresh is asked
    for. The colleague must be an active editor or admin other than the one leaving.

    The notes about the moved customers that the leaving person keeps true (they are the
    verifier, or the author of a note with no verifier set) get the colleague as verifier in
    the same transaction; notes about other customers stay with them."""
    require_manager(actor)
    source = _user(session, from_username)
    target = _user(session, to_username)
    if target.id == source.id or not target.is_active or target.role not in VERIFIER_ROLES:
        raise ValidationFailed("error.knowledge_reassign_target", username=to_username)
    condition = [
        Customer.owner_id == source.id,
        Customer.deleted_at.is_(None),
        Customer.merged_into_id.is_(None),
    ]
    if customer_ids is not None:
        condition.append(Customer.id.in_(sorted({int(c) for c in customer_ids})))
    moved = list(session.scalars(select(Customer.id).where(*condition).order_by(Customer.id)))
    # Found before the owners change: the same customers as `moved`, as a subquery (no
    # list of thousands of ids in one statement).
    notes = (
        _handed_notes(session, select(Customer.id).where(*condition), source.username)
        if moved
        else []
    )
    for start in range(0, len(notes), NOTE_BATCH):
        session.execute(
            update(Note)
            .where(Note.id.in_(notes[start : start + NOTE_BATCH]))
            .values(verifier=target.username)
            .execution_options(synchronize_session=False)
        )
    if moved:
        # Core UPDATE: bump the optimistic-lock version ourselves, so an edit begun before
        # the move is refused as stale instead of silently undoing it.
        session.execute(
            update(Customer)
            .where(Customer.id.in_(moved))
            .values(
                owner_id=target.id,
                version=Customer.version + 1,
                updated_at=utc_now(),
                updated_by=actor.username,
            )
            .execution_options(synchronize_session=False)
        )
    audit.record(
        session,
        actor=actor.username,
        action=REASSIGNED,
        target=audit.user_target(from_username),
        details={
            "to": to_username,
            "customers": len(moved),
            "customer_ids": moved[:200],
            "notes": len(notes),
            "note_ids": notes[:AUDIT_IDS],
        },
    )
    queue_knowledge_refresh(session, reason=REASSIGNED)
    return Reassignment(len(moved), from_username, to_username, len(notes))


def count_owned(session: Session, username: str) -> int:
    """How many live customers `username` owns (for the page's confirmation)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Customer)
            .join(User, User.id == Customer.owner_id)
            .where(
                User.username == username,
                Customer.deleted_at.is_(None),
                Customer.merged_into_id.is_(None),
            )
        )
        or 0
    )


# --------------------------------------------------------------------------- the document


def handover_blocks(pack: HandoverPack, *, language: str, calendar: str) -> list[Block]:
    """The pack as document blocks in `language` (user text isolated, not escaped)."""

    def t(key: str, **values: object) -> str:
        return translate(key, language, **values)

    def money(amount: Decimal, currency: str | None) -> str:
        return format_money(amount, currency, language) if currency and amount else "—"

    blocks = [
        Block("title", t("knowledge.pack.title", name=isolate(pack.display_name))),
        Block(
            "meta",
            t("knowledge.pack.as_of", day=format_date(pack.as_of, language, calendar))
            if pack.as_of
            else t("knowledge.pack.not_measured"),
        ),
        Block(
            "meta",
            t(
                "knowledge.pack.summary",
                owned=format_number(pack.owned, language),
                sole=format_number(pack.only_they_know, language),
            ),
        ),
    ]
    if pack.truncated:
        blocks.append(Block("meta", t("knowledge.pack.truncated", count=PACK_CUSTOMERS)))
    for customer in pack.customers:
        blocks.append(Block("heading", isolate(customer.name)))
        flags = []
        if customer.only_they_know:
            flags.append(t("knowledge.pack.only_they_know"))
        if customer.owned:
            flags.append(t("knowledge.pack.owned"))
        if customer.at_risk:
            flags.append(t("knowledge.pack.at_risk"))
        if flags:
            blocks.append(Block("meta", t("list.dot").join(flags)))
        blocks.append(
            Block(
                "field",
                format_number(customer.coverage, language),
                t("knowledge.pack.coverage"),
            )
        )
        blocks.append(
            Block(
                "field", money(customer.revenue_12m, customer.currency), t("knowledge.pack.revenue")
            )
        )
        sections = (
            ("knowledge.pack.missing", [t(f"knowledge.check.{key}") for key in customer.missing]),
            ("knowledge.pack.complaints", [isolate(x) for x in customer.open_complaints]),
            ("knowledge.pack.promises", [isolate(x) for x in customer.promises]),
            ("knowledge.pack.stale", [isolate(x) for x in customer.stale_notes]),
            ("knowledge.pack.contacts", [isolate(x) for x in customer.contacts]),
        )
        for key, items in sections:
            if items:
                blocks.append(Block("subheading", t(key)))
                blocks += [Block("item", item) for item in items]
    return blocks


def handover_markdown(pack: HandoverPack, *, language: str, calendar: str) -> str:
    return render_markdown(handover_blocks(pack, language=language, calendar=calendar))


def handover_pdf(pack: HandoverPack, *, language: str, calendar: str) -> bytes:
    return render_pdf(
        handover_blocks(pack, language=language, calendar=calendar),
        title=translate("knowledge.pack.title", language, name=pack.display_name),
        language=language,
    )


@dataclass(frozen=True)
class Candidate:
    """Someone a handover pack can be made for: they own or know customers."""

    username: str
    display_name: str
    active: bool
    owned: int


def handover_candidates(session: Session, *, actor: Actor) -> list[Candidate]:
    """Users who own live customers or know some (as of the newest run), most owned first;
    people who have left are included: their accounts are the first to hand over."""
    require_manager(actor)
    owned = dict(
        session.execute(
            select(Customer.owner_id, func.count())
            .where(
                Customer.owner_id.is_not(None),
                Customer.deleted_at.is_(None),
                Customer.merged_into_id.is_(None),
            )
            .group_by(Customer.owner_id)
        ).all()
    )
    run = latest_finished(session)
    knowing: set[str] = set()
    if run is not None:
        knowing = set(
            session.scalars(
                select(KnowledgeDegree.person)
                .where(KnowledgeDegree.run_id == run.id, KnowledgeDegree.knows.is_(True))
                .distinct()
            )
        )
    people = [
        Candidate(user.username, user.display_name, user.is_active, int(owned.get(user.id, 0)))
        for user in session.scalars(select(User).order_by(User.username))
        if owned.get(user.id) or user.username in knowing
    ]
    return sorted(people, key=lambda c: (-c.owned, c.username))


def colleagues(session: Session, *, actor: Actor, leaving: str) -> list[Candidate]:
    """Active users who can take over from `leaving` (editors and admins)."""
    require_manager(actor)
    return [
        Candidate(user.username, user.display_name, True, 0)
        for user in session.scalars(
            select(User)
            .where(
                User.is_active.is_(True),
                User.username != leaving,
                User.role.in_(["editor", "admin"]),
            )
            .order_by(User.display_name)
        )
    ]
