"""Who is using the console: the session cookie, CSRF tokens, sign-in and the idle timeout.

A console session *is* an admin session of the API (`accounts.login` makes it, with its lock-out
and its admin-log entries; `accounts.admin_from_token` reads it back, with its expiry and the
account's state), carried in a cookie the page's scripts cannot read (HttpOnly), sent only over
HTTPS or loopback (Secure, `__Host-`) and never by another site's page (SameSite=Strict). A new
token is made at every sign-in and nothing an attacker can plant beforehand is ever upgraded to a
signed-in session (no fixation). Every form carries a CSRF token derived from the session's
secret (HMAC), so it needs no storage and any server process can check it; the sign-in form's
token is derived from a random cookie of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from ..api.deps import StateDep
from ..api.state import ServerState
from ..db import now_utc
from ..errors import ServerError
from ..principals import Admin
from ..security import ADMIN_TOKEN_PREFIX
from ..services import accounts, signin
from ..services.console_sessions import end_idle_session, last_used, mark_used
from ..timezones import local_zone
from .web import Page

__all__ = [
    "PRE_COOKIE", "SESSION_COOKIE", "ConsoleUser", "CsrfRefused", "PageDep", "SignInRequired", "UserDep",
    "VerifiedDep", "csrf_token", "sign_in", "sign_out",
]

SESSION_COOKIE = "__Host-kyso-session"
PRE_COOKIE = "__Host-kyso-signin"
_MARK_EVERY = timedelta(seconds=30)


class SignInRequired(Exception):
    """No session, or it ended (signed out, expired, idle, account locked or disabled)."""

    def __init__(self, reason: str = "") -> None:
        self.reason = reason
        super().__init__(reason or "sign-in required")


class CsrfRefused(Exception):
    """A form without the right CSRF token: refused, nothing done."""


def csrf_token(secret: str, *, purpose: str = "console") -> str:
    return hmac.new(secret.encode(), f"kyso-console-csrf:{purpose}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ConsoleUser:
    admin: Admin
    token: str

    @property
    def csrf(self) -> str:
        return csrf_token(self.token)

    @property
    def administrator(self) -> bool:
        return self.admin.role.value == "administrator"

    @property
    def every_unit(self) -> bool:
        return self.admin.unit_id is None


def _page(request: Request, state: StateDep) -> Page:
    return Page(request, zone=local_zone(state.settings.console_timezone))


PageDep = Annotated[Page, Depends(_page)]


def _user(request: Request, state: StateDep) -> ConsoleUser:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token.startswith(ADMIN_TOKEN_PREFIX):
        raise SignInRequired()
    with state.database.read_session() as session:
        admin = accounts.admin_from_token(session, token=token)
        used = last_used(session, token=token)
    if admin is None:
        raise SignInRequired("expired")
    now = now_utc()
    if used is not None and now - used > timedelta(minutes=state.settings.console_idle_minutes):
        with state.database.write() as session:
            end_idle_session(session, token=token, actor=admin.actor)
        raise SignInRequired("idle")
    if used is None or now - used > _MARK_EVERY:  # not a write on every page
        with state.database.write() as session:
            mark_used(session, token=token, now=now)
    return ConsoleUser(admin, token)


UserDep = Annotated[ConsoleUser, Depends(_user)]


async def _verified(request: Request, user: UserDep) -> ConsoleUser:
    """The signed-in user of a form whose CSRF token is right (checked before anything is done)."""
    form = await request.form()
    sent = form.get("csrf")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, user.csrf):
        raise CsrfRefused()
    return user


VerifiedDep = Annotated[ConsoleUser, Depends(_verified)]


def new_signin_secret() -> str:
    return secrets.token_urlsafe(32)


def sign_in(state: ServerState, *, address: str, username: str, password: str) -> accounts.LoginResult | ServerError:
    """The API's own sign-in (its rate limits, lock-out and admin log), its session then used by
    the console."""
    settings = state.settings
    return signin.sign_in(guard=state.guard, session_factory=state.database.write,
                          read_session_factory=state.database.read_session, address=address, username=username,
                          password=password, lockout_failures=settings.lockout_failures,
                          lockout_minutes=settings.lockout_minutes, session_hours=settings.session_hours,
                          then=lambda session, result: mark_used(session, token=result.token, now=now_utc()))


def sign_out(state: ServerState, *, user: ConsoleUser) -> None:
    with state.database.write() as session:
        accounts.logout(session, token=user.token, admin=user.admin)
