"""What every writer shares: the counts, the change records (for undo), the duplicate check.

A writer receives one chunk of valid records at a time and, for each, decides: new, updated,
unchanged, duplicate in the file, or rejected (e.g. its customer cannot be found). Existing
rows are found by key with one query per chunk; empty cells never clear a stored value (a file
that lacks a value must not erase what CKM knows). Every insert and update is recorded in
`import_changes` with the values before, so undo is a query.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, TypeVar

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.orm import Session

from ckm.models import ImportChange, utc_now
from ckm.services.importing.bulk import BindRow, insert_plain
from ckm.services.importing.settings import ImportSettings
from ckm.services.importing.validate import Problem, Record, RowError
from ckm.services.permissions import Actor
from ckm.sql_typing import as_int, table_of

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

    # The session of the chunk being written: each chunk brings its own (`pipeline._run` sets
    # it before every `write` and before `finish`), so there is none when the writer is made.
    session: Session = field(init=False, repr=False, compare=False)
    settings: ImportSettings
    actor: Actor
    batch_id: int
    counts: Counts
    mapped: set[str]
    # A dry run classifies exactly like the import (same reads) but writes nothing.
    dry_run: bool = False
    now: datetime = field(default_factory=utc_now)
    seen: dict[int, int] = field(default_factory=dict)
    touched_customers: set[int] = field(default_factory=set)
    # Where a chunk's writes go (`write_later`): None runs them at once in `session`;
    # `import_file` hands them to a thread with a transaction of its own instead, and looks
    # up and classifies the next chunk meanwhile.
    submit: Callable[[Callable[[Session], None]], None] | None = None
    # Whether the next chunk may be classified before this one is written. True when every
    # row a chunk writes is found again only by a key the in-file check (`seen`) remembers,
    # so a later chunk never needs to read it back from the database.
    PIPELINED: ClassVar[bool] = True
    # Set by an import that set indexes aside (`importing.indexes`): called once, before the
    # first chunk whose lookups need them, to put them back for the rest of the file.
    indexes_needed: Callable[[], None] | None = None

    def indexes_table(self) -> str | None:
        """The table whose indexes a very large import of this file may set aside (those it
        never reads while importing), or None."""
        return None

    def need_indexes(self) -> None:
        """Before lookups that read the indexes set aside: have them put back first."""
        needed, self.indexes_needed = self.indexes_needed, None
        if needed is not None:
            needed()

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

    def write_later(self, work: Callable[[Session], None]) -> None:
        """Run a chunk's writes: now in `session`, or handed to `submit`."""
        if self.submit is None:
            work(self.session)
        else:
            self.submit(work)

    def save_changes(self, rows: list[BindRow], session: Session | None = None) -> None:
        if self.dry_run:
            return
        insert_plain(session or self.session, table_of(ImportChange), rows)

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


def _fetch(
    session: Session, table: Table, columns: tuple[str, ...], condition: ColumnElement[bool]
) -> list[dict[str, object]]:
    selected = [table.c.id, *(table.c[name] for name in columns)]
    rows = [dict(row._mapping) for row in session.execute(select(*selected).where(condition))]
    # In id order (sorted here, so the ORDER BY cannot tempt the planner into a table scan).
    rows.sort(key=lambda row: as_int(row["id"]))
    return rows
