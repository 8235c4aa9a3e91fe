"""What an administrator does to an existing account: a new password, an end to a lock-out, an end
to the account (disabled: it signs in no more, answered as a wrong password) and its return. Each
ends the account's sessions (its password changed, someone may have been guessing it, it was
disabled) and goes into the admin log."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import ServerError, ServerErrorCode
from ..models import AdminAccount, AdminSession
from ..security import hash_password, password_problem
from . import adminlog

__all__ = ["account_id_of", "account_in_scope", "disable", "enable", "reset_password", "unlock"]


def account_in_scope(session: Session, *, account_id: int, scope: str | None) -> AdminAccount:
    """The account, if an administrator whose scope is `scope` may manage it: an account of every
    unit only by an administrator of every unit. Another unit's account is as if there were none."""
    account = session.get(AdminAccount, account_id)
    if account is None or (scope is not None and account.unit_id != scope):
        raise ServerError(ServerErrorCode.NOT_FOUND, detail="account")
    return account


def account_id_of(session: Session, *, username: str) -> int:
    found = session.execute(select(AdminAccount.id).where(AdminAccount.username == username)).scalar_one_or_none()
    if found is None:
        raise ServerError(ServerErrorCode.NOT_FOUND, detail="account")
    return found


def reset_password(session: Session, *, actor: str, scope: str | None, account_id: int, password: str) -> AdminAccount:
    problem = password_problem(password)
    if problem:
        raise ServerError(ServerErrorCode.PASSWORD_WEAK, reason=problem)
    account = account_in_scope(session, account_id=account_id, scope=scope)
    account.password_hash = hash_password(password)
    account.failed_logins, account.locked_until = 0, None
    _end_sessions(session, account)
    adminlog.record(session, actor=actor, action="account.password_reset", target=account.username)
    return account


def unlock(session: Session, *, actor: str, scope: str | None, account_id: int) -> AdminAccount:
    account = account_in_scope(session, account_id=account_id, scope=scope)
    account.failed_logins, account.locked_until = 0, None
    _end_sessions(session, account)
    adminlog.record(session, actor=actor, action="account.unlocked", target=account.username)
    return account


def disable(session: Session, *, actor: str, scope: str | None, account_id: int,
            actor_account_id: int | None = None) -> AdminAccount:
    """The account signs in no more (the right password answers as a wrong one) and its open
    sessions end now. Not one's own account (the last administrator would lock everyone out)."""
    account = account_in_scope(session, account_id=account_id, scope=scope)
    if actor_account_id is not None and account.id == actor_account_id:
        raise ServerError(ServerErrorCode.REQUEST_INVALID, detail="own account")
    _end_sessions(session, account)
    if not account.disabled:
        account.disabled = True
        adminlog.record(session, actor=actor, action="account.disabled", target=account.username)
    return account


def enable(session: Session, *, actor: str, scope: str | None, account_id: int) -> AdminAccount:
    account = account_in_scope(session, account_id=account_id, scope=scope)
    if account.disabled:
        account.disabled, account.failed_logins, account.locked_until = False, 0, None
        adminlog.record(session, actor=actor, action="account.enabled", target=account.username)
    return account


def _end_sessions(session: Session, account: AdminAccount) -> None:
    session.execute(delete(AdminSession).where(AdminSession.account_id == account.id))


