"""The central audit server: enrolment, ingestion, verification, query and export (docs/server.md).

Only this package imports FastAPI. From the desktop side it imports one module, `app.audit.wire`,
the event format both sides must share.
"""

__all__: list[str] = []
