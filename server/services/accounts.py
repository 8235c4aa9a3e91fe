"""Units, admin accounts, logins with lock-out, and session tokens."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..db import as_utc, now_utc
from ..errors import ServerError, ServerErrorCode
from ..models import AdminAccount, AdminSession, Unit
from ..principals import Admin, Role
from ..security import (
    ADMIN_TOKEN_PREFIX,
    check_password,
    hash_password,
    new_secret,
    password_problem,
    secret_hash,
)
from . import adminlog

__all__ = [
    "LoginResult", "admin_from_token", "create_account", "create_unit", "list_accounts", "list_units",
    "login", "logout", "require_unit", "stored_password",
]


def create_unit(session: Session, *, actor: str, unit_id: str, name: str) -> Unit:
    if session.get(Unit, unit_id) is not None:
        raise ServerError(ServerErrorCode.UNIT_EXISTS, unit=unit_id)
    unit = Unit(id=unit_id, name=name, created_at=now_utc())
    session.add(unit)
    session.flush()
    adminlog.record(session, actor=actor, action="unit.created", target=unit_id, details={"name": name})
    return unit


def require_unit(session: Session, *, unit_id: str) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise ServerError(ServerErrorCode.UNIT_UNKNOWN, unit=unit_id)
    return unit


def list_units(session: Session, *, scope: str | None) -> list[Unit]:
    query = select(Unit).order_by(Unit.id)
    if scope is not None:
        query = query.where(Unit.id == scope)
    return list(session.execute(query).scalars())


def create_account(session: Session, *, actor: str, username: str, password: str, role: Role,
                   unit_id: str | None) -> AdminAccount:
    problem = password_problem(password)
    if problem:
        raise ServerError(ServerErrorCode.PASSWORD_WEAK, reason=problem)
    if unit_id is not None:
        require_unit(session, unit_id=unit_id)
    if session.execute(select(AdminAccount.id).where(AdminAccount.username == username)).first():
        raise ServerError(ServerErrorCode.ACCOUNT_EXISTS, username=username)
    account = AdminAccount(username=username, password_hash=hash_password(password), role=role.value,
                           unit_id=unit_id, failed_logins=0, disabled=False, created_at=now_utc())
    session.add(account)
    session.flush()
    adminlog.record(session, actor=actor, action="account.created", target=username,
                    details={"role": role.value, "unit": unit_id})
    return account


def list_accounts(session: Session, *, scope: str | None) -> list[AdminAccount]:
    query = select(AdminAccount).order_by(AdminAccount.username)
    if scope is not None:
        query = query.where(AdminAccount.unit_id == scope)
    return list(session.execute(query).scalars())


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: datetime
    admin: Admin


def stored_password(session: Session, *, username: str) -> str | None:
    """The account's password hash as it stands (None: no such account), read without a lock so
    that the password is checked outside any write transaction (`login`'s `checked`)."""
    row = session.execute(select(AdminAccount.password_hash).where(AdminAccount.username == username)).first()
    return None if row is None else row[0]


def login(session: Session, *, username: str, password: str, lockout_failures: int,
          lockout_minutes: int, session_hours: int,
          checked: tuple[str | None, bool] | None = None) -> LoginResult | ServerError:
    """Check a password. A refusal is *returned* (its failure count must still be committed).
    `checked`: (the hash read by `stored_password`, whether the password matched it), the argon2
    work done before this write transaction began — so the transaction (on SQLite, the database's
    one writer, which ingestion needs too) never lasts an argon2 hash. The account's row decides as
    it stands now; a hash changed meanwhile refuses the attempt."""
    account = session.execute(
        select(AdminAccount).where(AdminAccount.username == username).with_for_update()
    ).scalar_one_or_none()
    now = now_utc()
    if account is not None and account.locked_until is not None and as_utc(account.locked_until) > now:
        if checked is None:
            check_password(password, None)  # same work as any other refusal
        adminlog.record(session, actor=f"admin:{username}", action="login.refused_locked")
        return ServerError(ServerErrorCode.ACCOUNT_LOCKED, minutes=lockout_minutes)
    if checked is None:
        matched = check_password(password, account.password_hash if account else None)
    else:
        matched = checked[1] and account is not None and checked[0] == account.password_hash
    if not matched or account.disabled:
        if account is None:  # the name may be a password typed in the wrong field: never logged as typed
            adminlog.record(session, actor="admin:?", action="login.failed",
                            details={"name_sha256": hashlib.sha256(username.encode()).hexdigest()[:16]})
            return ServerError(ServerErrorCode.LOGIN_FAILED)
        account.failed_logins += 1
        if account.failed_logins >= lockout_failures:
            account.locked_until = now + timedelta(minutes=lockout_minutes)
            account.failed_logins = 0
            session.execute(delete(AdminSession).where(AdminSession.account_id == account.id))  # sessions end too
            adminlog.record(session, actor=f"admin:{username}", action="account.locked")
        adminlog.record(session, actor=f"admin:{username}", action="login.failed")
        return ServerError(ServerErrorCode.LOGIN_FAILED)
    account.failed_logins, account.locked_until = 0, None
    token = ADMIN_TOKEN_PREFIX + new_secret()
    expires = now + timedelta(hours=session_hours)
    session.add(AdminSession(token_hash=secret_hash(token), account_id=account.id, expires_at=expires))
    adminlog.record(session, actor=f"admin:{username}", action="login")
    return LoginResult(token, expires, _admin(account))


def unlocked_account(session: Session, *, username: str) -> bool:
    """True when `username` is an account that is not locked now (no password is checked)."""
    row = session.execute(select(AdminAccount.locked_until).where(AdminAccount.username == username)).first()
    return row is not None and (row[0] is None or as_utc(row[0]) <= now_utc())


def logout(session: Session, *, token: str, admin: Admin) -> None:
    session.execute(delete(AdminSession).where(AdminSession.token_hash == secret_hash(token)))
    adminlog.record(session, actor=admin.actor, action="logout")


def admin_from_token(session: Session, *, token: str) -> Admin | None:
    row = session.execute(
        select(AdminSession, AdminAccount)
        .join(AdminAccount, AdminAccount.id == AdminSession.account_id)
        .where(AdminSession.token_hash == secret_hash(token))
    ).first()
    if row is None:
        return None
    stored, account = row
    if as_utc(stored.expires_at) <= now_utc() or account.disabled:
        return None
    return _admin(account)


def _admin(account: AdminAccount) -> Admin:
    return Admin(account.id, account.username, Role(account.role), account.unit_id)
