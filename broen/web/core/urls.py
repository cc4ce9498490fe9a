from django.urls import path

from broen.web.core import views

urlpatterns = [
    path("", views.index, name="broen-index"),
    path("health/", views.health, name="broen-health"),
]
