"""Typed settings, read from the environment and `.streamlit/secrets.toml`.

The environment wins over the secrets file, so an operator can override one value without
editing files. Nothing here has a working default secret: the cookie-signing key is either
given explicitly or generated once per installation and stored in the data folder.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"

MIN_COOKIE_KEY_LENGTH = 32
# Values seen in tutorials and the authenticator's own examples; a key equal to one of these
# is public knowledge and would let anyone forge a login cookie.
KNOWN_PUBLIC_KEYS = frozenset(
    {"some_key", "some_signature_key", "abcdef", "changeme", "secret", "random_signature_key"}
)


class ConfigError(RuntimeError):
    """Raised when the settings are unusable; the message says what to fix."""


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about where it runs."""

    database_url: str
    data_dir: Path
    cookie_key: str
    cookie_name: str = "ckm_auth"
    cookie_expiry_days: float = 7.0
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    trash_retention_days: int = 30

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _secrets_file_values(path: Path) -> dict[str, object]:
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _lookup(name: str, file_values: dict[str, object]) -> str | None:
    """Environment variable CKM_<NAME> first, then `ckm_<name>` / `<name>` in secrets.toml."""
    env_value = os.environ.get(f"CKM_{name.upper()}")
    if env_value:
        return env_value
    for key in (f"ckm_{name}", name):
        value = file_values.get(key)
        if value not in (None, ""):
            return str(value)
    return None


def check_cookie_key(key: str) -> str:
    """Refuse keys that are short or publicly known; return the key unchanged otherwise."""
    if key.strip().lower() in KNOWN_PUBLIC_KEYS:
        raise ConfigError(
            "The cookie key is a well-known example value. Remove CKM_COOKIE_KEY to let CKM "
            "generate its own, or set a random value of at least 32 characters."
        )
    if len(key) < MIN_COOKIE_KEY_LENGTH:
        raise ConfigError(
            f"The cookie key is {len(key)} characters long; it must have at least "
            f"{MIN_COOKIE_KEY_LENGTH}. Generate one with: python -c "
            '"import secrets; print(secrets.token_urlsafe(48))"'
        )
    return key


def _local_cookie_key(data_dir: Path) -> str:
    """Read the installation's own key, creating it (readable by the owner only) on first use."""
    key_file = data_dir / ".cookie_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: if two app processes start at once, only one writes; the other reads its key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def load_settings(secrets_file: Path = SECRETS_FILE) -> Settings:
    """Build the settings for this process; raises ConfigError with a fix when unusable."""
    file_values = _secrets_file_values(secrets_file)
    data_dir = Path(_lookup("data_dir", file_values) or DEFAULT_DATA_DIR)
    database_url = _lookup("database_url", file_values) or f"sqlite:///{data_dir / 'ckm.db'}"
    if database_url.startswith("postgresql://"):
        # Plain postgresql:// would pick psycopg2, which we do not ship.
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    explicit_key = _lookup("cookie_key", file_values)
    cookie_key = check_cookie_key(explicit_key or _local_cookie_key(data_dir))
    expiry = float(_lookup("cookie_expiry_days", file_values) or 7.0)
    retention = int(_lookup("trash_retention_days", file_values) or 30)
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        cookie_key=cookie_key,
        cookie_expiry_days=expiry,
        trash_retention_days=retention,
    )
