"""customers' email and phone indexed

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-01

The add-customer form looks up "same email" and "same phone" while a person types (stored
values are in their cleaned form, so an exact match is the question); without an index each
lookup read the whole customers table (about 100 ms at 100,000 customers).
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_customers_email", "customers", ["email"])
    op.create_index("ix_customers_phone", "customers", ["phone"])


def downgrade() -> None:
    op.drop_index("ix_customers_phone", table_name="customers")
    op.drop_index("ix_customers_email", table_name="customers")
