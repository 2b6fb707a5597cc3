"""Writers of rows that belong to a customer: orders, contacts and touchpoints.

Each row first finds its customer (by external id, then email, then phone; merged customers
lead to the one they were merged into), then is classified against the rows already stored.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Table, and_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from ckm.models import Contact, Customer, Order, Touchpoint
from ckm.services.importing.bulk import BindRow, insert_tuples, matching, update_rows
from ckm.services.importing.parsing import CellProblem, parse_email, parse_phone
from ckm.services.importing.validate import Problem, Record, RowError
from ckm.services.importing.writers.base import Writer, _fetch, _of_type, before_json
from ckm.sql_typing import as_int, table_of
from ckm.text import normalise


def _live_customer_refs(
    session: Session, column: InstrumentedAttribute[str | None], values: list[str]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(values), 5000):
        part = values[start : start + 5000]
        rows = session.execute(
            select(column, Customer.id, Customer.merged_into_id, Customer.deleted_at).where(
                matching(session, column, part)
            )
        ).all()
        for value, customer_id, merged_into, deleted_at in sorted(rows, key=lambda row: row[1]):
            # `IN` never matches NULL, so `value` is set; the test narrows the type.
            if deleted_at is None and value is not None:
                found.setdefault(value, merged_into or customer_id)
    return found


class CustomerRefs:
    """Finds the customer a child row belongs to: by external id, then email, then phone."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[str, int | None] = {}

    def resolve(self, refs: Iterable[str]) -> dict[str, int | None]:
        missing = sorted(set(refs).difference(self.cache))
        if missing:
            found = _live_customer_refs(self.session, Customer.external_id, missing)
            rest = [ref for ref in missing if ref not in found]
            emails: dict[str, str] = {}
            phones: dict[str, str] = {}
            for ref in rest:
                try:
                    if "@" in ref:
                        emails[parse_email(ref) or ""] = ref
                    else:
                        phones[parse_phone(ref) or ""] = ref
                except CellProblem:
                    continue
            for by_email, customer_id in _live_customer_refs(
                self.session, Customer.email, list(emails)
            ).items():
                found.setdefault(emails[by_email], customer_id)
            for by_phone, customer_id in _live_customer_refs(
                self.session, Customer.phone, list(phones)
            ).items():
                found.setdefault(phones[by_phone], customer_id)
            for ref in missing:
                self.cache[ref] = found.get(ref)
        return self.cache


_SHADOW_IDS = 1 << 62


