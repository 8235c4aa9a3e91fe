"""The desktop's audited session and its audit view, without Qt (docs/audit.md, docs/desktop.md).

`DeskAudit` opens the workstation's log on a worker after the first paint (an `audit_session`
like every CLI command: "app.started", reconciliation of an unfinished signature, the policy in
force) and closes it with the window ("app.stopped"). Events that happen before it is open
(a token inserted while the log opens) are held and written in order once it is. Every method
may be called from any thread: the journal is thread-safe.

The audit view reads with its own `AuditReader` per call, on a worker: SQLite in WAL mode lets
it read while the journal writes.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the window is built before the audit modules load
    from app.audit.journal import AuditJournal, AuditProblem
    from app.audit.query import AuditFilter, AuditPage, AuditScope, AuditViewer

__all__ = [
    "DeskAudit", "ExportDone", "export_events", "read_page", "verify_events", "viewer_scope",
    "workstation_administrator",
]

Notify = Callable[["AuditProblem"], None]


class DeskAudit:
    """The desktop's journal, from `open()` (on a worker) to `close()` (window closed)."""

    def __init__(self, *, notify: Notify | None = None, path: Path | None = None,
                 options: Mapping[str, Any] | None = None) -> None:
        self._notify = notify
        self._path = path
        self._options = dict(options or {})  # mode, actor, context: the practice chain (app/desk/practice.py)
        self._lock = threading.Lock()
        self._stack: ExitStack | None = None
        self._held: list[Callable[[AuditJournal], Any]] = []
        self._opened_documents: set[Path] = set()
        self.journal: AuditJournal | None = None
        self.closed = False

    # -- life ----------------------------------------------------------------------------------
    def open(self, *, catalogue=None, trust_dirs: Sequence[Path] = ()) -> AuditJournal | None:
        """Open the log, record the start and the catalogue in force. Never raises: a log that
        cannot be opened is a problem reported through `notify`, and signing goes on."""
        from app.audit.session import audit_session

        info = getattr(catalogue, "catalogue", catalogue).info if catalogue is not None else None
        with self._lock:
            if self.closed or self.journal is not None:
                return self.journal
            stack = ExitStack()
            run = stack.enter_context(audit_session(
                command="desktop", notify=self._notify, catalogue_version=info.version if info else None,
                trust_dirs=tuple(trust_dirs), path=self._path, **self._options))
            self._stack, self.journal = stack, run.journal
            if info is not None:
                self.journal.catalogue_loaded(
                    catalogue_id=info.id, name=info.name, version=info.version, source=info.source,
                    rejected=[str(r) for r in getattr(catalogue, "rejected", ())])
            held, self._held = self._held, []
            for write in held:
                write(self.journal)
            return self.journal

    def close(self, *, exit_code: int = 0) -> None:
        """Record "app.stopped" and close the log (the window is closing)."""
        with self._lock:
            self.closed = True
            stack, self._stack = self._stack, None
            if stack is not None:
                stack.__exit__(None, None, None)

    @property
    def log_path(self) -> Path | None:
        journal = self.journal
        if journal is not None and journal.store is not None:
            return journal.store.path
        if self._path is not None:
            return self._path
        from app.audit.opening import default_log_path

        return default_log_path()

    def _write(self, write: Callable[[AuditJournal], Any]) -> None:
        """Write now; before the log is open, hold it; after the window closed (a check that was
        still running), write through a journal opened for that one event — never lost."""
        with self._lock:
            if self.closed:
                self._write_late(write)
            elif self.journal is None:
                self._held.append(write)
            else:
                write(self.journal)

    def _write_late(self, write: Callable[[AuditJournal], Any]) -> None:
        from app.audit.session import open_journal

        journal = open_journal(path=self._path, **self._options)
        try:
            write(journal)
        finally:
            if journal.store is not None:
                journal.store.close()

    # -- what happens in the window --------------------------------------------------------------
    def document_checked(self, document) -> None:
        """A document's preflight (a DeskDocument); "document opened" the first time only."""
        from app.audit.events import EventType, Outcome
        from app.audit.signing_audit import size_and_hash

        path, result = document.path, document.result
        first = path not in self._opened_documents
        self._opened_documents.add(path)
        if not first:
            size, digest = None, None
        elif document.size is not None:  # hashed when it was checked
            size, digest = document.size, document.sha256
        else:
            size, digest = size_and_hash(path)  # outside the lock: may be slow

        def write(journal: AuditJournal) -> None:
            if size is not None:
                journal.document_opened(path=path, size=size, sha256=digest)
            if result is None:
                journal.record(EventType.PREFLIGHT_DONE, document=path.name, path=str(path), type=None,
                               error_code=document.error_code, outcome=Outcome.FAILED.value)
                return
            journal.preflight_done(path=path, doc_type=result.doc_type.name if result.doc_type else None,
                                   findings=[f.code.value for f in result.findings],
                                   blocking=[f.code.value for f in result.blocking()],
                                   catalogue_version=result.catalogue.version)

        self._write(write)

    def verified(self, path: Path, outcome: Any) -> None:
        """The verification of the signatures in `path` (a DocumentVerification or an error)."""
        from app.audit.signing_audit import signature_records
        from app.errors import error_code

        def write(journal: AuditJournal) -> None:
            if isinstance(outcome, BaseException):
                journal.verification_done(path=path, signatures=[], valid=False,
                                          error_code=error_code(outcome) or "APP_INTERNAL")
            else:
                journal.verification_done(path=path, signatures=signature_records(outcome),
                                          valid=outcome.all_valid)

        self._write(write)

    def document_opened(self, path: Path) -> None:
        """"document opened" with its size and SHA-256 (a file extended from the window, its
        input and its output, as `kyso extend` records them)."""
        from app.audit.signing_audit import record_document_opened

        self._write(lambda journal: record_document_opened(journal, path))

    def document_extended(self, **event) -> None:
        """One file extended from the window (or the error), as `kyso extend` records it."""
        self._write(lambda journal: journal.document_extended(**event))

    def token_changed(self, *, inserted: bool, label: str, serial: str, module: str) -> None:
        self._write(lambda journal: journal.token_event(inserted=inserted, label=label, serial=serial, module=module))

    def record(self, event_type: str, /, **data: Any) -> None:
        self._write(lambda journal: journal.record(event_type, **data))



