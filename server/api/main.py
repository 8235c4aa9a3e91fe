"""The FastAPI application: routes, error handlers, the body limit, the published OpenAPI schema."""

from __future__ import annotations

from fastapi import FastAPI

from app import __version__

from ..config import ServerSettings
from ..console import UPLOAD_LIMITS, install_console
from ..db import Database
from ..guard import Guard, SharedCounters
from ..receipts import ReceiptSigner, load_signer
from ..security import use_password_worker
from .errors import install_error_handlers
from .limits import BodyLimit, SignInGate, StrictTransport
from .routes import admin, audit, auth, enrol, ingest, meta, unit_config, workstation_state
from .state import ServerState

__all__ = ["KysoApi", "create_app"]


class KysoApi(FastAPI):
    """FastAPI with the sign-in gate in front of everything (server/api/limits.py): a refused
    sign-in never enters the middleware stack, the router or a thread."""

    gate: SignInGate | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and self.gate is not None and await self.gate.refused(scope, send):
            return
        await super().__call__(scope, receive, send)


def create_app(settings: ServerSettings, *, database: Database | None = None,
               signer: ReceiptSigner | None = None) -> FastAPI:
    """The application on an already migrated database (`server.migrate.upgrade`). `signer`
    replaces the receipt key the settings name (`kyso-server openapi`: the schema needs no key)."""
    database = database or Database(settings.resolved_database_url, lock_timeout_seconds=settings.lock_timeout_seconds)
    signer = signer or load_signer(database=database, key_file=settings.receipt_key_file)
    shared = SharedCounters(database) if settings.shared_sign_in_limits else None  # limits in total across processes
    state = ServerState(settings, database, signer, Guard(settings.guard_limits, shared=shared))
    api = KysoApi(title="kyso audit server", version=__version__,
                  description="Central audit server of kyso: enrolment, ingestion with receipts, query, "
                              "export, verification and configuration (docs/server.md).",
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None)
    api.state.kyso = state
    api.gate = SignInGate(guard=state.guard, hsts_seconds=settings.hsts_seconds,
                          delay_seconds=settings.sign_in_refusal_delay_seconds)
    if settings.password_worker:
        use_password_worker()  # argon2 at low priority, in its own process (server/security.py)
    for module in (meta, enrol, ingest, unit_config, workstation_state, auth, audit, admin):
        api.include_router(module.router)
    install_error_handlers(api)
    install_console(api)  # the administrators' console at / and the API's docs page, every asset local
    api.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, larger=UPLOAD_LIMITS(settings))
    api.add_middleware(StrictTransport, seconds=settings.hsts_seconds)
    return api
