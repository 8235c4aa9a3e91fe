"""Putting the console into the server's application: its pages, its static files (htmx and
Swagger UI served from here, never from a CDN), the API's docs page, and HTML answers for errors
on the console's paths (the API keeps its JSON)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..config import ServerSettings
from ..errors import ServerError, ServerErrorCode
from ..timezones import local_zone
from .auth import CsrfRefused, SignInRequired
from .pages import accounts, configuration, events, overview, signin, verification, workstations
from .web import SECURITY_HEADERS, Page, page_url, redirect, render

__all__ = ["CONSOLE_ROUTERS", "UPLOAD_LIMITS", "install_console"]

STATIC = Path(__file__).parent / "static"
CONSOLE_ROUTERS = tuple(module.router for module in (signin, overview, events, verification, workstations,
                                                     configuration, accounts))
_HTTP = {404: ServerErrorCode.NOT_FOUND, 405: ServerErrorCode.METHOD_NOT_ALLOWED, 413: ServerErrorCode.BODY_TOO_LARGE}


def UPLOAD_LIMITS(settings: ServerSettings) -> dict[str, int]:  # noqa: N802 — read as a table
    """Paths allowed a larger body than `max_body_bytes`: the export uploaded to re-verify."""
    return {verification.UPLOAD_PATH: settings.max_upload_bytes}


def install_console(api: FastAPI) -> None:
    for router in CONSOLE_ROUTERS:
        api.include_router(router)
    api.mount("/static", StaticFiles(directory=STATIC), name="static")
    api.add_api_route("/api/v1/docs", _docs, include_in_schema=False)
    _html_errors_on_console_paths(api)


def _docs(request: Request) -> HTMLResponse:
    """Swagger UI for the published schema, every script and style served by kyso-server."""
    page = Page(request, zone=local_zone("UTC"))
    return render(page, "api_docs.html")


def _console_path(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


Handler = Callable[[Request, Exception], Awaitable[Response]]


def _html_errors_on_console_paths(api: FastAPI) -> None:
    """The console's errors as pages, in the user's language; the API's stay JSON."""
    json_handlers: dict[type, Handler] = {kind: api.exception_handlers[kind] for kind in
                                          (ServerError, RequestValidationError, StarletteHTTPException, Exception)}

    def dispatch(kind: type) -> Handler:
        async def handler(request: Request, exc: Exception) -> Response:
            if _console_path(request):
                return _console_error(request, exc)
            return await json_handlers[kind](request, exc)

        return handler

    for kind in json_handlers:
        api.add_exception_handler(kind, dispatch(kind))
    api.add_exception_handler(SignInRequired, _sign_in)
    api.add_exception_handler(CsrfRefused, lambda request, exc: _error_page(request, ServerError(
        ServerErrorCode.FORBIDDEN), message_code="CONSOLE_CSRF_REFUSED"))


def _sign_in(request: Request, exc: Exception) -> Response:
    reason = exc.reason if isinstance(exc, SignInRequired) else ""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = "/"
    return redirect(page_url("/login", next=target if target != "/" else "", ended=reason), request=request)


def _console_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ServerError):
        return _error_page(request, exc)
    if isinstance(exc, RequestValidationError):
        return _error_page(request, ServerError(ServerErrorCode.REQUEST_INVALID, detail="form"))
    if isinstance(exc, StarletteHTTPException):
        error = ServerError(_HTTP.get(exc.status_code, ServerErrorCode.REQUEST_INVALID), detail=str(exc.detail)[:200],
                            limit=request.app.state.kyso.settings.max_upload_bytes)
        response = _error_page(request, error)
        response.status_code = exc.status_code
        return response
    import logging

    logging.getLogger("kyso.server").exception("unexpected error on %s %s", request.method, request.url.path)
    return _error_page(request, ServerError(ServerErrorCode.INTERNAL))


def _error_page(request: Request, error: ServerError, *, message_code: str | None = None) -> HTMLResponse:
    page = Page(request, zone=local_zone(request.app.state.kyso.settings.console_timezone))
    message = page.t(message_code) if message_code else page.t(error.code.value, **error.params)
    return render(page, "error.html", status_code=error.status, error=error, message=message,
                  headers=SECURITY_HEADERS)
