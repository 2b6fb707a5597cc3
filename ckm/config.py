"""Typed settings, read from the environment and `.streamlit/secrets.toml`.

Every setting is one row of `SETTINGS`: its name, type, default and a line of help. The
environment (`CKM_<NAME>`) wins over the secrets file (`ckm_<name>` or `<name>`), so an
operator can override one value without editing files. A value that cannot be used raises
`ConfigError` with a plain sentence saying which setting and what to write instead.

Nothing here has a working default secret: the cookie-signing key is either given explicitly
or generated once per installation and stored (owner-only) in the data folder.
"""

from __future__ import annotations

import math
import os
import secrets
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ckm.db import PoolSettings
from ckm.private_files import FILE_MODE, private_folder

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"

MIN_COOKIE_KEY_LENGTH = 32
MIN_COOKIE_KEY_DISTINCT = 10
MIN_COOKIE_KEY_BITS = 96
# Values seen in tutorials and the authenticator's own examples; a key equal to one of these
# is public knowledge and would let anyone forge a login cookie.
KNOWN_PUBLIC_KEYS = frozenset(
    {"some_key", "some_signature_key", "abcdef", "changeme", "secret", "random_signature_key"}
)


class ConfigError(RuntimeError):
    """Raised when the settings are unusable; the message says what to fix."""


@dataclass(frozen=True)
class Setting:
    """One setting: its name (CKM_<NAME> in the environment), type, default and help."""

    name: str
    kind: str  # "text", "secret", "folder", "whole number" or "number"
    default: str  # as documented; "" when computed (see `help`)
    help: str
    minimum: float | None = None

    @property
    def variable(self) -> str:
        return f"CKM_{self.name.upper()}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url",
        "text",
        "",
        "where the data lives; default: the SQLite file ckm.db in the data folder",
    ),
    Setting(
        "data_dir",
        "folder",
        "data/",
        "folder for the SQLite file and the generated cookie key (made owner-only)",
    ),
    Setting(
        "cookie_key",
        "secret",
        "",
        "key that signs the login cookie; default: generated into data/.cookie_key. At least "
        "32 random characters; example values and keys with little variety are refused",
    ),
    Setting("cookie_name", "text", "ckm_auth", "name of the login cookie in the browser"),
    Setting(
        "cookie_expiry_days",
        "number",
        "7",
        "how long a browser stays signed in without the password (also across reloads)",
        minimum=0.01,
    ),
    Setting(
        "login_max_failures",
        "whole number",
        "5",
        "wrong passwords in a row before a username is locked",
        minimum=1,
    ),
    Setting(
        "login_lock_minutes",
        "whole number",
        "15",
        "how long a username stays locked after too many wrong passwords",
        minimum=1,
    ),
    Setting(
        "trash_retention_days",
        "whole number",
        "30",
        "how long deleted notes stay in the trash",
        minimum=1,
    ),
    Setting(
        "db_pool_size",
        "whole number",
        "10",
        "database connections each app process keeps open",
        minimum=1,
    ),
    Setting(
        "db_max_overflow",
        "whole number",
        "30",
        "extra connections a process may open at busy moments",
        minimum=0,
    ),
    Setting(
        "db_wait_seconds",
        "number",
        "30",
        "how long a save waits for the database before asking the user to try again",
        minimum=1,
    ),
)


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
    db_pool_size: int = 10
    db_max_overflow: int = 30
    db_wait_seconds: float = 30.0

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def pool(self) -> PoolSettings:
        return PoolSettings(self.db_pool_size, self.db_max_overflow, self.db_wait_seconds)


def _secrets_file_values(path: Path) -> dict[str, object]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as problem:
        raise ConfigError(f"{path} is not valid TOML ({problem}). Fix or remove it.") from None


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


