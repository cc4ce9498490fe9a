from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from broen.web.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: audit events are looked at, never added, changed or deleted."""

    list_display = ("timestamp", "user", "action", "object_type", "object_id", "ip")
    list_filter = ("action",)
    search_fields = ("user__username", "object_type", "object_id")
    date_hierarchy = "timestamp"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
