"""What every console page shares: the templates, the language, times in the unit's zone, the
HTML answers (pages, redirects, errors) and the security headers every page carries."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..messages import LANGUAGES, server_message

__all__ = [
    "LANG_COOKIE", "SECURITY_HEADERS", "Page", "language_of", "page_url", "redirect", "render",
    "safe_next", "templates",
]

HERE = Path(__file__).parent
LANG_COOKIE = "kyso-lang"
# No resource from anywhere but this server (the console must work on an isolated network, and
# nothing else may run in it); no framing; forms post only here.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


@functools.cache
def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["page_url"] = page_url
    return env


def language_of(request: Request) -> str:
    """The console speaks Vietnamese unless the user chose English (the switch in the header)."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    return chosen if chosen in LANGUAGES else "vi"


class Page:
    """What a template needs to speak the user's language and show times in the unit's zone."""

    def __init__(self, request: Request, *, zone: tzinfo) -> None:
        self.request, self.lang, self.zone = request, language_of(request), zone

    def t(self, code: str, /, **params: Any) -> str:
        return server_message(code, self.lang, **params)

    def named(self, prefix: str, key: str) -> str:
        """The name of a machine value ("sign.succeeded" → "Ký thành công"), or the value itself."""
        code = prefix + key.replace(".", "_").upper()
        text = self.t(code)
        return key if text == code else text

    def time(self, moment: datetime | str | None, *, seconds: bool = False) -> str:
        """In the unit's zone, day first; `moment` may be RFC 3339 text (the admin log's)."""
        if isinstance(moment, str):
            try:
                moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
            except ValueError:
                return moment
        if moment is None:
            return "—"
        local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(self.zone)
        return local.strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def page_url(path: str, /, **params: Any) -> str:
    """`path` with the non-empty parameters as its query string."""
    kept = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def safe_next(target: str | None) -> str:
    """Only a path on this server (never "//host" or "https://…"): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def render(page: Page, template: str, *, status_code: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    html = templates().get_template(template).render(page=page, t=page.t, lang=page.lang, **context)
    return HTMLResponse(html, status_code=status_code, headers={**SECURITY_HEADERS, **(headers or {})})


def redirect(target: str, *, request: Request | None = None) -> Response:
    """303 to `target` (htmx follows HX-Redirect instead, for a fragment request)."""
    if request is not None and request.headers.get("hx-request") == "true":
        return Response(status_code=200, headers={"HX-Redirect": target, **SECURITY_HEADERS})
    return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)
