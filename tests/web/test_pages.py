"""Front page, login and logout, in Danish by default and in English on request."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broen.web.audit.models import AuditEvent

DANISH = "Broen forbinder kommune, region og civilsamfund"
ENGLISH = "Broen connects municipality, region and civil society"


def test_front_page_is_danish_by_default(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == "da"
    body = response.content.decode()
    assert '<html lang="da">' in body
    assert "<h1>Broen</h1>" in body
    assert DANISH in body
    assert "Log ind" in body


def test_front_page_is_english_when_the_browser_asks(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "en-GB,en;q=0.8"})
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert ENGLISH in body
    assert "Sign in" in body


def test_language_switch_sets_english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert ENGLISH in client.get("/").content.decode()


def test_front_page_uses_only_local_assets(client: Client) -> None:
    body = client.get("/").content.decode()
    assert 'href="/static/broen/broen.css"' in body
    assert "http://" not in body
    assert "https://" not in body


def test_login_page_renders_in_danish(client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Log ind</h1>" in body
    assert "Brugernavn" in body
    assert "Adgangskode" in body


@pytest.mark.django_db
def test_login_logs_in_and_is_audited(client: Client, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("alice", password="correct horse battery")
    response = client.post("/login/", {"username": "alice", "password": "correct horse battery"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    event = AuditEvent.objects.get()
    assert (event.action, event.user, event.object_id) == ("login", user, str(user.pk))
    assert event.ip == "127.0.0.1"
    assert "alice" in client.get("/").content.decode()


@pytest.mark.django_db
def test_failed_login_is_audited_without_credentials(client: Client) -> None:
    response = client.post("/login/", {"username": "mallory", "password": "guess"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    event = AuditEvent.objects.get()
    assert (event.action, event.user, event.object_type) == ("login_failed", None, "")


@pytest.mark.django_db
def test_logout_is_a_post_and_is_audited(client: Client, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("alice", password="correct horse battery")
    client.force_login(user)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert AuditEvent.objects.filter(action="logout", user=user).count() == 1
    assert "alice" not in client.get("/").content.decode()
