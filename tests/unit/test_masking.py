"""Masking contact details for viewers: enough to tell values apart, not to use them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from ckm.models import Role
from ckm.services.permissions import Actor
from ckm.services.privacy.masking import mask_email, mask_phone, mask_text, masked_for

VIEWER = Actor(1, "vera", Role.VIEWER)
EDITOR = Actor(2, "edna", Role.EDITOR)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("sara@example.com", "s***@…"),
        ("س@example.com", "س***@…"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_email(value: str | None, masked: str | None) -> None:
    assert mask_email(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("09123456789", "0912***6789"),
        ("+989123456789", "+9891***6789"),
        ("0912 345 6789", "0912***6789"),
        ("12345", "***45"),
    ],
)
def test_mask_phone(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


def test_mask_text_hides_addresses_and_numbers_in_search_snippets() -> None:
    snippet = "«sara» rahimi | tehran | «sara»@example.com | 989123456789 09123456789"
    masked = mask_text(snippet)
    assert masked is not None
    assert "example" not in masked and "3456" not in masked
    assert masked.startswith("«sara» rahimi | tehran | s***@…")


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class Profile:
    id: int
    name: str
    email: str | None
    phone: str | None
    contacts: list[Contact] = field(default_factory=list)


def test_masked_for_reaches_nested_contacts_and_leaves_the_original_alone() -> None:
    profile = Profile(
        1, "Acme", "info@acme.example", "02188776655", [Contact("Ali", "ali@acme.example", None)]
    )
    seen = masked_for(VIEWER, profile)
    assert (seen.email, seen.phone) == ("i***@…", "0218***6655")
    assert seen.contacts[0].email == "a***@…" and seen.contacts[0].name == "Ali"
    assert profile.email == "info@acme.example"  # the service's own object is unchanged
    assert masked_for(EDITOR, profile) is profile
    assert masked_for(VIEWER, [profile])[0].email == "i***@…"


def test_mask_prose_hides_addresses_and_phones_but_not_amounts_or_dates() -> None:
    from ckm.services.privacy.masking import mask_prose

    text = (
        "Reach him at +989121234567 or 0912 123 4567; mail zeb.q@quack.example."
        " Paid 15000000 on 2026-01-05."
    )
    assert mask_prose(text) == (
        "Reach him at +9891***4567 or 0912***4567; mail z***@…. Paid 15000000 on 2026-01-05."
    )
