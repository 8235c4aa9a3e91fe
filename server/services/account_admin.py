"""What an administrator does to an existing account: a new password, an end to a lock-out.
Both end the account's sessions (its password changed, or someone may have been guessing it) and
go into the admin log."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..errors import ServerError, ServerErrorCode
from ..models import AdminAccount, AdminSession
from ..principals import Admin
from ..security import hash_password, password_problem
from . import adminlog

__all__ = ["account_in_scope", "reset_password", "unlock"]


def account_in_scope(session: Session, *, account_id: int, by: Admin) -> AdminAccount:
    """The account, if `by` may manage it: an account of every unit only by an administrator of
    every unit. Another unit's account is as if there were none."""
    account = session.get(AdminAccount, account_id)
    if account is None or (by.unit_id is not None and account.unit_id != by.unit_id):
        raise ServerError(ServerErrorCode.NOT_FOUND, detail="account")
    return account


def reset_password(session: Session, *, by: Admin, account_id: int, password: str) -> AdminAccount:
    problem = password_problem(password)
    if problem:
        raise ServerError(ServerErrorCode.PASSWORD_WEAK, reason=problem)
    account = account_in_scope(session, account_id=account_id, by=by)
    account.password_hash = hash_password(password)
    account.failed_logins, account.locked_until = 0, None
    _end_sessions(session, account)
    adminlog.record(session, actor=by.actor, action="account.password_reset", target=account.username)
    return account


def unlock(session: Session, *, by: Admin, account_id: int) -> AdminAccount:
    account = account_in_scope(session, account_id=account_id, by=by)
    account.failed_logins, account.locked_until = 0, None
    _end_sessions(session, account)
    adminlog.record(session, actor=by.actor, action="account.unlocked", target=account.username)
    return account


def _end_sessions(session: Session, account: AdminAccount) -> None:
    session.execute(delete(AdminSession).where(AdminSession.account_id == account.id))


