"""Bulk-load mode on PostgreSQL: secondary indexes and foreign keys set aside while COPY runs.

Checking a foreign key per row and updating five indexes per order is most of the cost of
loading ten million orders. Building an index once over the loaded table, and validating a
foreign key with one join, costs a fraction of that. The definitions are read from the
catalogue and restored verbatim, in the same transaction: a failed load rolls back to the
schema as it was. Primary keys and unique constraints stay (they back the ids we assign).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

_FOREIGN_KEYS = text(
    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE contype = 'f' AND conrelid = ANY(CAST(:tables AS regclass[])) ORDER BY conname"
)
_INDEXES = text(
    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
    " WHERE i.indrelid = ANY(CAST(:tables AS regclass[]))"
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
    " ORDER BY 1"
)


@contextmanager
def deferred_indexes(session: Session, tables: Sequence[str]) -> Iterator[None]:
    """Drop the secondary indexes and foreign keys of `tables`; rebuild them on exit."""
    names = list(tables)
    foreign_keys = session.execute(_FOREIGN_KEYS, {"tables": names}).all()
    indexes = session.execute(_INDEXES, {"tables": names}).all()
    for table, name, _ in foreign_keys:
        session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _ in indexes:
        session.execute(text(f"DROP INDEX {name}"))
    yield
    # Index builds sort in memory up to this much (this transaction only).
    session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _, definition in indexes:
        session.execute(text(definition))
    for table, name, definition in foreign_keys:
        session.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
