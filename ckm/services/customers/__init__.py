"""The customer domain: find customers, read their one-page brief, edit and add to it.

- `listing`: the filtered, sorted, paged customer list and its filter values
- `profile`: the 360° profile of one customer (figures, history, notes)
- `edits`: field edits, touchpoints, complaints, quick notes (editors+)
- `cleaning`: checking typed values (phone, tags, enums) before they are stored
- `brief`: the profile as a downloadable document
- `rules`: the definition of a live customer and money rounding, shared across services

Callers import from this package; the names below are its public surface.
"""

from ckm.services.customers.brief import brief_blocks, brief_markdown, brief_pdf
from ckm.services.customers.cleaning import EDITABLE_FIELDS, clean_phone, clean_tags, split_tags
from ckm.services.customers.contact import contact_display
from ckm.services.customers.edits import (
    add_quick_note,
    log_touchpoint,
    resolve_complaint,
    update_customer,
)
from ckm.services.customers.listing import (
    QUICK_HIT_LIMIT,
    SEARCH_HIT_LIMIT,
    SORTS,
    CustomerFilters,
    CustomerResults,
    CustomerRow,
    FilterOptions,
    filter_options,
    list_customers,
)
from ckm.services.customers.profile import (
    CategoryFigures,
    ContactInfo,
    CustomerProfile,
    MonthFigures,
    NoteExcerpt,
    ProfileFigures,
    Promise,
    TouchpointInfo,
    get_profile,
)
from ckm.services.customers.rules import get_live_customer, is_live, live_customer, to_money
from ckm.services.documents import Block, escape_markdown

__all__ = [
    "EDITABLE_FIELDS",
    "QUICK_HIT_LIMIT",
    "SEARCH_HIT_LIMIT",
    "SORTS",
    "Block",
    "CategoryFigures",
    "ContactInfo",
    "CustomerFilters",
    "CustomerProfile",
    "CustomerResults",
    "CustomerRow",
    "FilterOptions",
    "MonthFigures",
    "NoteExcerpt",
    "ProfileFigures",
    "Promise",
    "TouchpointInfo",
    "add_quick_note",
    "brief_blocks",
    "brief_markdown",
    "brief_pdf",
    "clean_phone",
    "clean_tags",
    "contact_display",
    "escape_markdown",
    "filter_options",
    "get_live_customer",
    "get_profile",
    "is_live",
    "list_customers",
    "live_customer",
    "log_touchpoint",
    "resolve_complaint",
    "split_tags",
    "to_money",
    "update_customer",
]
