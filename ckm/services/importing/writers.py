"""Writing validated records: find what exists, classify, insert/update in bulk, record changes.

A writer receives one chunk of valid records at a time and, for each, decides: new, updated,
unchanged, duplicate in the file, or rejected (e.g. its customer cannot be found). Existing
rows are found by key with one query per chunk; empty cells never clear a stored value (a file
that lacks a value must not erase what CKM knows). Every insert and update is recorded in
`import_changes` with the values before, so undo is a query.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import ColumnElement, Table, and_, bindparam, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from ckm.models import (
    Contact,
    Customer,
    CustomerCustomField,
    ImportChange,
    Order,
    Touchpoint,
    utc_now,
)
from ckm.services.importing.bulk import BindRow, insert_plain, insert_rows, update_rows
from ckm.services.importing.fields import Kind
from ckm.services.importing.parsing import CellProblem, parse_email, parse_phone
from ckm.services.importing.settings import ImportSettings
from ckm.services.importing.validate import Problem, Record, RowError
from ckm.services.permissions import Actor
from ckm.sql_typing import as_int, table_of
from ckm.text import normalise

T = TypeVar("T")


def _of_type(value: object, kind: type[T]) -> T:
    """A parsed record value that the field's parser guarantees to be a `kind`."""
    if isinstance(value, kind):
        return value
    raise TypeError(f"expected {kind.__name__}, got {value!r}")


CUSTOMER_COLUMNS = (
    "external_id",
    "name",
    "kind",
    "email",
    "phone",
    "city",
    "region",
    "country",
    "industry",
    "segment",
    "tags",
    "postal_address",
    "postal_code",
    "birth_date",
    "website",
    "national_id",
    "economic_code",
)


@dataclass
class Counts:
    """What happened to the rows of a file; the same whether dry run or real."""

    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    rejected: int = 0
    toman: int = 0


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def before_json(values: dict[str, object]) -> str:
    return json.dumps(
        {name: _json_value(value) for name, value in values.items()}, ensure_ascii=False
    )


@dataclass
class Writer:
    """Shared state of the writers: the batch, who acts, the counts and the change buffer."""

    session: Session
    settings: ImportSettings
    actor: Actor
    batch_id: int
    counts: Counts
    mapped: set[str]
    now: datetime = field(default_factory=utc_now)
    seen: dict[int, int] = field(default_factory=dict)
    touched_customers: set[int] = field(default_factory=set)

    def first_seen(self, key: Hashable, line: int) -> int | None:
        """The line where `key` first appeared in this file, or None (and remember it).

        Keys are kept as 64-bit hashes: a million order ids then cost tens of MB, not hundreds.
        """
        digest = hash(key)
        earlier = self.seen.get(digest)
        if earlier is None:
            self.seen[digest] = line
        return earlier

    def change(
        self, entity: str, entity_id: int, action: str, line: int | None, before: str | None = None
    ) -> BindRow:
        return {
            "batch_id": self.batch_id,
            "entity": entity,
            "entity_id": entity_id,
            "action": action,
            "line": line,
            "before": before,
        }

    def inserted(self, entity: str, ids: list[int], lines: list[int]) -> list[BindRow]:
        """Change records for new rows: one per run of consecutive ids ("through" the last).

        Bulk inserts take consecutive ids, so a chunk of 5,000 new orders costs one record,
        not 5,000; undo deletes the range.
        """
        records: list[BindRow] = []
        start = 0
        for position in range(1, len(ids) + 1):
            if position == len(ids) or ids[position] != ids[position - 1] + 1:
                first, last = ids[start], ids[position - 1]
                through = None if first == last else json.dumps({"through": last})
                records.append(self.change(entity, first, "insert", lines[start], through))
                start = position
        return records

    def save_changes(self, rows: list[BindRow]) -> None:
        insert_plain(self.session, table_of(ImportChange), rows)

    def duplicate(self, record: Record, first_line: int) -> RowError:
        self.counts.duplicate += 1
        return RowError(
            record.line,
            record.raw,
            [Problem("", "import.problem.duplicate_in_file", {"line": first_line})],
        )

    def write(self, records: list[Record]) -> list[RowError]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finish(self) -> None:
        """Called after the last chunk; the search index is brought up to date afterwards,
        outside the import's transaction (see `batches.refresh_after_import`)."""


def _live_customer_refs(
    session: Session, column: InstrumentedAttribute[str | None], values: list[str]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(values), 5000):
        part = values[start : start + 5000]
        rows = session.execute(
            select(column, Customer.id, Customer.merged_into_id, Customer.deleted_at).where(
                column.in_(part)
            )
        ).all()
        for value, customer_id, merged_into, deleted_at in rows:
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
        missing = sorted({ref for ref in refs if ref not in self.cache})
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


