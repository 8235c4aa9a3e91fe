"""Reading the log for people: filters, pages for the audit view, streams for export, and who
may see whose events.

Readers use their own read-only connection: in WAL mode they never block the writer, and the
writer never blocks them. Pages are keyset-paged on the row id (append order), so the audit view
scrolls through a million events without OFFSET scans.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from .errors import AuditError, AuditErrorCode
from .events import AuditEvent
from .schema import DamagedLog, check_file, connect
from .store import utc_text

__all__ = [
    "AuditFilter", "AuditPage", "AuditReader", "AuditScope", "AuditViewer", "fold", "restrict", "who_may_see",
]

OUTCOMES = ("ok", "failed", "refused")
_EVENT_COLUMNS = ("id, seq, mode, type, at_utc, at_local, workstation, os_user, user_name, user_role, "
                  "app_version, prev_hash, hash, data, v")


def fold(text: str | None) -> str:
    """Lower case without diacritics ("Quyết Định" → "quyet dinh"): search as users type."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@dataclass(frozen=True)
class AuditFilter:
    """What to show or export. Dates are local calendar days, both ends included."""

    date_from: date | None = None
    date_to: date | None = None
    users: tuple[str, ...] = ()  # kyso user names or OS accounts; empty: everyone
    types: tuple[str, ...] = ()  # "sign.succeeded", or a family: "sign"
    outcome: str | None = None  # ok | failed | refused
    mode: str | None = None  # production | practice
    text: str | None = None  # searched in document names, diacritics and case ignored

    def summary(self) -> dict[str, Any]:
        """The filter as recorded in an "audit.exported" event and printed by --json."""
        return {"from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None,
                "users": list(self.users), "types": list(self.types), "outcome": self.outcome, "mode": self.mode,
                **({"text": self.text} if self.text else {})}

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if self.date_from is not None:
            clauses.append("at_utc >= ?")
            params.append(_utc_bound(self.date_from))
        if self.date_to is not None:
            clauses.append("at_utc < ?")
            params.append(_utc_bound(self.date_to + timedelta(days=1)))
        if self.users:
            marks = ", ".join("?" * len(self.users))
            clauses.append(f"(user_name IN ({marks}) OR os_user IN ({marks}))")
            params += [*self.users, *self.users]
        if self.types:  # "sign" means the family: sign.requested, sign.succeeded…
            clauses.append("(" + " OR ".join("type = ? OR substr(type, 1, ?) = ?" for _ in self.types) + ")")
            for kind in self.types:
                params += [kind, len(kind) + 1, kind + "."]
        if self.outcome is not None:
            clauses.append("json_extract(data, '$.outcome') = ?")
            params.append(self.outcome)
        if self.mode is not None:
            clauses.append("mode = ?")
            params.append(self.mode)
        if self.text:
            clauses.append("kyso_fold(json_extract(data, '$.document')) LIKE ?")
            params.append("%" + fold(self.text) + "%")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _utc_bound(day: date) -> str:
    return utc_text(datetime.combine(day, time.min).astimezone())


@dataclass(frozen=True)
class AuditViewer:
    """Who is looking: the OS account, the kyso user, and whether they administer the workstation."""

    os_user: str
    user_name: str | None = None
    administrator: bool = False


@dataclass(frozen=True)
class AuditScope:
    """Whose events a viewer may see: everyone's, or those of the listed users only."""

    everyone: bool
    users: tuple[str, ...] = ()


def who_may_see(viewer: AuditViewer, *, policy: dict[str, Any] | None = None) -> AuditScope:
    """The policy for a shared workstation (policy.toml, [audit]): by default a user sees their
    own events and an administrator sees all. `visibility = "all"` lets everyone see all;
    `administrators = ["os account", …]` names administrators besides `viewer.administrator`."""
    section = (policy if policy is not None else _policy()).get("audit", {})
    administrators = {str(name).lower() for name in section.get("administrators", [])}
    if viewer.administrator or viewer.os_user.lower() in administrators or section.get("visibility") == "all":
        return AuditScope(everyone=True)
    own = tuple(name for name in (viewer.os_user, viewer.user_name) if name)
    return AuditScope(everyone=False, users=own)


