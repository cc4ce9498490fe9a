"""URL configuration: each app's urls plus the admin and the language switch."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("broen.web.core.urls")),
    path("", include("broen.web.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