@dataclass
class ChildWriter(Writer):
    """Contacts, orders and touchpoints: each row first needs its customer."""

    refs: CustomerRefs | None = None

    def resolve(self, records: list[Record]) -> tuple[list[Record], list[RowError]]:
        if self.refs is None:
            self.refs = CustomerRefs(self.session)
        cache = self.refs.resolve(str(record.values["customer_ref"]) for record in records)
        kept: list[Record] = []
        errors: list[RowError] = []
        for record in records:
            customer_id = cache.get(str(record.values["customer_ref"]))
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
        inserts: list[BindRow] = []
        insert_lines: list[int] = []
        updates: list[BindRow] = []
        changes: list[BindRow] = []
        compared = [name for name in fields if name in self.mapped or name == "customer_id"]
        for record in records:
            key = key_of(record.values)
            earlier = self.first_seen(key, record.line)
            if earlier is not None:
                errors.append(self.duplicate(record, earlier))
                continue
            row = existing.get(key)
            if row is None:
                inserts.append({name: record.values.get(name) for name in fields} | fixed)
                insert_lines.append(record.line)
                continue
            diff = {
                name: record.values[name]
                for name in compared
                if record.values.get(name) is not None and record.values[name] != row[name]
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
        changes += self.inserted(entity, insert_rows(self.session, table, inserts), insert_lines)
        self.counts.new += len(inserts)
        # Updates may change different columns per row: group rows by their column set.
        groups: dict[tuple[str, ...], list[BindRow]] = {}
        for row in updates:
            groups.setdefault(tuple(row), []).append(row)
        for rows in groups.values():
            update_rows(self.session, table, rows)
        self.save_changes(changes)
        return errors


def _fetch(
    session: Session, table: Table, columns: tuple[str, ...], condition: ColumnElement[bool]
) -> list[dict[str, object]]:
    selected = [table.c.id, *(table.c[name] for name in columns)]
    return [dict(row._mapping) for row in session.execute(select(*selected).where(condition))]


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

    def write(self, records: list[Record]) -> list[RowError]:
        records, errors = self.resolve(records)
        if not records:
            return errors
        table = table_of(Order)
        external = [str(r.values["external_id"]) for r in records if r.values.get("external_id")]
        rows: list[dict[str, object]] = []
        for start in range(0, len(external), 5000):
            rows += _fetch(
                self.session,
                table,
                self.FIELDS,
                table.c.external_id.in_(external[start : start + 5000]),
            )
        plain = [r for r in records if not r.values.get("external_id")]
        if plain:
            customers = sorted({as_int(r.values["customer_id"]) for r in plain})
            days = [_of_type(r.values["ordered_on"], date) for r in plain]
            for start in range(0, len(customers), 5000):
                rows += _fetch(
                    self.session,
                    table,
                    self.FIELDS,
                    and_(
                        table.c.customer_id.in_(customers[start : start + 5000]),
                        table.c.ordered_on.between(min(days), max(days)),
                        table.c.external_id.is_(None),
                    ),
                )
        existing = {self.key(row): row for row in rows}
        for record in records:
            record.values.setdefault("currency", self.settings.currency or "IRR")
        fixed = {"source": self.settings.source_name[:60], "created_at": self.now}
        return errors + self.apply(table, "order", self.FIELDS, records, existing, self.key, fixed)


@dataclass
class ContactWriter(ChildWriter):
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
        rows = _fetch(self.session, table, self.FIELDS, table.c.customer_id.in_(customers))
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
            if record.values["occurred_at"] > future:  # type: ignore[operator]
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
                table.c.customer_id.in_(customers),
                table.c.occurred_at.between(min(moments), max(moments)),
            ),
        )
        existing = {self.key(row): row for row in rows}
        fixed = {"recorded_by": self.actor.username, "created_at": self.now, "resolved_at": None}
        return errors + self.apply(
            table, "touchpoint", self.FIELDS, kept, existing, self.key, fixed
        )


