"""Append-only audit log: who did what to which object, when, from where.

Views call ``broen.web.audit.models.record(request, action, obj)`` whenever personal data is
viewed or changed; sign-ins and sign-outs are recorded by the receivers in ``receivers.py``.
"""
