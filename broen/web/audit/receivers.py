"""Record sign-in, sign-out and failed sign-in as audit events."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import signals
from django.http import HttpRequest

from broen.web.audit.models import AuditEvent, record


def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record(request, AuditEvent.Action.LOGIN, user)


def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(request, AuditEvent.Action.LOGOUT, user)


def _login_failed(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    # The attempted credentials are deliberately not stored.
    record(request, AuditEvent.Action.LOGIN_FAILED)


def connect() -> None:
    signals.user_logged_in.connect(_logged_in, dispatch_uid="broen-audit-login")
    signals.user_logged_out.connect(_logged_out, dispatch_uid="broen-audit-logout")
    signals.user_login_failed.connect(_login_failed, dispatch_uid="broen-audit-login-failed")
