"""A PostgreSQL database of the test's own on the machine's server (127.0.0.1:5432, trust auth).

Each database is named kyso_test_<random> and dropped when done; the user is `postgres`, else
`root` (whichever the server knows), or KYSO_TEST_PG_USER.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

__all__ = ["PG_HOST", "PG_PORT", "admin_dsn", "pg_user", "temporary_database"]

PG_HOST = os.environ.get("KYSO_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("KYSO_TEST_PG_PORT", "5432"))
_user: str | None = None


def pg_user() -> str:
    global _user
    if _user is None:
        candidates = [os.environ["KYSO_TEST_PG_USER"]] if "KYSO_TEST_PG_USER" in os.environ else ["postgres", "root"]
        errors = []
        for candidate in candidates:
            try:
                with psycopg.connect(host=PG_HOST, port=PG_PORT, user=candidate, dbname="postgres", connect_timeout=5):
                    _user = candidate
                    break
            except psycopg.OperationalError as exc:
                errors.append(f"{candidate}: {exc}")
        else:
            raise RuntimeError(f"no PostgreSQL at {PG_HOST}:{PG_PORT}: {errors}")
    return _user


def admin_dsn() -> str:
    return f"host={PG_HOST} port={PG_PORT} user={pg_user()} dbname=postgres"


@contextmanager
def temporary_database() -> Iterator[str]:
    """Yields a SQLAlchemy URL of a new, empty database; drops it afterwards."""
    name = f"kyso_test_{secrets.token_hex(6)}"
    with psycopg.connect(admin_dsn(), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{pg_user()}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(admin_dsn(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
