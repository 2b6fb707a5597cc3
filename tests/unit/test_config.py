"""Settings: one table, plain messages for bad values, private files, keys with real entropy."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from ckm.config import SETTINGS, ConfigError, check_cookie_key, load_settings

ROOT = Path(__file__).resolve().parents[2]
NONE = Path("/nonexistent/secrets.toml")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for setting in SETTINGS:
        monkeypatch.delenv(setting.variable, raising=False)
    monkeypatch.setenv("CKM_DATA_DIR", str(tmp_path / "data"))


def test_first_start_generates_a_private_key_and_keeps_it(tmp_path: Path) -> None:
    first = load_settings(secrets_file=tmp_path / "none.toml")
    key_file = tmp_path / "data" / ".cookie_key"
    assert len(first.cookie_key) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_settings(secrets_file=tmp_path / "none.toml").cookie_key == first.cookie_key


def test_the_data_folder_and_key_are_owner_only_even_if_they_existed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o775)
    data.chmod(0o775)
    (data / ".cookie_key").write_text("Zq8-" + "x7Lp" * 4 + "mN2vR9tK0wBc5yHs", encoding="utf-8")
    (data / ".cookie_key").chmod(0o644)
    load_settings(secrets_file=NONE)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / ".cookie_key").stat().st_mode) == 0o600


def test_default_database_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(secrets_file=tmp_path / "none.toml")
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'ckm.db'}"


@pytest.mark.parametrize(
    "key",
    [
        "some_key",
        "abcdef",
        "short-but-random",
        "a" * 32,
        "ab" * 20,
        "0123456789abcdef" * 2,  # ten-plus characters, but a repeated pattern
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
    ],
)
def test_known_short_or_predictable_keys_are_refused(
    key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CKM_COOKIE_KEY", key)
    with pytest.raises(ConfigError):
        load_settings(secrets_file=NONE)


@pytest.mark.parametrize(
    "key",
    [
        "k3J9xQ2mVt7LwP0zRb5NcY8dHs4FgA1e",  # 32 random letters and digits
        "5f0c2e9a71b3d8466e2a9c0f4b7d1e38a2c5f9b0d6e3a7c1",  # hex from `openssl rand -hex 24`
        "Vq9-ZtR2_xW8pL4kN0mJ7hC5yB3aF6dG1sE9uT2oI8rQ4wX0vY6bM3nK7jH5gP1z",  # token_urlsafe(48)
    ],
)
def test_random_keys_pass(key: str) -> None:
    assert check_cookie_key(key) == key


def test_secrets_file_is_read_and_env_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = "k3J9xQ2mVt7LwP0zRb5NcY8dHs4FgA1e"
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        'ckm_database_url = "postgresql://postgres@127.0.0.1/ckm"\n'
        f'ckm_cookie_key = "{key}"\n'
        "ckm_cookie_expiry_days = 3\n",
        encoding="utf-8",
    )
    settings = load_settings(secrets_file=secrets)
    assert settings.database_url == "postgresql+psycopg://postgres@127.0.0.1/ckm"
    assert settings.cookie_key == key
    assert settings.cookie_expiry_days == 3.0
    monkeypatch.setenv("CKM_DATABASE_URL", "sqlite:////tmp/other.db")
    assert load_settings(secrets_file=secrets).database_url == "sqlite:////tmp/other.db"


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("CKM_COOKIE_EXPIRY_DAYS", "seven", "CKM_COOKIE_EXPIRY_DAYS is “seven”, which is not a"),
        ("CKM_COOKIE_EXPIRY_DAYS", "-1", "must be at least"),
        ("CKM_COOKIE_EXPIRY_DAYS", "nan", "must be at least"),
        ("CKM_TRASH_RETENTION_DAYS", "2.5", "not a whole number"),
        ("CKM_LOGIN_MAX_FAILURES", "0", "must be at least 1"),
        ("CKM_DB_POOL_SIZE", "lots", "not a whole number"),
        ("CKM_DATABASE_URL", "mysql://x/y", "must start with"),
    ],
)
def test_every_bad_value_gets_a_plain_config_error(
    variable: str, value: str, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_settings(secrets_file=NONE)


def test_a_broken_secrets_file_is_a_config_error(tmp_path: Path) -> None:
    broken = tmp_path / "secrets.toml"
    broken.write_text("ckm_cookie_key = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(secrets_file=broken)


def test_every_setting_is_read_into_the_settings() -> None:
    settings = load_settings(secrets_file=NONE)
    for setting in SETTINGS:
        assert hasattr(settings, setting.name), setting.name


def test_the_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(CKM_[A-Z_]+)` \|", table, flags=re.MULTILINE))
    assert documented == {setting.variable for setting in SETTINGS}
