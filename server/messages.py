"""The server's messages, Vietnamese first: resources/messages/<area>.<lang>.toml for the server's
areas (the API's refusals, the console and the `kyso-server` command, the policy format) — the
same files the desktop's i18n reads, read here without importing the desktop application."""

from __future__ import annotations

import functools
import string
import tomllib
from typing import Any

__all__ = ["LANGUAGES", "language_from_header", "server_message"]

LANGUAGES = ("vi", "en")
AREAS = ("server", "server_cli", "console", "policy", "server_guard")


@functools.lru_cache(maxsize=len(LANGUAGES))
def _texts(lang: str) -> dict[str, str]:
    from resources import resource_path

    texts: dict[str, str] = {}
    for area in AREAS:
        with open(resource_path("messages", f"{area}.{lang}.toml"), "rb") as handle:
            texts.update(tomllib.load(handle))
    return texts


def language_from_header(accept_language: str | None) -> str:
    for part in (accept_language or "").split(","):
        short = part.split(";")[0].strip().lower()[:2]
        if short in LANGUAGES:
            return short
    return "vi"


def server_message(code: str, lang: str, /, **params: Any) -> str:
    template = _texts(lang).get(code) or _texts("vi").get(code)
    if template is None:
        return code
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**{name: params.get(name, "?") for name in names})
