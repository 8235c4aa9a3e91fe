"""The central audit server: enrolment, ingestion, verification, query and export, and the
administrators' console (docs/server.md).

Only this package imports FastAPI. From the desktop side it imports only pure modules both sides
must share: `app.audit.wire` (the event format), `app.catalogue.loader` (and its `model`) and
`app.policy` (a catalogue or policy is validated on the server exactly as the workstation will).
"""

__all__: list[str] = []
