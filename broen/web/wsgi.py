"""WSGI entry point: ``gunicorn broen.web.wsgi`` (or any WSGI server)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broen.web.settings")

application = get_wsgi_application()
