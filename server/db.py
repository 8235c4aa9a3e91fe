"""Engines and sessions for PostgreSQL (production) and SQLite (the embedded default).

Writers serialise per chain: on PostgreSQL with `SELECT … FOR UPDATE` on the chain's head row, on
SQLite by opening write transactions with `BEGIN IMMEDIATE` (one writer at a time, readers in WAL
never blocked). Timestamps are always stored in UTC; `as_utc` restores the zone SQLite drops.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Database", "as_utc", "now_utc"]


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Database:
    """One engine, a read session factory and a write session factory."""

    def __init__(self, url: str, *, pool_size: int = 10, lock_timeout_seconds: float = 10.0) -> None:
        """`lock_timeout_seconds`: how long a statement waits for a lock (a chain's head row held by
        a stalled writer, SQLite's one writer) before the request is answered SERVER_BUSY (503,
        retry) — under the client's own 30 s, so it hears a clear answer, not a timeout."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = create_engine(url, connect_args={"timeout": lock_timeout_seconds, "check_same_thread": False})
            _sqlite_setup(self.engine)
        else:
            self.engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True,
                                        connect_args={"options": f"-c lock_timeout={int(lock_timeout_seconds * 1000)}",
                                                      "connect_timeout": 10})
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(kyso_write=True), expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def read_session(self) -> Session:
        return self._read()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction: committed at the end, rolled back on any error."""
        with self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get("kyso_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
