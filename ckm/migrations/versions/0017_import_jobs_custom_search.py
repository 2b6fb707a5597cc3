"""queued imports and dry runs; searchable custom fields

Revision ID: 0017
Revises: 0007
Create Date: 2026-11-30

`import_batches.dry_run`: the Import page queues its check (dry run) as a background job like
the import itself; the batch row keeps the check's report so the page can show it after the
person left and came back. A dry run's batch never changed any data.
`customer_custom_fields.value_key`: the value in its search form (`ckm.text.normalise`: case,
Arabic/Persian letter variants, digits and spaces folded), at most 200 characters, indexed
alone (search by value) and with the key (the "custom field KEY = VALUE" filter).
`ix_import_changes_entity`: the profile finds the imports that touched one customer.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0007"
branch_labels = None
depends_on = None

KEY_LENGTH = 200
_CHUNK = 5000


def upgrade() -> None:
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("dry_run", sa.Boolean(), nullable=False, server_default=sa.text("false"))
        )
    with op.batch_alter_table("customer_custom_fields", schema=None) as batch_op:
        batch_op.add_column(sa.Column("value_key", sa.String(length=KEY_LENGTH), nullable=True))
    _fill_value_keys()
    op.create_index("ix_customer_custom_fields_value_key", "customer_custom_fields", ["value_key"])
    op.create_index(
        "ix_customer_custom_fields_key_value", "customer_custom_fields", ["key", "value_key"]
    )
    op.create_index("ix_import_changes_entity", "import_changes", ["entity", "entity_id"])


def _fill_value_keys() -> None:
    """Existing values get their search form, a chunk at a time (no whole table in memory)."""
    from ckm.text import normalise

    bind = op.get_bind()
    table = sa.table(
        "customer_custom_fields",
        sa.column("customer_id", sa.Integer()),
        sa.column("key", sa.String()),
        sa.column("value", sa.Text()),
        sa.column("value_key", sa.String()),
    )
    after: tuple[int, str] = (0, "")
    while True:
        rows = bind.execute(
            sa.select(table.c.customer_id, table.c.key, table.c.value)
            .where(sa.tuple_(table.c.customer_id, table.c.key) > sa.tuple_(*after))
            .order_by(table.c.customer_id, table.c.key)
            .limit(_CHUNK)
        ).all()
        if not rows:
            return
        bind.execute(
            sa.update(table)
            .where(
                table.c.customer_id == sa.bindparam("c_id"), table.c.key == sa.bindparam("c_key")
            )
            .values(value_key=sa.bindparam("c_value_key")),
            [
                {"c_id": cid, "c_key": key, "c_value_key": normalise(value or "")[:KEY_LENGTH]}
                for cid, key, value in rows
            ],
        )
        after = (rows[-1][0], rows[-1][1])


def downgrade() -> None:
    op.drop_index("ix_import_changes_entity", table_name="import_changes")
    op.drop_index("ix_customer_custom_fields_key_value", table_name="customer_custom_fields")
    op.drop_index("ix_customer_custom_fields_value_key", table_name="customer_custom_fields")
    with op.batch_alter_table("customer_custom_fields", schema=None) as batch_op:
        batch_op.drop_column("value_key")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_column("dry_run")
