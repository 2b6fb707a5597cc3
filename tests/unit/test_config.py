"""Settings refuse unusable secrets and generate a private key on first start."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ckm.config import ConfigError, check_cookie_key, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CKM_DATABASE_URL", "CKM_COOKIE_KEY", "CKM_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CKM_DATA_DIR", str(tmp_path / "data"))


def test_first_start_generates_a_private_key_and_keeps_it(tmp_path: Path) -> None:
    first = load_settings(secrets_file=tmp_path / "none.toml")
    key_file = tmp_path / "data" / ".cookie_key"
    assert len(first.cookie_key) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_settings(secrets_file=tmp_path / "none.toml").cookie_key == first.cookie_key


def test_default_database_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(secrets_file=tmp_path / "none.toml")
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'ckm.db'}"


@pytest.mark.parametrize("key", ["some_key", "abcdef", "short-but-random"])
def test_known_or_short_keys_are_refused(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CKM_COOKIE_KEY", key)
    with pytest.raises(ConfigError):
        load_settings(secrets_file=Path("/nonexistent/secrets.toml"))


def test_secrets_file_is_read_and_env_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        'ckm_database_url = "postgresql://postgres@127.0.0.1/ckm"\n'
        f'ckm_cookie_key = "{"k" * 40}"\n',
        encoding="utf-8",
    )
    settings = load_settings(secrets_file=secrets)
    assert settings.database_url == "postgresql+psycopg://postgres@127.0.0.1/ckm"
    assert settings.cookie_key == "k" * 40
    monkeypatch.setenv("CKM_DATABASE_URL", "sqlite:////tmp/other.db")
    assert load_settings(secrets_file=secrets).database_url == "sqlite:////tmp/other.db"


def test_a_long_random_key_passes() -> None:
    assert check_cookie_key("x" * 32) == "x" * 32
