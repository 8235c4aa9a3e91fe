"""Messages in Vietnamese (first) and English, for the CLI and the core.

Texts live in `resources/messages/<lang>.toml`, keyed by stable codes (error codes, CLI
labels). Placeholders are `{name}`; both languages must use the same ones (a test checks).
Never build a translatable text with an f-string: pass parameters to `message()`.
Qt widgets use Qt's own translation system; this module serves everything below `ui/`.
"""

from __future__ import annotations

import functools
import locale
import os
import string
import tomllib
from collections.abc import Mapping
from typing import Any

__all__ = ["LANGUAGES", "LANG_ENV", "catalogue", "message", "moment", "placeholders", "resolve_language"]

LANGUAGES = ("vi", "en")
LANG_ENV = "KYSO_LANG"


def resolve_language(explicit: str | None = None) -> str:
    """--lang, then KYSO_LANG, then the system locale; Vietnamese when nothing says otherwise."""
    for candidate in (explicit, os.environ.get(LANG_ENV), _system_language()):
        if candidate:
            short = candidate.strip().lower()[:2]
            if short in LANGUAGES:
                return short
    return "vi"


def _system_language() -> str | None:
    """The user's UI language from the OS; None for the neutral C/POSIX locale."""
    if os.name == "nt":
        return _windows_ui_language()
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return None if value in ("C", "POSIX") or value.startswith("C.") else value
    return None


def _windows_ui_language() -> str | None:
    try:
        import ctypes

        lcid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
        return locale.windows_locale.get(lcid)
    except (AttributeError, OSError):
        return None


@functools.lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> Mapping[str, str]:
    """All messages of `lang`: resources/messages/<lang>.toml plus one file per area
    (<area>.<lang>.toml: audit.vi.toml, server.vi.toml…). A code defined twice is an error."""
    from resources import resource_path

    folder = resource_path("messages")
    texts: dict[str, str] = {}
    for path in [folder / f"{lang}.toml", *sorted(folder.glob(f"*.{lang}.toml"))]:
        with open(path, "rb") as handle:
            part = tomllib.load(handle)
        twice = set(part) & set(texts)
        if twice:
            raise ValueError(f"{path.name}: messages defined twice: {sorted(twice)}")
        texts.update(part)
    return texts


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def message(code: str, lang: str, /, **params: Any) -> str:
    """The text for `code` in `lang`, with its placeholders filled.

    An unknown code or a missing parameter never raises: the code itself is shown, so a
    user always sees something they can quote to the helpdesk.
    """
    texts = catalogue(lang)
    template = texts.get(code) or catalogue("vi").get(code)
    if template is None:
        return code
    values = {name: _worded(name, params.get(name, "?"), texts) for name in placeholders(template)}
    if "log" in values and "log" not in params:  # "details are in the log": the log that has them
        values["log"] = _log_path()
    return template.format(**values)


def _log_path() -> str:
    from .logs import active_log_file

    try:
        return str(active_log_file())
    except OSError:
        return "?"


# Parameters that carry a machine value with words of their own: {"status": "count_low"} reads
# "entered wrongly at least once" rather than the value itself.
_WORDED_PARAMS = {"status": "PIN_STATE_", "advice": "TOKEN_LOAD_ADVICE_"}


def _worded(name: str, value: Any, texts: Mapping[str, str]) -> Any:
    prefix = _WORDED_PARAMS.get(name)
    if prefix is None or not isinstance(value, str):
        return value
    return texts.get(prefix + value.upper(), value)


def moment(when: Any) -> str:
    """A moment as people here read it: day/month/year, this computer's time, its offset named —
    every time a person reads (a signature's claimed time, its timestamp) in the same form, so
    two moments can be compared at a glance. "-" when there is none."""
    if when is None:
        return "-"
    local = when.astimezone() if when.tzinfo is not None else when
    offset = local.strftime("%z")
    zone = f" (UTC{offset[:3]}:{offset[3:]})" if offset else ""
    return f"{local:%d/%m/%Y %H:%M:%S}{zone}"

