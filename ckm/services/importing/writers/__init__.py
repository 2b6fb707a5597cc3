"""Writing validated records: find what exists, classify, insert/update in bulk, record changes.

`base` holds what every writer shares (counts, change records, the duplicate check),
`children` the writers of rows that belong to a customer (orders, contacts, touchpoints) and
`customers` the customers writer with their custom fields. Callers import from here.
"""

from __future__ import annotations

from ckm.services.importing.fields import Kind
from ckm.services.importing.writers.base import CUSTOMER_COLUMNS, Counts, Writer, before_json
from ckm.services.importing.writers.children import (
    ChildWriter,
    ContactWriter,
    CustomerRefs,
    OrderWriter,
    TouchpointWriter,
)
from ckm.services.importing.writers.customers import CustomerWriter

WRITERS: dict[Kind, type[Writer]] = {
    Kind.CUSTOMERS: CustomerWriter,
    Kind.CONTACTS: ContactWriter,
    Kind.ORDERS: OrderWriter,
    Kind.TOUCHPOINTS: TouchpointWriter,
}

__all__ = [
    "CUSTOMER_COLUMNS",
    "WRITERS",
    "ChildWriter",
    "ContactWriter",
    "Counts",
    "CustomerRefs",
    "CustomerWriter",
    "OrderWriter",
    "TouchpointWriter",
    "Writer",
    "before_json",
]
