"""The administrators' console: the central server in a browser, in Vietnamese (English on request).

Server-rendered pages (FastAPI + Jinja2) with a little htmx for progress and partial updates, all
served by kyso-server itself — no CDN, no JavaScript build. Every page and button asks the same
services the API uses (server/services/) with the account's role and unit scope, so the browser
never shows what the API would refuse. docs/server.md describes it.
"""

from __future__ import annotations

from .install import CONSOLE_ROUTERS, UPLOAD_LIMITS, install_console

__all__ = ["CONSOLE_ROUTERS", "UPLOAD_LIMITS", "install_console"]
