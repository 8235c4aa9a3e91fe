"""Opening the audit database: damage checks, SQLite settings, Alembic migrations.

The connection is the standard sqlite3 module's (autocommit mode: every write is an explicit
`BEGIN IMMEDIATE … COMMIT`), WAL journal, `synchronous=FULL`. Alembic (and SQLAlchemy with it)
is imported only when the database is new or behind the newest migration: it costs ~0.5 s,
which every `kyso sign` would otherwise pay.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

__all__ = [
    "BUSY_SECONDS", "HEAD_REVISION", "LOCK_CHECK_SECONDS", "DamagedLog", "check_file", "connect",
    "current_revision", "ensure_schema",
]

HEAD_REVISION = "0001"  # the newest file in migrations/versions (a test keeps them in step)
BUSY_SECONDS = 15.0  # how long a write waits for another kyso process holding the write lock
LOCK_CHECK_SECONDS = 5.0  # at open: longer than this, the log is "locked by another program"
_MAGIC = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DamagedLog(Exception):
    """The database cannot be used: `reason` is "truncated", "not_a_database", "malformed",
    "locked" or "schema"."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


def check_file(path: Path) -> None:
    """Cheap checks before SQLite opens the file: header, page size, length. Raises DamagedLog."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        raise DamagedLog("truncated", "empty file")
    with open(path, "rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(_MAGIC):
        raise DamagedLog("not_a_database", "no SQLite header")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise DamagedLog("not_a_database", f"page size {page_size}")
    if size % page_size:
        raise DamagedLog("truncated", f"{size} bytes is not a whole number of {page_size}-byte pages")
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[92:96] == header[24:28]
    if header_valid and size < pages * page_size:
        raise DamagedLog("truncated", f"{size} bytes, the header counts {pages * page_size}")


def connect(path: Path, *, busy_seconds: float = BUSY_SECONDS, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (explicit transactions), synchronous=FULL, WAL."""
    if readonly:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,  # relative too
                               timeout=busy_seconds, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, timeout=busy_seconds, check_same_thread=False)
    try:
        conn.execute("PRAGMA synchronous=FULL")
        if not readonly and conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.DatabaseError:
        conn.close()
        raise
    if not readonly:  # the log names documents and people: the user's alone, with its WAL and index
        from app.paths import make_private

        make_private(path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
    return conn


def current_revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    return row[0] if row else None


def ensure_schema(path: Path) -> None:
    """Create or upgrade the database to HEAD_REVISION (Alembic, under the write lock)."""
    conn = connect(path)
    try:
        if current_revision(conn) == HEAD_REVISION:
            return
    finally:
        conn.close()
    _upgrade(path)


def _upgrade(path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _autocommit(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # two processes creating the log: one waits
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.exec_driver_sql("COMMIT")
    finally:
        engine.dispose()


def file_set(path: Path) -> list[Path]:
    """The database file and the companions SQLite keeps beside it."""
    return [candidate for candidate in (path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal")))
            if os.path.lexists(candidate)]
