"""broen/web/settings.py read under controlled environments, one fresh module per test."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from django.core.exceptions import ImproperlyConfigured

import broen.web

SETTINGS_PY = Path(broen.web.__file__).parent / "settings.py"

LoadSettings = Callable[..., ModuleType]


@pytest.fixture
def load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> LoadSettings:
    """Return a function that executes settings.py with exactly the given variables."""

    def _load(**env: str) -> ModuleType:
        for key in list(os.environ):
            if key.startswith(("BROEN_", "DATABASE_URL")):
                monkeypatch.delenv(key)
        monkeypatch.setenv("BROEN_DATA_DIR", str(tmp_path / "data"))
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        spec = importlib.util.spec_from_file_location("broen_settings_under_test", SETTINGS_PY)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return _load


def test_debug_defaults_to_false_with_secure_cookies(load: LoadSettings) -> None:
    s = load(BROEN_SECRET_KEY="k")
    assert s.DEBUG is False
    assert s.ALLOWED_HOSTS == []
    assert s.SESSION_COOKIE_SECURE is True
    assert s.CSRF_COOKIE_SECURE is True
    assert s.SECURE_SSL_REDIRECT is True
    assert s.X_FRAME_OPTIONS == "DENY"
    assert s.SECURE_CONTENT_TYPE_NOSNIFF is True
    assert s.SECURE_REFERRER_POLICY == "same-origin"


def test_debug_adds_localhost_and_relaxes_cookies(load: LoadSettings) -> None:
    s = load(BROEN_SECRET_KEY="k", BROEN_DEBUG="true", BROEN_ALLOWED_HOSTS="broen.test")
    assert s.DEBUG is True
    assert s.ALLOWED_HOSTS == ["broen.test", "localhost", "127.0.0.1"]
    assert s.SESSION_COOKIE_SECURE is False
    assert s.SECURE_SSL_REDIRECT is False


def test_missing_secret_key_fails_start_up(load: LoadSettings) -> None:
    with pytest.raises(ImproperlyConfigured, match="BROEN_SECRET_KEY is required"):
        load()


def test_empty_secret_key_counts_as_missing(load: LoadSettings) -> None:
    with pytest.raises(ImproperlyConfigured, match="BROEN_SECRET_KEY is required"):
        load(BROEN_SECRET_KEY="  ")


def test_secret_key_is_read_from_file(load: LoadSettings, tmp_path: Path) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text("from-a-docker-secret\n", encoding="utf-8")
    s = load(BROEN_SECRET_KEY_FILE=str(secret))
    assert s.SECRET_KEY == "from-a-docker-secret"


def test_unreadable_secret_file_is_named(load: LoadSettings, tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="BROEN_SECRET_KEY_FILE points to"):
        load(BROEN_SECRET_KEY_FILE=str(tmp_path / "missing"))


def test_secret_and_secret_file_together_fail(load: LoadSettings, tmp_path: Path) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text("a", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="not both"):
        load(BROEN_SECRET_KEY="b", BROEN_SECRET_KEY_FILE=str(secret))


def test_bad_bool_names_variable_and_accepted_values(load: LoadSettings) -> None:
    with pytest.raises(ImproperlyConfigured) as excinfo:
        load(BROEN_SECRET_KEY="k", BROEN_DEBUG="yes")
    assert str(excinfo.value) == "BROEN_DEBUG must be one of: true, false, 1, 0 (got 'yes')"


@pytest.mark.parametrize("value", ["True", "TRUE", "1"])
def test_bool_accepts_any_case(load: LoadSettings, value: str) -> None:
    assert load(BROEN_SECRET_KEY="k", BROEN_DEBUG=value).DEBUG is True


@pytest.mark.parametrize("value", ["a year", "-1", "1.5"])
def test_bad_int_names_variable(load: LoadSettings, value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="BROEN_HSTS_SECONDS must be a whole number"):
        load(BROEN_SECRET_KEY="k", BROEN_HSTS_SECONDS=value)


def test_bad_choice_lists_accepted_values(load: LoadSettings) -> None:
    with pytest.raises(ImproperlyConfigured, match="BROEN_LOG_LEVEL must be one of: DEBUG, INFO"):
        load(BROEN_SECRET_KEY="k", BROEN_LOG_LEVEL="verbose")


def test_allowed_hosts_and_csrf_origins_are_comma_lists(load: LoadSettings) -> None:
    s = load(
        BROEN_SECRET_KEY="k",
        BROEN_ALLOWED_HOSTS=" broen.kommune.dk, ,broen.internal ",
        BROEN_CSRF_TRUSTED_ORIGINS="https://broen.kommune.dk",
    )
    assert s.ALLOWED_HOSTS == ["broen.kommune.dk", "broen.internal"]
    assert s.CSRF_TRUSTED_ORIGINS == ["https://broen.kommune.dk"]


def test_default_database_is_sqlite_in_data_dir(load: LoadSettings, tmp_path: Path) -> None:
    db = load(BROEN_SECRET_KEY="k").DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "data" / "web.sqlite3")
    assert (tmp_path / "data").is_dir()


def test_database_url_selects_postgresql(load: LoadSettings) -> None:
    s = load(
        BROEN_SECRET_KEY="k",
        DATABASE_URL="postgres://broen:pw@db.internal:5432/broen",
        BROEN_DB_CONN_MAX_AGE="60",
    )
    db = s.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["NAME"], db["CONN_MAX_AGE"]) == ("db.internal", "broen", 60)


def test_database_url_is_read_from_file(load: LoadSettings, tmp_path: Path) -> None:
    url = tmp_path / "database_url"
    url.write_text("postgres://broen:pw@db.internal/broen\n", encoding="utf-8")
    s = load(BROEN_SECRET_KEY="k", DATABASE_URL_FILE=str(url))
    assert s.DATABASES["default"]["PASSWORD"] == "pw"


def test_bad_database_url_does_not_echo_the_password(load: LoadSettings) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL") as excinfo:
        load(BROEN_SECRET_KEY="k", DATABASE_URL="mysqlx://broen:hunter2@db/broen")
    assert "hunter2" not in str(excinfo.value)


def test_language_time_zone_and_static(load: LoadSettings, tmp_path: Path) -> None:
    static_root = tmp_path / "static"
    s = load(BROEN_SECRET_KEY="k", BROEN_STATIC_ROOT=str(static_root))
    assert s.LANGUAGE_CODE == "da"
    assert [code for code, _ in s.LANGUAGES] == ["da", "en"]
    assert "django.middleware.locale.LocaleMiddleware" in s.MIDDLEWARE
    assert (s.TIME_ZONE, s.USE_TZ) == ("Europe/Copenhagen", True)
    assert s.STATIC_URL == "/static/"
    assert str(s.STATIC_ROOT) == str(static_root)


def test_proxy_header_is_trusted_only_when_asked(load: LoadSettings) -> None:
    assert not hasattr(load(BROEN_SECRET_KEY="k"), "SECURE_PROXY_SSL_HEADER")
    s = load(BROEN_SECRET_KEY="k", BROEN_TRUST_X_FORWARDED_PROTO="true")
    assert s.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
