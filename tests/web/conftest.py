"""Django set-up for the web tests.

The repository-wide pytest configuration is shared with the Django-free analytics tests, so
Django is configured here: ``pytest_configure`` sets the environment the settings read, then
sets Django up. Tests use whatever DATABASE_URL says (CI: PostgreSQL); without it Django's
test runner uses an in-memory SQLite database.

    .venv/bin/pytest tests/web                                   # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/pytest tests/web
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest
from pytest_django import DjangoDbBlocker, Settings

TEST_SECRET_KEY = "test-only-secret-key-never-used-outside-the-test-suite-0123456789"

_data_dir: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _data_dir
    _data_dir = tempfile.mkdtemp(prefix="broen-test-data-")
    os.environ.pop("BROEN_SECRET_KEY_FILE", None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "broen.web.settings",
            "BROEN_SECRET_KEY": TEST_SECRET_KEY,
            "BROEN_DEBUG": "false",
            # The test client speaks plain HTTP; the production default is tested explicitly.
            "BROEN_SECURE_SSL_REDIRECT": "false",
            "BROEN_DATA_DIR": _data_dir,
        }
    )
    import django
    from django.apps import apps

    # Loaded from the rootdir, this conftest arrives after pytest-django has looked for
    # settings, so Django is set up here; loaded first (pytest tests/web), pytest-django
    # finds it set up already.
    if not apps.ready:
        django.setup()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _data_dir is not None:
        shutil.rmtree(_data_dir, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def _block_database_by_default(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Tests reach the database only through pytest-django's db fixtures and marks.

    pytest-django does this itself when it sets Django up; it does not when this conftest
    sets Django up (run from the rootdir), so the rule holds both ways.
    """
    django_db_blocker.block()
    yield
    django_db_blocker.restore()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
