from __future__ import annotations

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who signs in to Broen (staff, analysts, administrators).

    Empty on purpose: a project's own user model cannot be introduced after the first
    migration without pain, so it is here before anything refers to ``auth.User``.
    """
