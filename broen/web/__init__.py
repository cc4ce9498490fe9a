"""The Django project for the programme tracker (settings in ``broen.web.settings``)."""
