"""Passwords: any script, 8 to 128 characters, every character counts."""

from __future__ import annotations

import pytest

from ckm.services.errors import ValidationFailed
from ckm.services.passwords import hash_password, verify_password

PERSIAN_PASSPHRASE = "دانش مشتری را باید در سراسر سازمان دید و شنید، نه فقط در ذهن یک فروشنده"


def test_long_persian_passphrase_beyond_bcrypt_limit_works() -> None:
    assert len(PERSIAN_PASSPHRASE.encode()) > 72
    stored = hash_password(PERSIAN_PASSPHRASE)
    assert verify_password(PERSIAN_PASSPHRASE, stored)
    # The last character matters too: bcrypt alone would have ignored everything past byte 72.
    assert not verify_password(PERSIAN_PASSPHRASE[:-1] + "ی", stored)


def test_hash_is_salted_bcrypt() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second
    assert first.startswith("bcrypt-sha256$$2b$")


@pytest.mark.parametrize(
    ("password", "key"),
    [
        ("short", "error.password_too_short"),
        ("x" * 129, "error.password_too_long"),
        (" leading space", "error.password_edge_spaces"),
    ],
)
def test_policy_refuses_with_a_reason(password: str, key: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        hash_password(password)
    assert refused.value.key == key


def test_no_composition_rules() -> None:
    assert verify_password("aaaaaaaa", hash_password("aaaaaaaa"))


def test_garbage_never_matches() -> None:
    assert not verify_password("anything", None)
    assert not verify_password("anything", "$2b$12$notours")
    assert not verify_password("x" * 10_000, hash_password("correct horse"))
