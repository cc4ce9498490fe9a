"""Broen: outcome-based prevention for Danish municipalities and regions.

Importing ``broen`` pulls in neither Django nor the data libraries; import the part you need:
``broen.analytics`` (the library), ``broen.web`` (the Django project) or ``broen.cli``.
"""

__version__ = "0.1.0"