def restrict(audit_filter: AuditFilter, scope: AuditScope) -> AuditFilter:
    """`audit_filter` narrowed to what `scope` allows (a requested user outside it sees nothing)."""
    if scope.everyone:
        return audit_filter
    if not audit_filter.users:
        return replace(audit_filter, users=scope.users)
    allowed = tuple(user for user in audit_filter.users if user in scope.users)
    return replace(audit_filter, users=allowed or ("\x00nobody",))


def _policy() -> dict[str, Any]:
    from app.paths import read_policy

    return read_policy() or {}


@dataclass(frozen=True)
class AuditPage:
    events: tuple[AuditEvent, ...]
    ids: tuple[int, ...]  # row ids, parallel to events
    next_before: int | None  # pass as `before` for the next (older) page; None: no more

    def __len__(self) -> int:
        return len(self.events)


@dataclass
class AuditReader:
    """A read-only view of one log file. Use from one thread; open one per worker."""

    path: Path
    _conn: sqlite3.Connection = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.path.is_file():
            raise AuditError(AuditErrorCode.DB_MISSING, file=self.path)
        try:
            check_file(self.path)
            self._conn = connect(self.path, readonly=True)
            self._conn.execute("SELECT count(*) FROM audit_meta").fetchone()
        except (DamagedLog, sqlite3.Error) as exc:
            raise AuditError(AuditErrorCode.DB_UNREADABLE, file=self.path, detail=str(exc)) from exc
        self._conn.create_function("kyso_fold", 1, fold, deterministic=True)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> AuditReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def page(self, audit_filter: AuditFilter, *, before: int | None = None, limit: int = 200) -> AuditPage:
        """The newest `limit` matching events older than row id `before` (newest first)."""
        where, params = audit_filter.where()
        if before is not None:
            where += (" AND " if where else " WHERE ") + "id < ?"
            params.append(before)
        rows = self._conn.execute(f"SELECT {_EVENT_COLUMNS} FROM audit_event{where} ORDER BY id DESC LIMIT ?",
                                  (*params, limit + 1)).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        events = tuple(_event(row) for row in rows)
        return AuditPage(events, tuple(row[0] for row in rows), rows[-1][0] if more and rows else None)

    def count(self, audit_filter: AuditFilter) -> int:
        where, params = audit_filter.where()
        return self._conn.execute(f"SELECT count(*) FROM audit_event{where}", params).fetchone()[0]

    def tally(self, audit_filter: AuditFilter) -> dict[tuple[str, str | None], int]:
        """Counts per (type, outcome) — for the report's summary."""
        where, params = audit_filter.where()
        rows = self._conn.execute(
            f"SELECT type, json_extract(data, '$.outcome'), count(*) FROM audit_event{where} GROUP BY 1, 2", params)
        return {(row[0], row[1]): row[2] for row in rows}

    def period(self, audit_filter: AuditFilter) -> tuple[str | None, str | None]:
        """Local times of the first and last matching events."""
        where, params = audit_filter.where()
        row = self._conn.execute(f"SELECT min(at_local), max(at_local) FROM audit_event{where}", params).fetchone()
        return row[0], row[1]

    def events(self, audit_filter: AuditFilter, *, batch: int = 2000) -> Iterator[AuditEvent]:
        """Every matching event, oldest first, read in batches (constant memory)."""
        for rows in self.rows(audit_filter, columns=_EVENT_COLUMNS, batch=batch):
            yield from (_event(row) for row in rows)

    def rows(self, audit_filter: AuditFilter, *, columns: str, batch: int = 2000, order: str = "id",
             raw: bool = False) -> Iterator[list[tuple]]:
        """Batches of raw rows (`columns` is SQL over audit_event) — the export's fast path. With
        `raw`, text comes as UTF-8 bytes, undecoded (while the batches are being read)."""
        where, params = audit_filter.where()
        factory = self._conn.text_factory
        self._conn.text_factory = bytes if raw else str
        try:
            cursor = self._conn.execute(f"SELECT {columns} FROM audit_event{where} ORDER BY {order}", params)
            while rows := cursor.fetchmany(batch):
                yield rows
        finally:
            self._conn.text_factory = factory


def _event(row: tuple) -> AuditEvent:
    import json

    return AuditEvent(seq=row[1], mode=row[2], type=row[3], at_utc=row[4], at_local=row[5], workstation=row[6],
                      os_user=row[7], user_name=row[8], user_role=row[9], app_version=row[10], prev_hash=row[11],
                      hash=row[12], data=json.loads(row[13]), v=row[14])


Progress = Callable[[int, int], None]
