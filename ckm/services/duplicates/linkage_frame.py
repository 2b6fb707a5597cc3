"""The customers as Splink's input: the table it reads, and the blocking keys that decide which
pairs it compares (part of the Splink model, `linkage`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ckm.services.duplicates.features import (
    GENERIC_LOCAL,
    Features,
    blocking_keys,
    contact_keys,
)

if TYPE_CHECKING:
    import pyarrow

# Blocking: customers are compared only when one of these keys is equal (see
# `features.blocking_keys`): phone, email, national id, postal code, website domain, building,
# mailbox before the @, company domain + name key, name sound key (as written / sorted), city +
# key prefix, and the mailbox's letters and digits at its domain (dots and case ignored). A key
# shared by more customers than its cap (a switchboard number, a very common name in one city)
# carries no signal and is not a block.
#
# The name keys have the lowest cap: a name alone is weak evidence for a common name (term
# frequencies), and at 100,000 customers the name blocks of 9 to 20 namesakes made more than
# half of all pairs compared (200,000 of 374,000) while adding 0.1 point of recall on the
# tuning data (`bench_duplicates.py --blocking` shows the pairs each rule adds).
BLOCKS: tuple[tuple[str, str, int], ...] = (
    ("blkphone", "p", 50),
    ("blkemail", "e", 50),
    ("blkid", "i", 50),
    ("blkpostal", "z", 50),
    ("blkdomain2", "w", 50),
    ("blkplace", "a", 20),
    ("blkmailbox", "l", 50),
    ("blkdomain", "d", 50),
    ("blkname", "k", 8),
    ("blksorted", "s", 8),
    ("blkcity", "c", 8),
    ("blkletters", "m", 50),
)
# Phones and emails of contact persons: a list per customer (its contacts' keys, plus its own
# phone and email keys when some other customer's contact has them), exploded by Splink into
# one join, so a contact's mobile meets the same number written as another record's phone.
CONTACT_BLOCK = ("blkcontact", 50)


def _letters_key(item: Features) -> str | None:
    """The mailbox without dots, dashes and underscores, at its domain ("ELHAM..SHOJAEI336" and
    "elham.shojaei336" at yahoo.com are one key)."""
    if not item.email_local or item.email_local in GENERIC_LOCAL:
        return None
    letters = "".join(char for char in item.email_local if char.isalnum())
    if len(letters) < 5:
        return None
    return f"{letters}@{item.email_domain}"


def block_values(items: Sequence[Features]) -> dict[str, list[str | None]]:
    """One column per blocking rule: the customer's key, or None when it has none or the block
    is larger than its cap."""
    keyed: list[dict[str, str]] = []
    sizes: Counter[str] = Counter()
    for item in items:
        # Every key starts with its one-letter prefix and a colon.
        keys = {key[0]: key for key in blocking_keys(item)}
        letters = _letters_key(item)
        if letters:
            keys["m"] = "m:" + letters
        keyed.append(keys)
        sizes.update(keys.values())
    columns: dict[str, list[str | None]] = {}
    for column, prefix, cap in BLOCKS:
        values: list[str | None] = []
        for keys in keyed:
            key = keys.get(prefix)
            values.append(key if key is not None and 2 <= sizes[key] <= cap else None)
        columns[column] = values
    return columns


def contact_block_values(items: Sequence[Features]) -> list[list[str] | None]:
    """The contact block: per customer, its contacts' phone and email keys, and its own phone
    and email keys that some customer lists for a contact (None when it has none). A key held
    by more customers than the cap, in either role, is not a block."""
    keys: dict[int, set[str]] = {
        index: set(contact_keys(item))
        for index, item in enumerate(items)
        if item.contact_phones or item.contact_emails
    }
    if not keys:
        return [None] * len(items)
    sizes: Counter[str] = Counter(key for held in keys.values() for key in held)
    phones = {phone for index in keys for phone in items[index].contact_phones}
    emails = {email for index in keys for email in items[index].contact_emails}
    for index, item in enumerate(items):
        own = []
        if item.phone in phones and len(item.phone) >= 7:
            own.append("p:" + item.phone)
        if item.email in emails:
            own.append("e:" + item.email)
        for key in own:
            held = keys.setdefault(index, set())
            if key not in held:
                held.add(key)
                sizes[key] += 1
    cap = CONTACT_BLOCK[1]
    values: list[list[str] | None] = [None] * len(items)
    for index, held in keys.items():
        values[index] = sorted(key for key in held if 2 <= sizes[key] <= cap) or None
    return values


def blocking_rules() -> list[Any]:
    """Splink's blocking rules: one per `BLOCKS` column, and the exploded contact block."""
    from splink import block_on

    rules: list[Any] = [block_on(column) for column, _, _ in BLOCKS]
    column = CONTACT_BLOCK[0]
    rules.append(block_on(column, arrays_to_explode=[column]))
    return rules


def frame(items: Sequence[Features]) -> pyarrow.Table:
    """The customers as Splink's input table (empty strings as NULL: no evidence)."""
    import pyarrow

    def column(name: str) -> list[str | None]:
        return [getattr(item, name) or None for item in items]

    # Most customers have no contacts: their list is NULL (cheap to build and to convert).
    def lists(name: str) -> list[list[str] | None]:
        return [list(getattr(item, name)) or None for item in items]

    return pyarrow.table(
        {
            "unique_id": [item.id for item in items],
            "kind": column("kind"),
            "name": column("name"),
            "name_sorted": column("name_sorted"),
            "name_joined": column("name_joined"),
            "key_sorted": column("key_sorted"),
            "key_joined": column("key_joined"),
            "registered": column("registered"),
            "phone": column("phone"),
            "contact_phones": lists("contact_phones"),
            "email": column("email"),
            "contact_emails": lists("contact_emails"),
            "city": column("city"),
            "national_id": column("national_id"),
            "postal_code": column("postal_code"),
            "birth_date": column("birth_date"),
            "domain": column("domain"),
            "address": column("address"),
            **block_values(items),
            CONTACT_BLOCK[0]: contact_block_values(items),
        },
        schema=_schema(),
    )


def _schema() -> pyarrow.Schema:
    """Column types, so that a list column holding only NULLs is still a list of strings."""
    import pyarrow

    text = pyarrow.string()
    names = [
        "kind",
        "name",
        "name_sorted",
        "name_joined",
        "key_sorted",
        "key_joined",
        "registered",
        "phone",
        "contact_phones",
        "email",
        "contact_emails",
        "city",
        "national_id",
        "postal_code",
        "birth_date",
        "domain",
        "address",
        *(column for column, _, _ in BLOCKS),
        CONTACT_BLOCK[0],
    ]
    lists = {"contact_phones", "contact_emails", CONTACT_BLOCK[0]}
    return pyarrow.schema(
        [("unique_id", pyarrow.int64())]
        + [(name, pyarrow.list_(text) if name in lists else text) for name in names]
    )
