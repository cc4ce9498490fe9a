"""The audit log is append-only: events are inserted, never changed or deleted."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.test import Client, RequestFactory

from broen.web.audit.models import AppendOnlyError, AuditEvent, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("alice", password="correct horse battery")


@pytest.fixture
def event(rf: RequestFactory, alice: Any) -> AuditEvent:
    request = rf.get("/", REMOTE_ADDR="10.0.0.7")
    request.user = alice
    return record(request, AuditEvent.Action.VIEW, alice)


def test_record_stores_who_what_and_where(event: AuditEvent, alice: Any) -> None:
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.user == alice
    assert stored.action == "view"
    assert (stored.object_type, stored.object_id) == ("accounts.user", str(alice.pk))
    assert stored.ip == "10.0.0.7"
    assert stored.timestamp is not None


def test_record_without_request_or_object(db: None) -> None:
    event = record(None, AuditEvent.Action.CREATE)
    assert (event.user, event.ip, event.object_type, event.object_id) == (None, None, "", "")


def test_event_cannot_be_saved_again(event: AuditEvent) -> None:
    event.action = AuditEvent.Action.DELETE
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "view"


def test_loaded_event_cannot_be_changed(event: AuditEvent) -> None:
    loaded = AuditEvent.objects.get(pk=event.pk)
    loaded.object_id = "42"
    with pytest.raises(AppendOnlyError):
        loaded.save(update_fields=["object_id"])


def test_new_instance_with_existing_pk_does_not_overwrite(event: AuditEvent) -> None:
    forged = AuditEvent(pk=event.pk, action=AuditEvent.Action.LOGIN)
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "view"


def test_event_cannot_be_deleted(event: AuditEvent) -> None:
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused(event: AuditEvent) -> None:
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="delete")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "view"


def test_user_with_audit_events_cannot_be_deleted(event: AuditEvent, alice: Any) -> None:
    with pytest.raises(ProtectedError):
        alice.delete()


def test_admin_is_read_only(admin_client: Client, event: AuditEvent) -> None:
    base = "/admin/audit/auditevent/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.get(f"{base}{event.pk}/delete/").status_code == 403
    change = admin_client.get(f"{base}{event.pk}/change/")
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert admin_client.post(f"{base}{event.pk}/change/", {"action": "delete"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "view"
