"""Secondary indexes set aside while a very large file is imported, built again at its end.

An import commits one short transaction per chunk (so others can save meanwhile). On SQLite
each commit writes every index page the chunk touched; orders come in customer order of the
file, which is random for the indexes that start with the customer or the day, so a chunk of
5,000 orders touches thousands of their pages and 200 commits rewrite those indexes 200 times
(11 GB written for a million orders: twice the CPU of the same rows in one transaction).
Building an index once from the finished table is a sort: far cheaper. PostgreSQL keeps
dirty pages in its buffers but still does the per-row upkeep, and gains too.

So when a file will add many rows compared with what is stored, and the table stays small
enough to build them again in seconds (`worth_setting_aside`), the indexes the import itself
never reads are dropped before the first chunk and created again, exactly as the database
had them, in the transaction that marks the batch done (or failed).
Meanwhile others still read the table, only without those indexes. A process that dies
before putting them back leaves them missing: the next import puts back whatever is missing
(`restore_missing`, from the models' own definitions), before anything else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex

from ckm.models import Order
from ckm.services.sql_lists import is_sqlite
from ckm.sql_typing import table_of

log = logging.getLogger(__name__)

# Per table, the indexes an import of its rows never reads (lookups go by external id): all
# three begin with the customer or the day, so the file's order is random for them.
SET_ASIDE: dict[str, tuple[str, ...]] = {
    "orders": ("ix_orders_customer_id_ordered_on", "ix_orders_ordered_on", "ix_orders_scoring"),
}
_TABLES = {"orders": table_of(Order)}
# Below this many rows in the file, upkeep costs less than building the indexes again.
MIN_ROWS = 100_000
# ...and the file must add at least this share of what is stored: building the indexes again
# sorts the whole table, upkeep only touches the new rows' pages.
MIN_SHARE = 0.1
# ...and the table must stay below this many rows: building the three indexes again takes
# about 2.5 s of CPU per million rows (SQLite), while the import holds the write lock and
# others' saves wait (at most 30 s, `PoolSettings.wait_seconds`).
MAX_TABLE_ROWS = 4_000_000
# PostgreSQL: how long to wait for the lock a DROP INDEX needs before going on without it.
LOCK_TIMEOUT_MS = 2000


def worth_setting_aside(file_rows: int, stored_rows: int) -> bool:
    """Whether a file of `file_rows` rows should set a table's indexes aside, when the table
    holds `stored_rows`."""
    return (
        file_rows >= MIN_ROWS
        and file_rows >= MIN_SHARE * stored_rows
        and file_rows + stored_rows <= MAX_TABLE_ROWS
    )


def stored_rows(session: Session, table_name: str) -> int:
    """About how many rows `table_name` holds: its largest id (no count over millions)."""
    table = _TABLES[table_name]
    return int(session.scalar(select(func.max(table.c.id))) or 0)


def _present(session: Session, table_name: str) -> dict[str, str]:
    """The table's indexes, by name, with the statement that creates each as it is now."""
    if is_sqlite(session):
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"
    else:
        sql = (
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename = :t AND schemaname = current_schema()"
        )
    rows = session.execute(text(sql), {"t": table_name}).all()
    return {str(name): str(ddl) for name, ddl in rows if ddl}


@dataclass
class SetAside:
    """Indexes dropped for one import, with the statements that create them again."""

    table: str
    statements: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.statements)


def set_aside(session: Session, table_name: str) -> SetAside:
    """Drop the indexes of `table_name` that an import does not read (inside the caller's
    transaction) and say how to create them again; nothing set aside when PostgreSQL cannot
    get the table's lock quickly (someone holds it: the import goes on with the indexes)."""
    present = _present(session, table_name)
    aside = SetAside(table_name)
    names = [name for name in SET_ASIDE.get(table_name, ()) if name in present]
    if not names:
        return aside
    if is_sqlite(session):  # the import's write lock is held: nobody is in the way
        for name in names:
            session.execute(text(f"DROP INDEX {name}"))
    else:
        session.execute(text(f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}"))
        try:
            with session.begin_nested():
                for name in names:
                    session.execute(text(f"DROP INDEX {name}"))
        except DBAPIError:
            log.info("indexes of %s not set aside: the table is busy", table_name)
            return aside
        finally:
            # The short wait is for the DROP only: the rest of the caller's transaction (the
            # first chunk's writes) waits for locks as usual, busy table or not.
            session.execute(text("SET LOCAL lock_timeout = DEFAULT"))
    aside.statements = {name: present[name] for name in names}
    return aside


def restore(session: Session, aside: SetAside) -> list[str]:
    """Create again what `aside` dropped and is still missing (inside the caller's
    transaction); returns the names created."""
    if not aside:
        return []
    present = _present(session, aside.table)
    created = [name for name in aside.statements if name not in present]
    for name in created:
        session.execute(text(aside.statements[name]))
    aside.statements.clear()
    return created


def restore_missing(session: Session) -> list[str]:
    """Create any index an import may set aside that is missing, from the models' own
    definitions (an import whose process died before putting them back); returns the names."""
    created: list[str] = []
    dialect = session.get_bind().dialect
    for table_name, names in SET_ASIDE.items():
        present = _present(session, table_name)
        if all(name in present for name in names):
            continue
        for index in sorted(_TABLES[table_name].indexes, key=lambda index: str(index.name)):
            if index.name in names and index.name not in present:
                session.execute(text(str(CreateIndex(index).compile(dialect=dialect))))
                created.append(str(index.name))
    if created:
        log.warning("indexes put back after an import that did not finish: %s", created)
    return created