@dataclass
class ChildWriter(Writer):
    """Contacts, orders and touchpoints: each row first needs its customer."""

    refs: CustomerRefs | None = None
    # Dry run only, for writers that set it: rows the run would have added or changed, by id
    # (added ones get ids from _SHADOW_IDS up, after every stored row as in a real run).
    shadow: dict[int, dict[str, object]] | None = None

    def resolve(self, records: list[Record]) -> tuple[list[Record], list[RowError]]:
        if self.refs is None:
            self.refs = CustomerRefs(self.session)
        self.refs.session = self.session  # a chunk may come with a session of its own
        refs = [str(record.values["customer_ref"]) for record in records]
        found = list(map(self.refs.resolve(refs).get, refs))
        if None not in found:  # every customer known (nearly every chunk of a large file)
            for record, customer_id in zip(records, found, strict=True):
                record.values["customer_id"] = customer_id
            return records, []
        kept: list[Record] = []
        errors: list[RowError] = []
        for record, customer_id in zip(records, found, strict=True):
            if customer_id is None:
                errors.append(
                    RowError(
                        record.line,
                        record.raw,
                        [
                            Problem(
                                self._ref_header(),
                                "import.problem.customer_unknown",
                                {"value": record.values["customer_ref"]},
                            )
                        ],
                    )
                )
                continue
            record.values["customer_id"] = customer_id
            kept.append(record)
        self.counts.rejected += len(errors)
        return kept, errors

    def _ref_header(self) -> str:
        for header, target in self.settings.mapping.items():
            if target == "customer_ref":
                return header
        return ""

    def apply(
        self,
        table: Table,
        entity: str,
        fields: tuple[str, ...],
        records: list[Record],
        existing: dict[Hashable, dict[str, object]],
        key_of: Callable[[dict[str, object]], Hashable],
        fixed: dict[str, object],
    ) -> list[RowError]:
        """Classify and write records against `existing` rows (by key)."""
        errors: list[RowError] = []
        # New rows as tuples (`fields` then `fixed`): a million orders build no dict per row.
        inserts: list[tuple[object, ...]] = []
        insert_lines: list[int] = []
        updates: list[BindRow] = []
        changes: list[BindRow] = []
        compared = [name for name in fields if name in self.mapped or name == "customer_id"]
        constants = tuple(fixed.values())
        seen, existing_row = self.seen, existing.get
        for record in records:
            values = record.values
            key = key_of(values)
            digest = hash(key)  # as `first_seen`, inlined: it runs once per row of the file
            earlier = seen.get(digest)
            if earlier is not None:
                errors.append(self.duplicate(record, earlier))
                continue
            seen[digest] = record.line
            row = existing_row(key)
            if row is None:
                inserts.append((*map(values.get, fields), *constants))
                insert_lines.append(record.line)
                continue
            diff = {
                name: values[name]
                for name in compared
                if values.get(name) is not None and values[name] != row[name]
            }
            if not diff:
                self.counts.unchanged += 1
                continue
            self.counts.updated += 1
            before = {name: row[name] for name in diff}
            changes.append(
                self.change(entity, as_int(row["id"]), "update", record.line, before_json(before))
            )
            updates.append({"id": row["id"], **diff})
        self.counts.new += len(inserts)
        # Updates may change different columns per row: group rows by their column set.
        groups: dict[tuple[str, ...], list[BindRow]] = {}
        for update in updates:
            groups.setdefault(tuple(update), []).append(update)
        columns = (*fields, *fixed)
        if self.dry_run:
            self.remember(columns, inserts, groups.values())
            return errors

        def write(session: Session) -> None:
            new_ids = insert_tuples(session, table, columns, inserts)
            for rows in groups.values():
                update_rows(session, table, rows)
            self.save_changes(changes + self.inserted(entity, new_ids, insert_lines), session)

        self.write_later(write)
        return errors

    def remember(
        self,
        columns: tuple[str, ...],
        inserts: list[tuple[object, ...]],
        updates: Iterable[list[BindRow]],
    ) -> None:
        """A dry run writes nothing, so what it would have written is kept here (`shadow`)
        for a writer whose later chunks can meet the same rows again by another key."""
        if self.shadow is None:
            return
        for values in inserts:
            self.shadow[_SHADOW_IDS + len(self.shadow)] = dict(zip(columns, values, strict=True))
        for rows in updates:
            for row in rows:
                stored = self.shadow.setdefault(as_int(row["id"]), {})
                stored.update({name: value for name, value in row.items() if name != "id"})

    def with_shadow(
        self, rows: list[dict[str, object]], customers: set[int]
    ) -> list[dict[str, object]]:
        """Stored rows as a real run would find them after its earlier chunks (dry run)."""
        if not self.shadow:
            return rows
        seen = [{**row, **self.shadow.get(as_int(row["id"]), {})} for row in rows]
        added = [
            {**values, "id": row_id}
            for row_id, values in self.shadow.items()
            if row_id >= _SHADOW_IDS and values["customer_id"] in customers
        ]
        return seen + added


