"""AuditJournal: what the rest of kyso calls to record what happens, in the users' words.

A journal writes to one AuditStore in one mode (production or practice). Recording never
raises into the caller: signing must never be blocked by a broken log. When a write fails, the
journal sets the damaged log aside and starts a new chain that records the incident; if even
that fails, the problem is kept in `problems` (shown loudly by the CLI and the UI) and the
events that could not be written are counted into an "audit.write_failed" event as soon as
writing works again.
"""

from __future__ import annotations

import getpass
import logging
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import __version__

from .errors import AuditErrorCode
from .events import PRODUCTION, AuditActor, AuditEvent, EventType, Outcome
from .schema import DamagedLog
from .store import AuditStore

__all__ = ["AuditJournal", "AuditProblem", "actor_from_settings", "os_user"]

log = logging.getLogger(__name__)
_ECHO = os.environ.get("KYSO_AUDIT_ECHO") == "1"  # test hook: a line on stderr after each event is on disk


@dataclass(frozen=True)
class AuditProblem:
    """Something the user must hear about the log itself (code and parameters, both languages)."""

    code: AuditErrorCode
    params: Mapping[str, str] = field(default_factory=dict)


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (service, container): still record something
        log.debug("no login name for the audit log", exc_info=True)
        return "?"


def actor_from_settings() -> AuditActor:
    """The OS account plus the kyso user's name and role from the settings (read each time)."""
    from app.settings import load_settings

    settings = load_settings().settings
    return AuditActor(os_user(), settings.full_name or None, settings.role or None)


