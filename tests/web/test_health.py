"""/health/: JSON for load balancers and monitoring."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client
from pytest_django import Settings

from broen.web.core import views


@pytest.mark.django_db
def test_health_reports_ok(client: Client) -> None:
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


class _BrokenConnection:
    def cursor(self) -> None:
        raise OperationalError("connection refused")


def test_health_is_503_when_the_database_fails(
    client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(views, "connection", _BrokenConnection())
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}
    assert "database query failed" in caplog.text


def test_health_only_answers_get(client: Client) -> None:
    assert client.post("/health/").status_code == 405


@pytest.mark.django_db
def test_health_is_exempt_from_the_https_redirect(client: Client, settings: Settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/").status_code == 200
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
