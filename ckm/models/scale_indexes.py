"""Indexes for a base of a million customers, on tables defined in other modules.

The segments page's drill-down lists one segment's members biggest spender first, 25 at a
time: with (segment, monetary DESC NULLS LAST) PostgreSQL reads the first 25 entries of the
segment in order instead of sorting every member (a scan that grows with the base); with the
customer id in it too, the segment's count is read from the index alone.
"""

from __future__ import annotations

from sqlalchemy import Index

from ckm.models.customers import Customer
from ckm.models.scoring import CustomerScore

# SQLite cannot say NULLS LAST in an index: its migration writes "monetary DESC", which puts
# NULLs last there anyway; the model's DDL is PostgreSQL's.
SEGMENT_MONETARY = Index(
    "ix_customer_scores_segment_monetary",
    CustomerScore.segment,
    CustomerScore.monetary.desc().nulls_last(),
    CustomerScore.customer_id,
).ddl_if(dialect="postgresql")

# The few customers deleted or merged: counting a segment's live members subtracts these
# (a handful of index entries) instead of joining the scores with the whole customers table.
GONE_CUSTOMERS = Index(
    "ix_customers_gone_id",
    Customer.id,
    postgresql_where=Customer.deleted_at.is_not(None) | Customer.merged_into_id.is_not(None),
    sqlite_where=Customer.deleted_at.is_not(None) | Customer.merged_into_id.is_not(None),
)

__all__ = ["GONE_CUSTOMERS", "SEGMENT_MONETARY"]