class AuditJournal:
    def __init__(
        self,
        store: AuditStore | None,
        *,
        mode: str = PRODUCTION,
        actor: Callable[[], AuditActor] = actor_from_settings,
        recover: bool = True,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        self.store = store
        self.mode = mode
        self._actor = actor
        self._context = dict(context or {})  # members added to every event's data (a practice session's trainee)
        self._recover = recover
        self._lost = 0  # events that could not be written
        self._lock = threading.Lock()
        self._held: list[tuple[str, dict[str, Any]]] | None = None  # events waiting for `release`
        self.problems: list[AuditProblem] = []

    # -- the one way in ----------------------------------------------------------------------

    def record(self, event_type: str, /, **data: Any) -> AuditEvent | None:
        """Append one event; None if it could not be written (the problem is kept, never raised).
        While events are held (`hold`), it is kept in order for the next `release` (None)."""
        clean = {**data, **self._context}
        with self._lock:
            if self._held is not None:
                self._held.append((str(event_type), clean))
                return None
            return self._append(str(event_type), clean, retry=True)

    # -- several events in one transaction (one fsync instead of one each) -----------------------

    def hold(self) -> None:
        """Keep the events recorded from now on for `release`, which writes them together. The
        caller releases before anything depends on them being on disk."""
        with self._lock:
            if self._held is None:
                self._held = []

    def release(self) -> None:
        """Write the held events in one transaction, in order (one by one if that fails, so each
        failure is handled and counted as a single write's would be); stop holding."""
        with self._lock:
            held, self._held = self._held, None
            if held:
                self._append_many(held)

    @property
    def holding(self) -> bool:
        return self._held is not None

    def _append_many(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        if len(items) == 1 or self.store is None or self._lost:
            for event_type, data in items:
                self._append(event_type, data, retry=True)
            return
        actor = self._actor_or_os()
        try:
            events = self.store.append_many(mode=self.mode, items=items, actor=actor, app_version=__version__)
        except Exception:  # noqa: BLE001 - nothing was written (one transaction): each on its own
            log.warning("%d audit events could not be written together: one by one", len(items), exc_info=True)
            for event_type, data in items:
                self._append(event_type, data, retry=True)
            return
        if _ECHO:
            for event in events:
                sys.stderr.write(f"kyso-audit: {event.mode} {event.seq} {event.type}\n")
            sys.stderr.flush()

    def _actor_or_os(self) -> AuditActor:
        """Who acts; the OS account alone when kyso's settings cannot be read (the event still goes in)."""
        try:
            return self._actor()
        except Exception:  # noqa: BLE001 - the settings cannot be read
            log.warning("kyso user unknown for the audit event (settings unreadable)", exc_info=True)
            return AuditActor(os_user())

    def _append(self, event_type: str, data: dict[str, Any], *, retry: bool) -> AuditEvent | None:
        if self.store is None:
            self._lost += 1
            return None
        actor = self._actor_or_os()
        try:
            if self._lost:
                lost, self._lost = self._lost, 0
                self.store.append(mode=self.mode, type=EventType.LOG_WRITE_FAILED, data={"lost_events": lost},
                                  actor=actor, app_version=__version__)
            event = self.store.append(mode=self.mode, type=event_type, data=data, actor=actor,
                                      app_version=__version__)
        except (sqlite3.Error, DamagedLog, OSError) as exc:
            return self._failed(event_type, data, exc, retry=retry)
        except Exception as exc:  # an event the format refuses: a bug, never a reason to stop signing
            log.exception("audit event %s refused", event_type)
            self._lost += 1
            self._problem(AuditProblem(AuditErrorCode.WRITE_FAILED, {"detail": f"{type(exc).__name__}: {exc}"}))
            return None
        if _ECHO:
            sys.stderr.write(f"kyso-audit: {event.mode} {event.seq} {event.type}\n")
            sys.stderr.flush()
        return event

    def _failed(self, event_type: str, data: dict[str, Any], exc: BaseException, *, retry: bool) -> AuditEvent | None:
        log.error("audit event %s not written: %s", event_type, exc)
        if retry and self._switch_log(exc):
            return self._append(event_type, data, retry=False)
        self._lost += 1
        self._problem(AuditProblem(AuditErrorCode.WRITE_FAILED, {"detail": str(exc)}))
        return None

    def _switch_log(self, exc: BaseException) -> bool:
        """Set a log that failed under us aside and go on in a new one (recording why)."""
        if not self._recover:
            return False
        from .opening import open_audit_log

        old = self.store
        try:
            if old is not None:
                old.close()
            reason = exc.reason if isinstance(exc, DamagedLog) else "malformed"
            opened = open_audit_log(old.path if old is not None else None, force_aside=reason, detail=str(exc))
        except Exception:
            log.exception("no audit log can be opened")
            self.store = None
            return False
        self.store = opened.store
        if opened.incident is not None:
            self.incident(opened.incident)
        return True

    def _problem(self, problem: AuditProblem) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    # -- the log itself -------------------------------------------------------------------------

    def incident(self, incident) -> None:
        """The previous log was set aside: the first event of the new chain says so, loudly."""
        code = AuditErrorCode.LOG_LOCKED if incident.reason == "locked" else AuditErrorCode.LOG_DAMAGED
        moved = str(incident.moved_to) if incident.moved_to else str(incident.previous_path)
        self._problem(AuditProblem(code, {"reason": incident.reason, "moved_to": moved}))
        self._append(EventType.LOG_RESTARTED, {
            "reason": incident.reason, "detail": incident.detail, "moved_to": moved,
            "previous_path": str(incident.previous_path), "outcome": Outcome.FAILED.value,
        }, retry=False)

    # -- application ------------------------------------------------------------------------------

    def app_started(self, *, command: str, catalogue_version: str | None = None,
                    trust_list_version: str | None = None) -> AuditEvent | None:
        import platform

        return self.record(EventType.APP_STARTED, version=__version__, command=command,
                           catalogue_version=catalogue_version, trust_list_version=trust_list_version,
                           pid=os.getpid(), platform=platform.platform())

    def app_stopped(self, *, command: str, exit_code: int | None = None, error: str | None = None) -> AuditEvent | None:
        return self.record(EventType.APP_STOPPED, version=__version__, command=command, exit_code=exit_code,
                           error=error, pid=os.getpid())

    def catalogue_loaded(self, *, catalogue_id: str, name: str, version: str, source: str,
                         rejected: Sequence[str] = ()) -> AuditEvent | None:
        return self.record(EventType.CATALOGUE_LOADED, id=catalogue_id, name=name, version=version, source=source,
                           rejected=list(rejected))

    def policy_loaded(self, *, path: str, locked: Sequence[str], defaults: Sequence[str],
                      tiers: Sequence[dict] = (), rejected: Sequence[dict] = ()) -> AuditEvent | None:
        return self.record(EventType.POLICY_LOADED, path=path, locked=sorted(locked), defaults=sorted(defaults),
                           tiers=list(tiers), rejected=list(rejected))

    def settings_changed(self, *, name: str, old: Any, new: Any) -> AuditEvent | None:
        return self.record(EventType.SETTINGS_CHANGED, name=name, old=_plain(old), new=_plain(new))

    # -- documents and signing -------------------------------------------------------------------

    def document_opened(self, *, path: Path, size: int, sha256: str | None) -> AuditEvent | None:
        return self.record(EventType.DOCUMENT_OPENED, document=path.name, path=str(path), size=size, sha256=sha256)

    def preflight_done(self, *, path: Path, doc_type: str | None, findings: Sequence[str],
                       blocking: Sequence[str], catalogue_version: str | None) -> AuditEvent | None:
        outcome = Outcome.REFUSED if blocking else Outcome.OK
        return self.record(EventType.PREFLIGHT_DONE, document=path.name, path=str(path), type=doc_type,
                           findings=list(findings), blocking=list(blocking), catalogue_version=catalogue_version,
                           outcome=outcome.value)

    def sign_requested(self, *, request_id: str, path: Path, output: Path, kind: str | None, level: str,
                       certificate: Mapping[str, Any] | None, token: Mapping[str, Any] | None,
                       **extra: Any) -> AuditEvent | None:
        """Recorded (on disk) before the token is used; `extra`: pid, output_mtime_ns."""
        return self.record(EventType.SIGN_REQUESTED, request_id=request_id, document=path.name, input=str(path),
                           output=str(output), kind=kind, level=level, certificate=_plain(certificate),
                           token=_plain(token), **_plain(extra))

    def sign_succeeded(self, *, request_id: str, path: Path, details: Mapping[str, Any]) -> AuditEvent | None:
        return self.record(EventType.SIGN_SUCCEEDED, request_id=request_id, document=path.name, input=str(path),
                           **_plain(details), outcome=Outcome.OK.value)

    def sign_failed(self, *, request_id: str | None, path: Path, error_code: str,
                    error_params: Mapping[str, str] | None = None) -> AuditEvent | None:
        return self.record(EventType.SIGN_FAILED, request_id=request_id, document=path.name, input=str(path),
                           error_code=error_code, error_params=dict(error_params or {}),
                           outcome=Outcome.FAILED.value)

    def sign_refused(self, *, path: Path, error_code: str, error_params: Mapping[str, str] | None = None) -> AuditEvent | None:
        return self.record(EventType.SIGN_REFUSED, document=path.name, input=str(path), error_code=error_code,
                           error_params=dict(error_params or {}), outcome=Outcome.REFUSED.value)

    def pin_wrong(self, *, token: Mapping[str, Any] | None, error_code: str) -> AuditEvent | None:
        """A wrong PIN: the token and the code, never the PIN."""
        return self.record(EventType.PIN_WRONG, token=_plain(token), error_code=error_code,
                           outcome=Outcome.FAILED.value)

    def pin_locked(self, *, token: Mapping[str, Any] | None, error_code: str) -> AuditEvent | None:
        return self.record(EventType.PIN_LOCKED, token=_plain(token), error_code=error_code,
                           outcome=Outcome.FAILED.value)

    def token_event(self, *, inserted: bool, label: str, serial: str, module: str) -> AuditEvent | None:
        kind = EventType.TOKEN_INSERTED if inserted else EventType.TOKEN_REMOVED
        return self.record(kind, token={"label": label, "serial": serial}, module=module)

    def verification_done(self, *, path: Path, signatures: Sequence[Mapping[str, Any]], valid: bool,
                          error_code: str | None = None) -> AuditEvent | None:
        outcome = Outcome.OK if valid else Outcome.FAILED
        return self.record(EventType.VERIFICATION_DONE, document=path.name, path=str(path),
                           signatures=[_plain(s) for s in signatures], valid=valid, error_code=error_code,
                           outcome=outcome.value)

    def document_extended(self, *, path: Path, level: str, output: Path | None = None,
                          details: Mapping[str, Any] | None = None, error_code: str | None = None,
                          error_params: Mapping[str, str] | None = None) -> AuditEvent | None:
        """One file through `kyso extend`: on success `details` holds input_sha256, output_sha256,
        output_size, renewed and signatures [{field, level_before, level_after, verdict_after}]
        (app/audit/signing_audit.extension_details); a failure its error code. Written at once,
        as a signing outcome is (never held)."""
        outcome = Outcome.FAILED if error_code else Outcome.OK
        return self.record(EventType.DOCUMENT_EXTENDED, document=path.name, input=str(path),
                           output=str(output) if output is not None else None, level=level,
                           **_plain(details or {}), error_code=error_code, error_params=dict(error_params or {}),
                           outcome=outcome.value)


def _plain(value: Any) -> Any:
    """Values as the wire format allows them (no floats, no tuples, no paths)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    return str(value)