@dataclass
class OrderWriter(ChildWriter):
    FIELDS = (
        "customer_id",
        "external_id",
        "ordered_on",
        "amount",
        "currency",
        "product",
        "category",
        "channel",
    )

    def key(self, values: dict[str, object]) -> Hashable:
        if values.get("external_id"):
            return ("x", values["external_id"])
        return (
            "n",
            values["customer_id"],
            values["ordered_on"],
            values["amount"],
            values.get("currency"),
            values.get("product"),
        )

    def indexes_table(self) -> str | None:
        # Orders are found again by their number: the indexes by customer and day are read
        # only for orders without one (`need_indexes` below).
        return "orders" if "external_id" in self.mapped else None

    def write(self, records: list[Record]) -> list[RowError]:
        records, errors = self.resolve(records)
        if not records:
            return errors
        table = table_of(Order)
        currency = self.settings.currency or "IRR"
        external: list[str] = []
        plain: list[Record] = []
        for record in records:  # one pass: these loops run once per order of the file
            values = record.values
            values.setdefault("currency", currency)
            number = values.get("external_id")
            if number:
                external.append(str(number))
            else:
                plain.append(record)
        rows: list[dict[str, object]] = []
        for start in range(0, len(external), 5000):
            rows += _fetch(
                self.session,
                table,
                self.FIELDS,
                matching(self.session, table.c.external_id, external[start : start + 5000]),
            )
        if plain:
            self.need_indexes()  # found by customer and day: that index must be there
            customers = sorted({as_int(r.values["customer_id"]) for r in plain})
            days = [_of_type(r.values["ordered_on"], date) for r in plain]
            for start in range(0, len(customers), 5000):
                some = customers[start : start + 5000]
                rows += _fetch(
                    self.session,
                    table,
                    self.FIELDS,
                    and_(
                        matching(self.session, table.c.customer_id, some),
                        table.c.ordered_on.between(min(days), max(days)),
                        table.c.external_id.is_(None),
                    ),
                )
        existing = {self.key(row): row for row in rows}
        fixed = {"source": self.settings.source_name[:60], "created_at": self.now}
        return errors + self.apply(table, "order", self.FIELDS, records, existing, self.key, fixed)


@dataclass
class ContactWriter(ChildWriter):
    # A contact written under its email is met again by its name or phone in a later chunk:
    # that chunk must read it back, so it waits for the write.
    PIPELINED = False
    FIELDS = ("customer_id", "name", "title", "email", "phone", "is_primary")

    def key(self, values: dict[str, object]) -> Hashable:
        who = values.get("email") or values.get("phone") or normalise(str(values.get("name") or ""))
        return (values["customer_id"], who)

    def write(self, records: list[Record]) -> list[RowError]:
        records, errors = self.resolve(records)
        if not records:
            return errors
        table = table_of(Contact)
        customers = sorted({as_int(r.values["customer_id"]) for r in records})
        rows = _fetch(
            self.session, table, self.FIELDS, matching(self.session, table.c.customer_id, customers)
        )
        if self.dry_run:
            # A contact added under its email in one chunk is met by its name in a later one.
            if self.shadow is None:
                self.shadow = {}
            rows = self.with_shadow(rows, set(customers))
        existing: dict[Hashable, dict[str, object]] = {}
        for row in rows:
            for who in (row["email"], row["phone"], normalise(str(row["name"]))):
                if who:
                    existing.setdefault((row["customer_id"], who), row)
        for record in records:
            record.values.setdefault("is_primary", False)
        fixed: dict[str, object] = {"created_at": self.now}
        return errors + self.apply(
            table, "contact", self.FIELDS, records, existing, self.key, fixed
        )


@dataclass
class TouchpointWriter(ChildWriter):
    FIELDS = (
        "customer_id",
        "occurred_at",
        "channel",
        "experience_kind",
        "sentiment",
        "is_complaint",
        "summary",
    )

    def key(self, values: dict[str, object]) -> Hashable:
        return (
            values["customer_id"],
            values["occurred_at"],
            values["channel"],
            normalise(str(values["summary"])),
        )

    def write(self, records: list[Record]) -> list[RowError]:
        records, errors = self.resolve(records)
        if not records:
            return errors
        future = self.now + timedelta(minutes=5)
        kept: list[Record] = []
        for record in records:
            if _of_type(record.values["occurred_at"], datetime) > future:
                self.counts.rejected += 1
                errors.append(
                    RowError(record.line, record.raw, [Problem("", "import.problem.in_future")])
                )
            else:
                record.values.setdefault("experience_kind", "human")
                record.values.setdefault("sentiment", 0)
                record.values.setdefault("is_complaint", False)
                kept.append(record)
        if not kept:
            return errors
        table = table_of(Touchpoint)
        customers = sorted({as_int(r.values["customer_id"]) for r in kept})
        moments = [_of_type(r.values["occurred_at"], datetime) for r in kept]
        rows = _fetch(
            self.session,
            table,
            self.FIELDS,
            and_(
                matching(self.session, table.c.customer_id, customers),
                table.c.occurred_at.between(min(moments), max(moments)),
            ),
        )
        existing = {self.key(row): row for row in rows}
        fixed = {"recorded_by": self.actor.username, "created_at": self.now, "resolved_at": None}
        return errors + self.apply(
            table, "touchpoint", self.FIELDS, kept, existing, self.key, fixed
        )
