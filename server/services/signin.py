"""The one way an administrator signs in, for the API and the console alike: the guard's rate
limits and lock-out first (cheaper than a password check), then one of the few password-check
slots and the argon2 check in no transaction, then `accounts.login` (the database's own lock-out
and the admin log) in a short write transaction."""

from __future__ import annotations

from ..errors import ServerError, ServerErrorCode
from ..guard import Guard
from ..security import check_password
from . import accounts

__all__ = ["sign_in"]


def sign_in(*, guard: Guard, session_factory, read_session_factory, address: str, username: str, password: str,
            lockout_failures: int, lockout_minutes: int, session_hours: int, then=None) -> accounts.LoginResult | ServerError:
    """A refusal is returned, not raised. `session_factory()` opens one write transaction,
    `read_session_factory()` a read session; the password is checked between the two, in no
    transaction (on SQLite a write transaction is the database's one writer);
    `then(session, result)` runs in it after a successful sign-in (the console marks the session)."""
    try:
        guard.admit_login(address=address, username=username)
        locked = guard.name_locked(username=username)
        if locked is not None:
            with read_session_factory() as session:  # a known account's lock is the database's (an admin may unlock it)
                if not accounts.unlocked_account(session, username=username):
                    return locked
            guard.login_succeeded(username=username)  # forget the name's count: the account was unlocked
        with guard.password_slot():
            with read_session_factory() as session:
                stored = accounts.stored_password(session, username=username)
            matched = check_password(password, stored)  # argon2, outside any transaction
        with session_factory() as session:
            result = accounts.login(session, username=username, password=password, lockout_failures=lockout_failures,
                                    lockout_minutes=lockout_minutes, session_hours=session_hours,
                                    checked=(stored, matched))
            if not isinstance(result, ServerError) and then is not None:
                session.flush()
                then(session, result)
    except ServerError as refused:
        return refused
    if isinstance(result, ServerError):
        if result.code in (ServerErrorCode.LOGIN_FAILED, ServerErrorCode.ACCOUNT_LOCKED):
            guard.login_failed(username=username)
    else:
        guard.login_succeeded(username=username)
    return result
