"""Password rules and hashing.

bcrypt only reads the first 72 bytes (and bcrypt 5 refuses longer input), while a Persian
passphrase of 40 letters is already 80 bytes of UTF-8. So we hash a fixed-length digest of the
password with bcrypt: SHA-256 of the NFC-normalised text, base64-encoded (44 bytes). Every
character counts, any script works, and the stored value is still a salted bcrypt hash.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from functools import lru_cache

import bcrypt

from ckm.services.errors import ValidationFailed

MIN_LENGTH = 8
MAX_LENGTH = 128
HASH_PREFIX = "bcrypt-sha256$"
BCRYPT_ROUNDS = 12


def check_policy(password: str) -> None:
    """Refuse a password that is too short or too long, with a message that says which.

    No composition rules: length is what makes a password strong, and any script is welcome.
    """
    length = len(unicodedata.normalize("NFC", password))
    if length < MIN_LENGTH:
        raise ValidationFailed("error.password_too_short", minimum=MIN_LENGTH)
    if length > MAX_LENGTH:
        raise ValidationFailed("error.password_too_long", maximum=MAX_LENGTH)
    if password != password.strip():
        # The login widget trims what is typed, so such a password could never be entered.
        raise ValidationFailed("error.password_edge_spaces")


def _digest(password: str) -> bytes:
    normalised = unicodedata.normalize("NFC", password).encode("utf-8")
    return base64.b64encode(hashlib.sha256(normalised).digest())


def hash_password(password: str) -> str:
    """Check the policy, then return the string to store."""
    check_policy(password)
    salt = bcrypt.gensalt(BCRYPT_ROUNDS)
    return HASH_PREFIX + bcrypt.hashpw(_digest(password), salt).decode()


@lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> bytes:
    """A real hash of a throw-away string at `rounds`, made once per process."""
    return bcrypt.hashpw(b"ckm-timing-equaliser", bcrypt.gensalt(rounds))


def dummy_hash() -> str:
    """What an unknown username is checked against: a hash of the current cost, so that a
    failed login does the same work whether or not the account exists."""
    return HASH_PREFIX + _dummy_hash(BCRYPT_ROUNDS).decode()


def verify_password(password: str, stored: str | None) -> bool:
    """True when `password` matches `stored`; a missing or foreign hash never matches.

    Every call runs one bcrypt check of full cost, whatever the input, so the time taken
    does not tell a missing account or an over-long password from a wrong one.
    """
    if stored is None or not stored.startswith(HASH_PREFIX) or len(password) > MAX_LENGTH * 4:
        bcrypt.checkpw(_digest(password), dummy_hash().removeprefix(HASH_PREFIX).encode())
        return False
    return bcrypt.checkpw(_digest(password), stored.removeprefix(HASH_PREFIX).encode())
