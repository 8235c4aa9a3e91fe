"""The CLI's PIN prompter and warning acceptor.

The PIN is read from the terminal without echo, or — with --pin-stdin, for automation — as
one line from standard input. There is no other way to pass a PIN (no option, no variable).
The token's state is said before asking: a wrong PIN entered earlier, the final try (which
must be confirmed explicitly), a PIN pad. An encrypted document's open password is asked the
same way (terminal without echo, or --password-stdin: the line before the PIN's); it is never
stored, logged or put in an option.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence

from tokens import PinAnswer, PinRequest, PinStatus

from .report import Reporter

__all__ = ["CliAcceptor", "StdinPasswords", "StdinPrompter", "TerminalPasswords", "TerminalPrompter", "cli_passwords"]


class _Base:
    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter

    def _announce(self, request: PinRequest) -> None:
        t = self.reporter.t
        if request.status is PinStatus.COUNT_LOW:
            self.reporter.note(t("PIN_STATUS_COUNT_LOW", token=request.token_label))
        elif request.status is PinStatus.FINAL_TRY:
            self.reporter.note(t("PIN_STATUS_FINAL_TRY", token=request.token_label))


class TerminalPrompter(_Base):
    """Asks on the controlling terminal, without echo."""

    def ask_pin(self, request: PinRequest) -> PinAnswer | None:
        t = self.reporter.t
        self._announce(request)
        if request.pin_pad:
            self.reporter.note(t("PIN_PROMPT_PINPAD", token=request.token_label))
            return PinAnswer(pin=None, final_try_confirmed=self._confirm(request))
        if not sys.stdin.isatty():
            self.reporter.note(t("PIN_NEEDS_TERMINAL"))
            return None
        confirmed = self._confirm(request)
        if request.status is PinStatus.FINAL_TRY and not confirmed:
            return None
        try:
            pin = getpass.getpass(t("PIN_PROMPT", token=request.token_label) + " ")
        except (EOFError, KeyboardInterrupt):
            return None
        return PinAnswer(pin=pin, final_try_confirmed=confirmed)

    def _confirm(self, request: PinRequest) -> bool:
        if request.status is not PinStatus.FINAL_TRY:
            return False
        return _ask_yes_no(self.reporter, self.reporter.t("PIN_CONFIRM_FINAL_TRY"))


class StdinPrompter(_Base):
    """Reads one line from standard input, once. Never confirms a final try by itself."""

    def __init__(self, reporter: Reporter) -> None:
        super().__init__(reporter)
        self._used = False

    def ask_pin(self, request: PinRequest) -> PinAnswer | None:
        self._announce(request)
        if request.pin_pad:
            self.reporter.note(self.reporter.t("PIN_PROMPT_PINPAD", token=request.token_label))
            return PinAnswer(pin=None)
        if self._used:
            return None
        self._used = True
        line = sys.stdin.readline()
        pin = line.rstrip("\r\n")
        return PinAnswer(pin=pin) if pin else None


class TerminalPasswords:
    """Asks for a document's open password on the terminal, without echo."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter

    def ask_password(self, request) -> str | None:
        t = self.reporter.t
        if not sys.stdin.isatty():
            self.reporter.note(t("PASSWORD_NEEDS_TERMINAL", file=request.document.name))
            return None
        key = "PASSWORD_PROMPT" if request.attempt == 1 else "PASSWORD_PROMPT_AGAIN"
        try:
            return getpass.getpass(t(key, file=request.document.name) + " ") or None
        except (EOFError, KeyboardInterrupt):
            return None


class StdinPasswords:
    """--password-stdin: one line, read once, offered for every encrypted document of the job
    (a wrong one is not asked again: standard input gives one answer)."""

    def __init__(self) -> None:
        self._read = False
        self._password: str | None = None

    def ask_password(self, request) -> str | None:
        if request.attempt > 1:
            return None
        if not self._read:
            self._read = True
            self._password = sys.stdin.readline().rstrip("\r\n") or None
        return self._password


def cli_passwords(reporter: Reporter, *, from_stdin: bool):
    return StdinPasswords() if from_stdin else TerminalPasswords(reporter)


class CliAcceptor:
    """Accepts certificate warnings with --accept-warnings, or by asking on a terminal."""

    def __init__(self, reporter: Reporter, *, accept_all: bool, may_ask: bool) -> None:
        self.reporter = reporter
        self.accept_all = accept_all
        self.may_ask = may_ask

    def accept(self, findings: Sequence, report) -> bool:
        for finding in findings:
            self.reporter.note(self.reporter.t(finding.code.value, **finding.params))
        if self.accept_all:
            return True
        if not (self.may_ask and sys.stdin.isatty()):
            return False
        return _ask_yes_no(self.reporter, self.reporter.t("CLI_ACCEPT_WARNINGS"))

    def accept_preflight(self, items) -> bool:
        for path, findings in items:
            for finding in findings:
                text = self.reporter.t(finding.code.value, **finding.params)
                self.reporter.note(self.reporter.t("CLI_PREFLIGHT_WARNING", file=path.name, message=text))
        if self.accept_all:
            return True
        if not (self.may_ask and sys.stdin.isatty()):
            return False
        return _ask_yes_no(self.reporter, self.reporter.t("CLI_ACCEPT_WARNINGS"))


    def accept_lower_level(self, decision, *, may_lower: bool) -> str:
        """The level cannot be reached (said before any PIN): sign lower only when the policy
        allows and the user says so on the terminal; otherwise stop (the error says what to do)."""
        t = self.reporter.t
        params = {"level": decision.requested.value, "url": "-", "issuer": "-"}
        reason = "; ".join(t(code.value + "__UI", **params) for code in decision.shortfalls)
        self.reporter.note(t("LEVEL_NOT_REACHABLE", requested=decision.requested.value,
                             reached=decision.reached.value, reason=reason))
        if not may_lower:
            self.reporter.note(t("LEVEL_NOT_REACHABLE_NO_LOWER"))
            return "stop"
        if not (self.may_ask and sys.stdin.isatty()):
            return "stop"
        accepted = _ask_yes_no(self.reporter, t("CLI_ACCEPT_LOWER_LEVEL", reached=decision.reached.value))
        return "lower" if accepted else "stop"


def _ask_yes_no(reporter: Reporter, question: str) -> bool:
    try:
        with open("/dev/tty" if sys.platform != "win32" else "CON", "r+", encoding="utf-8") as tty:
            tty.write(question + " ")
            tty.flush()
            answer = tty.readline().strip().lower()
    except OSError:
        if not sys.stdin.isatty():
            return False
        answer = input(question + " ").strip().lower()
    return answer in {"y", "yes", "c", "có", "co"}
