"""Privacy settings: the block-list key and the retention periods.

Read like every other CKM setting (environment `CKM_<NAME>` first, then `.streamlit/secrets.toml`):
- `CKM_PRIVACY_KEY`: the secret that keys the block-list hashes. Without it, CKM generates one
  per installation in the data folder (`.privacy_key`, readable by the owner only). There is no
  built-in default: a key anyone knows would let them test phone numbers against the list.
- `CKM_TOUCHPOINT_RETENTION_DAYS`, `CKM_AUDIT_RETENTION_DAYS`: how long touchpoints and audit
  rows are kept, in days; 0 (the default) keeps them for ever.
"""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ckm.config import DEFAULT_DATA_DIR, SECRETS_FILE, ConfigError, _lookup, _secrets_file_values

MIN_KEY_LENGTH = 32
KEY_FILE_NAME = ".privacy_key"


@dataclass(frozen=True)
class RetentionPolicy:
    """Days to keep touchpoints and audit rows; 0 means keep for ever."""

    touchpoint_days: int = 0
    audit_days: int = 0


def _days(name: str, values: dict[str, object]) -> int:
    raw = _lookup(name, values)
    if raw is None:
        return 0
    try:
        days = int(raw)
    except ValueError:
        raise ConfigError(
            f"CKM_{name.upper()} must be a whole number of days (0 = keep)."
        ) from None
    if days < 0:
        raise ConfigError(f"CKM_{name.upper()} cannot be negative (0 = keep).")
    return days


def retention_policy(secrets_file: Path = SECRETS_FILE) -> RetentionPolicy:
    """The retention periods configured for this installation."""
    values = _secrets_file_values(secrets_file)
    return RetentionPolicy(
        touchpoint_days=_days("touchpoint_retention_days", values),
        audit_days=_days("audit_retention_days", values),
    )


def _data_dir(values: dict[str, object]) -> Path:
    return Path(_lookup("data_dir", values) or DEFAULT_DATA_DIR)


def _generated_key(data_dir: Path) -> str:
    key_file = data_dir / KEY_FILE_NAME
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once must end up with the same key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def load_key(secrets_file: Path = SECRETS_FILE) -> bytes:
    """The block-list key: configured, or generated once in the data folder."""
    values = _secrets_file_values(secrets_file)
    key = _lookup("privacy_key", values) or _generated_key(_data_dir(values))
    if len(key) < MIN_KEY_LENGTH or len(set(key)) < 8:
        raise ConfigError(
            "CKM_PRIVACY_KEY is too short or too simple; remove it to let CKM generate one, "
            "or set a random value of at least 32 characters."
        )
    return key.encode("utf-8")


@functools.cache
def blocklist_key() -> bytes:
    """The key for this process (read once: changing it would orphan every stored hash)."""
    return load_key()
