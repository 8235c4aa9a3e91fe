"""An audited run of kyso (a CLI command, or the desktop application from start to stop).

    with audit_session(command="sign", notify=reporter_note) as journal:
        ...  # journal.record(...), SignJob(..., journal=journal)

Opening sets a damaged log aside (loudly), records "app.started", and reconciles any "sign
requested" a previous run left without an outcome; closing records "app.stopped".
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .events import PRODUCTION, AuditActor
from .journal import AuditJournal, AuditProblem
from .opening import open_audit_log
from .reconcile import reconcile_pending

__all__ = ["AuditRun", "audit_session", "open_journal", "trust_list_version"]

log = logging.getLogger(__name__)
Notify = Callable[[AuditProblem], None]


def open_journal(*, mode: str = PRODUCTION, path: Path | None = None, actor: Callable[[], AuditActor] | None = None,
                 context: Mapping[str, Any] | None = None) -> AuditJournal:
    """A journal on the workstation's log (or `path`); never raises: a log that cannot be
    opened at all gives a journal that keeps the problem and records nothing. `actor` and
    `context` are for a practice session: the trainee acting, and the workshop and trainee
    number every event carries."""
    options: dict[str, Any] = {"mode": mode, "context": context}
    if actor is not None:
        options["actor"] = actor
    try:
        opened = open_audit_log(path)
    except Exception as exc:
        log.exception("no audit log can be opened")
        from .errors import AuditErrorCode

        journal = AuditJournal(None, **options)
        journal.problems.append(AuditProblem(AuditErrorCode.WRITE_FAILED, {"detail": str(exc)}))
        return journal
    journal = AuditJournal(opened.store, **options)
    if opened.incident is not None:
        journal.incident(opened.incident)
    return journal


@dataclass
class AuditRun:
    """What the command tells the session before it ends."""

    journal: AuditJournal
    exit_code: int | None = None
    error: str | None = None  # the code of the error that ended the run, if one did


@contextmanager
def audit_session(*, command: str, notify: Notify | None = None, mode: str = PRODUCTION,
                  catalogue_version: str | None = None, trust_dirs: tuple[Path, ...] = (),
                  path: Path | None = None, actor: Callable[[], AuditActor] | None = None,
                  context: Mapping[str, Any] | None = None) -> Iterator[AuditRun]:
    journal = open_journal(mode=mode, path=path, actor=actor, context=context)
    shown = _announce(journal, notify, shown=0)
    journal.app_started(command=command, catalogue_version=catalogue_version,
                        trust_list_version=trust_list_version(trust_dirs))
    _policy_loaded(journal)
    if journal.store is not None:
        reconcile_pending(journal)
    run = AuditRun(journal)
    try:
        yield run
    except BaseException as exc:
        from app.errors import error_code

        run.error = error_code(exc) or ("APP_CANCELLED" if isinstance(exc, KeyboardInterrupt) else "APP_INTERNAL")
        raise
    finally:
        journal.app_stopped(command=command, exit_code=run.exit_code, error=run.error)
        _announce(journal, notify, shown=shown)
        if journal.store is not None:
            journal.store.close()


def _policy_loaded(journal: AuditJournal) -> None:
    """The administrator's policy in force, if any: which settings it sets and locks, from which
    tiers (the server's published version by its ETag), and the tiers rejected as invalid."""
    from app.paths import load_policy

    policy = load_policy()
    if not policy.tiers and not policy.rejected:
        return
    journal.policy_loaded(path=policy.tiers[-1].path if policy.tiers else "", locked=list(policy.data["locked"]),
                          defaults=list(policy.data["defaults"]),
                          tiers=[{"source": t.source, "path": t.path, "sha256": t.etag} for t in policy.tiers],
                          rejected=[{"source": r.source, "problems": r.params["problems"]} for r in policy.rejected])


def _announce(journal: AuditJournal, notify: Notify | None, *, shown: int) -> int:
    if notify is not None:
        for problem in journal.problems[shown:]:
            notify(problem)
    return len(journal.problems)


def trust_list_version(extra_dirs: tuple[Path, ...] = ()) -> str:
    """A short fingerprint of the trust anchors in force (the shipped list and any --trust DIR)."""
    from resources import resource_path

    digest = hashlib.sha256()
    for folder in (resource_path("trust"), *extra_dirs):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            path = Path(folder) / name
            if path.is_file():
                digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
