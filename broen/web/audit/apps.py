from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "broen.web.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from broen.web.audit import receivers

        receivers.connect()
