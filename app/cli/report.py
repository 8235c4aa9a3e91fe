"""How the CLI speaks: human lines in the user's language, or one JSON document.

`fail()` is the single place where an exception becomes what the user sees: a known error
gives its code and translated message; anything else gives APP_INTERNAL and the log path,
with the traceback written to the log file only.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from typing import Any

from app.errors import Cancelled, error_code, error_params
from app.i18n import message

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_SOME_FAILED", "Reporter"]

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_ERROR = 2

log = logging.getLogger("kyso.cli")


class Reporter:
    def __init__(self, *, lang: str, json_mode: bool, command: str) -> None:
        self.lang = lang
        self.json_mode = json_mode
        self.command = command

    def t(self, key: str, /, **params: Any) -> str:
        return message(key, self.lang, **params)

    def line(self, text: str = "") -> None:
        """A human-readable line on stdout (suppressed in JSON mode)."""
        if not self.json_mode:
            print(text, flush=True)

    def note(self, text: str) -> None:
        """A progress or warning line on stderr (always human, never in the JSON)."""
        print(text, file=sys.stderr, flush=True)

    def emit_json(self, document: Mapping[str, Any]) -> None:
        if self.json_mode:
            body = {"command": self.command, **document}
            json.dump(body, sys.stdout, ensure_ascii=False, indent=2, default=str)
            sys.stdout.write("\n")
            sys.stdout.flush()

    def describe_error(self, exc: BaseException) -> dict[str, Any]:
        if error_code(exc) is None:  # the message points to the log: the log must have it
            log.error("unexpected error in 'kyso %s'", self.command, exc_info=exc)
        code = error_code(exc) or "APP_INTERNAL"
        params = error_params(exc)
        return {"code": code, "message": self.t(code, **params), "params": params}

    def fail(self, exc: BaseException) -> int:
        """Any exception as the user sees it: a kyso error by its code (a cancellation is only
        noted in the log), anything else APP_INTERNAL with the traceback in the log."""
        code = error_code(exc)
        if isinstance(exc, Cancelled):
            log.info("kyso %s cancelled: %s", self.command, exc)
        if code is None:
            from app.logs import log_file

            log.exception("unexpected error in 'kyso %s'", self.command)
            return self.fail_code("APP_INTERNAL", {"log": str(log_file())})
        log.info("kyso %s stopped: %s", self.command, exc, exc_info=exc.__cause__ is not None)
        return self.fail_code(code, error_params(exc))

    def fail_code(self, code: str, params: Mapping[str, str]) -> int:
        text = self.t(code, **params)
        if self.json_mode:
            self.emit_json({"ok": False, "error": {"code": code, "message": text, "params": dict(params)}})
        else:
            print(f"kyso: [{code}] {text}", file=sys.stderr, flush=True)
        if code in _NO_TOKEN:  # a newcomer without a token can still sign, in practice mode
            self.note(self.t("PRACTICE_NO_TOKEN_HINT"))
        return EXIT_ERROR


_NO_TOKEN = frozenset({"TOKEN_NOT_PRESENT", "TOKEN_MODULE_NOT_CONFIGURED"})
