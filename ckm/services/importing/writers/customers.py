"""The customers writer: customers found by the chosen key, their custom fields alongside."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ckm.models import Customer, CustomerCustomField
from ckm.services.importing.bulk import (
    BindRow,
    insert_plain,
    insert_tuples,
    matching,
    update_rows,
)
from ckm.services.importing.custom_fields import custom_row
from ckm.services.importing.validate import Problem, Record, RowError
from ckm.services.importing.writers.base import (
    CUSTOMER_COLUMNS,
    Writer,
    _fetch,
    before_json,
)
from ckm.sql_typing import as_int, table_of

_CUSTOM_VALUES = ("kind", "value", "number", "day", "value_key")


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
            matching(self.session, key_column, [r.values[key_field] for r in unique]),
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
                    matching(self.session, custom_table.c.customer_id, ids),
                    matching(self.session, custom_table.c.key, custom_keys),
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
                    custom_row(customer_id, key, value)
                )
        if self.dry_run:
            self.counts.new += len(inserts)
            return errors
        self.counts.new += len(inserts)
        columns, new_rows = self._new_rows(inserts, fields)
        groups: dict[tuple[str, ...], list[BindRow]] = {}
        for row in updates:
            groups.setdefault(tuple(row), []).append(row)

        def write(session: Session) -> None:
            new_ids = insert_tuples(session, table, columns, new_rows)
            self.touched_customers.update(new_ids)
            new_custom = [
                custom_row(new_id, key, value)
                for new_id, record in zip(new_ids, inserts, strict=True)
                for key, value in record.custom.items()
            ]
            for group in groups.values():
                update_rows(session, table, group, bump_version=True)
            custom_table = table_of(CustomerCustomField)
            insert_plain(session, custom_table, custom_inserts + new_custom)
            if custom_updates:
                session.connection().execute(
                    update(custom_table)
                    .where(
                        custom_table.c.customer_id == bindparam("c_id"),
                        custom_table.c.key == bindparam("c_key"),
                    )
                    .values({name: bindparam(f"c_{name}") for name in _CUSTOM_VALUES}),
                    [
                        {"c_id": row["customer_id"], "c_key": row["key"]}
                        | {f"c_{name}": row[name] for name in _CUSTOM_VALUES}
                        for row in custom_updates
                    ],
                )
            new_changes = self.inserted("customer", new_ids, [record.line for record in inserts])
            self.save_changes(changes + new_changes, session)

        self.write_later(write)
        return errors

    def _new_rows(
        self, records: list[Record], fields: tuple[str, ...]
    ) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
        """New customers as tuples (and their columns): the mapped fields, then kind and tags
        (with their defaults), then what every new customer of the batch shares."""
        mapped = tuple(name for name in fields if name not in ("kind", "tags"))
        shared: dict[str, object] = {
            "source": self.settings.source_name[:60],
            "created_by": self.actor.username,
            "created_at": self.now,
            "updated_by": self.actor.username,
            "updated_at": self.now,
            "consent_contact": False,
            "consent_marketing": False,
            "consent_profiling": False,
            "version": 1,
            "import_batch_id": self.batch_id,
        }
        constants = tuple(shared.values())
        rows = [
            (
                *map(values.get, mapped),
                values.get("kind", "company"),
                values.get("tags") or "",
                *constants,
            )
            for values in (record.values for record in records)
        ]
        return (*mapped, "kind", "tags", *shared), rows