# -- the audit view -------------------------------------------------------------------------------

def workstation_administrator() -> bool:
    """Whether the person at the keyboard administers this computer (Windows: an elevated
    administrator; elsewhere: root). Policy may name more administrators ([audit] administrators)."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        try:
            return bool(ctypes.windll.shell32.IsUserAnAdmin())
        except (AttributeError, OSError):
            return False
    return os.geteuid() == 0


def viewer_scope(*, user_name: str | None, policy: Mapping[str, Any] | None = None,
                 administrator: bool | None = None) -> tuple[AuditViewer, AuditScope]:
    from app.audit.journal import os_user
    from app.audit.query import AuditViewer, who_may_see

    viewer = AuditViewer(os_user(), user_name or None,
                         workstation_administrator() if administrator is None else administrator)
    return viewer, who_may_see(viewer, policy=dict(policy) if policy is not None else None)


def read_page(path: Path, audit_filter: AuditFilter, *, scope: AuditScope, before: int | None = None,
              limit: int = 200, count: bool = False) -> tuple[AuditPage, int | None]:
    """One page of the view (newest first) and, when asked, how many events match in all."""
    from app.audit.query import AuditReader, restrict

    visible = restrict(audit_filter, scope)
    with AuditReader(path) as reader:
        page = reader.page(visible, before=before, limit=limit)
        return page, (reader.count(visible) if count else None)


def verify_events(path: Path, *, audit: DeskAudit | None, progress=None, cancelled=None):
    """Verify the whole log (every chain) and record that it was verified."""
    from app.audit.events import EventType, Outcome
    from app.audit.verify import chain_summary, verify_log

    report = verify_log(path, progress=progress, cancelled=cancelled)
    if audit is not None:
        audit.record(EventType.LOG_VERIFIED, db=str(path), events=report.events, chains=chain_summary(report),
                     outcome=(Outcome.OK if report.ok else Outcome.FAILED).value)
    return report


@dataclass(frozen=True)
class ExportDone:
    out: Path
    format: str
    count: int


def export_events(path: Path, audit_filter: AuditFilter, *, scope: AuditScope, format: str, out: Path,
                  lang: str, audit: DeskAudit | None, progress=None, cancelled=None) -> ExportDone:
    """Export what the viewer may see under `audit_filter`; the export is itself an audit event."""
    from app.audit.events import EventType, Outcome
    from app.audit.export import ExportFormat, export_log
    from app.audit.query import AuditReader, restrict

    visible = restrict(audit_filter, scope)
    with AuditReader(path) as reader:
        result = export_log(reader, visible, format=ExportFormat(format), out=out, lang=lang,
                            progress=progress, cancelled=cancelled)
    if audit is not None:
        audit.record(EventType.LOG_EXPORTED, db=str(path), format=format, out=str(result.out), count=result.count,
                     filter=visible.summary(), outcome=Outcome.OK.value)
    return ExportDone(result.out, format, result.count)