def _number(setting: Setting, raw: str, parse: Callable[[str], float]) -> float:
    example = "30" if setting.kind == "whole number" else "7 or 0.5"
    try:
        value = parse(raw.strip())
    except ValueError:
        raise ConfigError(
            f"{setting.variable} is “{raw}”, which is not a {setting.kind}. Write a "
            f"{setting.kind} such as {example} ({setting.help})."
        ) from None
    if not math.isfinite(value) or (setting.minimum is not None and value < setting.minimum):
        raise ConfigError(
            f"{setting.variable} is {raw}; it must be at least {setting.minimum:g} "
            f"({setting.help})."
        )
    return value


def _key_bits(key: str) -> float:
    """A rough estimate of a key's randomness: its length times the Shannon entropy of its
    character distribution, in bits."""
    counts = Counter(key)
    return -len(key) * sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())


def _is_periodic(key: str) -> bool:
    """True when the key is a shorter string repeated (e.g. "abcd" * 8)."""
    return any(
        key == (key[:period] * (len(key) // period + 1))[: len(key)]
        for period in range(1, len(key) // 2 + 1)
    )


def check_cookie_key(key: str) -> str:
    """Refuse keys that are short, publicly known or not random; return the key unchanged.

    A key anyone can guess lets them forge a login cookie for any user, so length alone is
    not enough: "a" * 32 is long but guessable.
    """
    generate = (
        'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))", '
        "or remove CKM_COOKIE_KEY to let CKM generate its own."
    )
    if key.strip().lower() in KNOWN_PUBLIC_KEYS:
        raise ConfigError(f"The cookie key is a well-known example value. {generate}")
    if len(key) < MIN_COOKIE_KEY_LENGTH:
        raise ConfigError(
            f"The cookie key is {len(key)} characters long; it must have at least "
            f"{MIN_COOKIE_KEY_LENGTH}. {generate}"
        )
    if (
        len(set(key)) < MIN_COOKIE_KEY_DISTINCT
        or _key_bits(key) < MIN_COOKIE_KEY_BITS
        or _is_periodic(key)
    ):
        raise ConfigError(
            "The cookie key is too predictable (too few different characters, or a "
            f"repeated pattern), so a cookie signed with it could be forged. {generate}"
        )
    return key


def _local_cookie_key(data_dir: Path) -> str:
    """Read the installation's own key, creating it (readable by the owner only) on first use."""
    key_file = data_dir / ".cookie_key"
    if key_file.exists():
        os.chmod(key_file, FILE_MODE)
        return key_file.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    # O_EXCL: if two app processes start at once, only one writes; the other reads its key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return key_file.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def _data_dir(raw: str | None) -> Path:
    path = Path(raw) if raw else DEFAULT_DATA_DIR
    try:
        return private_folder(path)
    except OSError as problem:
        raise ConfigError(
            f"CKM_DATA_DIR is {path}, which CKM cannot create or use ({problem.strerror}). "
            "Point it at a folder this account may write to."
        ) from None


def load_settings(secrets_file: Path = SECRETS_FILE) -> Settings:
    """Build the settings for this process; raises ConfigError with a fix when unusable."""
    file_values = _secrets_file_values(secrets_file)
    values: dict[str, str | None] = {s.name: _lookup(s.name, file_values) for s in SETTINGS}
    data_dir = _data_dir(values["data_dir"])
    database_url = values["database_url"] or f"sqlite:///{data_dir / 'ckm.db'}"
    if database_url.startswith("postgresql://"):
        # Plain postgresql:// would pick psycopg2, which we do not ship.
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    if not database_url.startswith(("sqlite:", "postgresql+psycopg:")):
        raise ConfigError(
            "CKM_DATABASE_URL must start with sqlite:/// (a file) or postgresql:// "
            "(a PostgreSQL server)."
        )
    typed: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = values[setting.name]
        if raw is None or setting.kind not in ("number", "whole number"):
            continue
        typed[setting.name] = (
            int(_number(setting, raw, int))
            if setting.kind == "whole number"
            else _number(setting, raw, float)
        )
    if values["cookie_name"] is not None:
        typed["cookie_name"] = values["cookie_name"]
    cookie_key = check_cookie_key(values["cookie_key"] or _local_cookie_key(data_dir))
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        cookie_key=cookie_key,
        **typed,
    )
