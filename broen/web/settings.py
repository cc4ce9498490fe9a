"""Django settings for the Broen web app.

Configuration comes from environment variables only, parsed strictly in this file: a missing
required value or a value outside the accepted set stops start-up with ``ImproperlyConfigured``
naming the variable. Every variable is documented in docs/configuration.md and has a safe
example in .env.example. An empty value counts as unset.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

_TRUE = ("true", "1")
_FALSE = ("false", "0")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _raw(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def env_str(name: str, default: str, *, choices: Sequence[str] | None = None) -> str:
    value = _raw(name)
    if value is None:
        return default
    if choices is not None and value not in choices:
        accepted = ", ".join(choices)
        raise ImproperlyConfigured(f"{name} must be one of: {accepted} (got {value!r})")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of: true, false, 1, 0 (got {value!r})")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number: int | None = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number >= {minimum} (got {value!r})")
    return number


def env_list(name: str) -> list[str]:
    """A comma-separated list; blanks around items are dropped."""
    value = _raw(name) or ""
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, *, required: bool) -> str | None:
    """Read ``NAME_FILE`` (a path, e.g. a Docker secret) if set, else ``NAME``.

    The value itself never appears in an error message.
    """
    file_name = f"{name}_FILE"
    path, value = _raw(file_name), _raw(name)
    if path is not None and value is not None:
        raise ImproperlyConfigured(f"Set {name} or {file_name}, not both")
    if path is not None:
        try:
            value = Path(path).read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{file_name} points to {path!r}, which cannot be read: {exc.strerror}"
            ) from exc
        if value is None:
            raise ImproperlyConfigured(f"{file_name} points to an empty file: {path!r}")
    if value is None and required:
        raise ImproperlyConfigured(
            f"{name} is required: set {name}, or {file_name} to a file holding the value"
        )
    return value


def _database(url: str | None, data_dir: Path, conn_max_age: int) -> dict[str, Any]:
    if url is None:
        data_dir.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{data_dir / 'web.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    except ValueError as exc:
        # The URL may hold a password: name the variable, never echo the value.
        raise ImproperlyConfigured(
            "DATABASE_URL is not a valid database URL; accepted: postgres://..., sqlite:///..."
        ) from exc
    return dict(config)


# --- Paths ------------------------------------------------------------------------------------

WEB_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("BROEN_DATA_DIR", "broen-data")).resolve()

# --- Core -------------------------------------------------------------------------------------

SECRET_KEY = env_secret("BROEN_SECRET_KEY", required=True)
DEBUG = env_bool("BROEN_DEBUG", False)
ALLOWED_HOSTS = env_list("BROEN_ALLOWED_HOSTS")
if DEBUG:
    ALLOWED_HOSTS += [h for h in ("localhost", "127.0.0.1") if h not in ALLOWED_HOSTS]
CSRF_TRUSTED_ORIGINS = env_list("BROEN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "broen.web.accounts",
    "broen.web.audit",
    "broen.web.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "broen.web.urls"
WSGI_APPLICATION = "broen.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------

DATABASES = {
    "default": _database(
        env_secret("DATABASE_URL", required=False),
        DATA_DIR,
        env_int("BROEN_DB_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and sessions -----------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "broen-login"
LOGIN_REDIRECT_URL = "broen-index"
LOGOUT_REDIRECT_URL = "broen-index"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("BROEN_SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=60)

# --- Security ---------------------------------------------------------------------------------

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("BROEN_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe the health check over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("BROEN_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("BROEN_HSTS_PRELOAD", False)
if env_bool("BROEN_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Language and time ------------------------------------------------------------------------

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [WEB_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

# --- Static files: always served from this installation, never from a CDN ---------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [WEB_DIR / "static"]
STATIC_ROOT = Path(env_str("BROEN_STATIC_ROOT", str(DATA_DIR / "static"))).resolve()

# --- Logging: everything to stderr, the process manager collects it ---------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
        },
    },
    "root": {
        "handlers": ["stderr"],
        "level": env_str("BROEN_LOG_LEVEL", "INFO", choices=_LOG_LEVELS),
    },
}