@dataclass
class CustomerWriter(Writer):
    """Customers, found by the chosen key; their custom fields alongside."""

    def write(self, records: list[Record]) -> list[RowError]:
        key_field = self.settings.customer_key()
        table = table_of(Customer)
        key_column = table.c[key_field]
        errors: list[RowError] = []
        unique: list[Record] = []
        for record in records:
            key = record.values.get(key_field)
            if key is None:
                self.counts.rejected += 1
                header = next((h for h, t in self.settings.mapping.items() if t == key_field), "")
                errors.append(
                    RowError(
                        record.line,
                        record.raw,
                        [Problem(header, "import.problem.key_empty", {"field": key_field})],
                    )
                )
                continue
            earlier = self.first_seen(key, record.line)
            if earlier is not None:
                errors.append(self.duplicate(record, earlier))
                continue
            unique.append(record)
        if not unique:
            return errors
        fields = tuple(name for name in CUSTOMER_COLUMNS if name in self.mapped)
        rows = _fetch(
            self.session,
            table,
            (*fields, "deleted_at", "merged_into_id"),
            key_column.in_([r.values[key_field] for r in unique]),
        )
        existing: dict[object, list[dict[str, object]]] = {}
        for row in rows:
            existing.setdefault(row[key_field], []).append(row)
        custom_keys = sorted({key for r in unique for key in r.custom})
        custom_now: dict[tuple[int, str], str] = {}
        if custom_keys and rows:
            ids = [as_int(row["id"]) for row in rows]
            custom_table = table_of(CustomerCustomField)
            for customer_id, key, value in self.session.execute(
                select(custom_table.c.customer_id, custom_table.c.key, custom_table.c.value).where(
                    custom_table.c.customer_id.in_(ids), custom_table.c.key.in_(custom_keys)
                )
            ):
                custom_now[(customer_id, key)] = value
        inserts: list[Record] = []
        updates: list[BindRow] = []
        changes: list[BindRow] = []
        custom_inserts: list[BindRow] = []
        custom_updates: list[BindRow] = []
        for record in unique:
            matches = existing.get(record.values[key_field], [])
            live = [
                row
                for row in matches
                if row["deleted_at"] is None and row["merged_into_id"] is None
            ]
            if not matches:
                inserts.append(record)
                continue
            if not live or len(matches) > 1:
                self.counts.rejected += 1
                reason = (
                    "import.problem.customer_gone" if not live else "import.problem.key_ambiguous"
                )
                errors.append(
                    RowError(
                        record.line,
                        record.raw,
                        [
                            Problem(
                                "",
                                reason,
                                {"value": record.values[key_field], "count": len(matches)},
                            )
                        ],
                    )
                )
                continue
            row = live[0]
            customer_id = as_int(row["id"])
            diff = {
                name: record.values[name]
                for name in fields
                if record.values.get(name) is not None and record.values[name] != row[name]
            }
            custom_diff = {
                key: value
                for key, value in record.custom.items()
                if custom_now.get((customer_id, key)) != value
            }
            if not diff and not custom_diff:
                self.counts.unchanged += 1
                continue
            self.counts.updated += 1
            self.touched_customers.add(customer_id)
            if diff:
                before = {name: row[name] for name in diff}
                changes.append(
                    self.change("customer", customer_id, "update", record.line, before_json(before))
                )
                updates.append(
                    {
                        "id": customer_id,
                        **diff,
                        "updated_by": self.actor.username,
                        "updated_at": self.now,
                        "import_batch_id": self.batch_id,
                    }
                )
            for key, value in custom_diff.items():
                old = custom_now.get((customer_id, key))
                changes.append(
                    self.change(
                        "custom",
                        customer_id,
                        "insert" if old is None else "update",
                        record.line,
                        before_json({"key": key, "value": old}),
                    )
                )
                (custom_inserts if old is None else custom_updates).append(
                    {
                        "customer_id": customer_id,
                        "key": key,
                        "kind": "text",
                        "value": value,
                        "number": None,
                        "day": None,
                    }
                )
        new_rows = [self._new_row(record, fields) for record in inserts]
        new_ids = insert_rows(self.session, table, new_rows)
        changes += self.inserted("customer", new_ids, [record.line for record in inserts])
        for new_id, record in zip(new_ids, inserts, strict=True):
            custom_inserts += [
                {
                    "customer_id": new_id,
                    "key": key,
                    "kind": "text",
                    "value": value,
                    "number": None,
                    "day": None,
                }
                for key, value in record.custom.items()
            ]
        self.counts.new += len(new_ids)
        self.touched_customers.update(new_ids)
        groups: dict[tuple[str, ...], list[BindRow]] = {}
        for row in updates:
            groups.setdefault(tuple(row), []).append(row)
        for group in groups.values():
            update_rows(self.session, table, group, bump_version=True)
        custom_table = table_of(CustomerCustomField)
        insert_plain(self.session, custom_table, custom_inserts)
        if custom_updates:
            self.session.connection().execute(
                update(custom_table)
                .where(
                    custom_table.c.customer_id == bindparam("c_id"),
                    custom_table.c.key == bindparam("c_key"),
                )
                .values(value=bindparam("c_value")),
                [
                    {"c_id": row["customer_id"], "c_key": row["key"], "c_value": row["value"]}
                    for row in custom_updates
                ],
            )
        self.save_changes(changes)
        return errors

    def _new_row(self, record: Record, fields: tuple[str, ...]) -> BindRow:
        row: BindRow = {name: record.values.get(name) for name in fields}
        row.update(
            kind=record.values.get("kind", "company"),
            tags=record.values.get("tags") or "",
            source=self.settings.source_name[:60],
            created_by=self.actor.username,
            created_at=self.now,
            updated_by=self.actor.username,
            updated_at=self.now,
            consent_contact=False,
            consent_marketing=False,
            consent_profiling=False,
            version=1,
            import_batch_id=self.batch_id,
        )
        return row


WRITERS: dict[Kind, type[Writer]] = {
    Kind.CUSTOMERS: CustomerWriter,
    Kind.CONTACTS: ContactWriter,
    Kind.ORDERS: OrderWriter,
    Kind.TOUCHPOINTS: TouchpointWriter,
}
