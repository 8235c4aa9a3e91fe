"""Accounts (administrators only): create auditors and administrators, reset a password, end a
lock-out; and the server's hash-chained admin log, read and verified (administrators of every
unit, as in the API)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from ...api.deps import SessionDep, StateDep
from ...db import as_utc, now_utc
from ...errors import ServerError
from ...models import AdminLogEntry
from ...principals import Role
from ...services import accounts, adminlog
from ...services.account_admin import disable, enable, reset_password, unlock
from ..auth import ConsoleUser, PageDep, UserDep, VerifiedDep
from ..web import Page, page_url, redirect
from .common import require_administrator, require_every_unit, show, units_for

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_Password = Annotated[str, Form(max_length=200)]
LOG_PAGE = 50


def _accounts_page(page: Page, user: ConsoleUser, session, *, status_code: int = 200, **extra) -> HTMLResponse:
    now = now_utc()
    listed = [(a, a.locked_until is not None and as_utc(a.locked_until) > now)
              for a in accounts.list_accounts(session, scope=user.admin.unit_id)]
    return show(page, "accounts.html", user=user, current="accounts", status_code=status_code, accounts=listed,
                units=units_for(session, user), **extra)


@router.get("/accounts")
def listing(page: PageDep, user: UserDep, session: SessionDep, done: str = "") -> HTMLResponse:
    require_administrator(user)
    return _accounts_page(page, user, session, done=done)


def _again(page: Page, user: ConsoleUser, state, error: ServerError) -> HTMLResponse:
    with state.database.read_session() as session:
        return _accounts_page(page, user, session, status_code=error.status,
                              problem=page.t(error.code.value, **error.params))


@router.post("/accounts")
def create(page: PageDep, user: VerifiedDep, state: StateDep, username: Annotated[str, Form(pattern=r"^[A-Za-z0-9_.@-]{1,100}$")],
           password: _Password, password_again: _Password, role: Annotated[str, Form(pattern="^(administrator|auditor)$")],
           unit: Annotated[str, Form(max_length=64)] = "") -> Response:
    require_administrator(user)
    if password != password_again:
        return _mismatch(page, user, state)
    try:
        user.admin.check_unit(unit or None)
        with state.database.write() as session:
            accounts.create_account(session, actor=user.admin.actor, username=username, password=password,
                                    role=Role(role), unit_id=unit or None)
    except ServerError as error:
        return _again(page, user, state, error)
    return redirect(page_url("/accounts", done="created"))


def _mismatch(page: Page, user: ConsoleUser, state) -> HTMLResponse:
    with state.database.read_session() as session:
        return _accounts_page(page, user, session, status_code=422, problem=page.t("CONSOLE_PASSWORDS_DIFFER"))


@router.post("/accounts/{account_id}/password")
def new_password(account_id: int, page: PageDep, user: VerifiedDep, state: StateDep, password: _Password,
                 password_again: _Password) -> Response:
    require_administrator(user)
    if password != password_again:
        return _mismatch(page, user, state)
    try:
        with state.database.write() as session:
            reset_password(session, actor=user.admin.actor, scope=user.admin.unit_id, account_id=account_id,
                           password=password)
    except ServerError as error:
        if error.status == 404:
            raise
        return _again(page, user, state, error)
    return redirect(page_url("/accounts", done="password"))


@router.post("/accounts/{account_id}/unlock")
def end_lockout(account_id: int, user: VerifiedDep, state: StateDep) -> Response:
    require_administrator(user)
    with state.database.write() as session:
        unlock(session, actor=user.admin.actor, scope=user.admin.unit_id, account_id=account_id)
    return redirect(page_url("/accounts", done="unlocked"))


@router.post("/accounts/{account_id}/disable")
def disable_account(account_id: int, page: PageDep, user: VerifiedDep, state: StateDep) -> Response:
    """The account signs in no more and its open sessions end now (services/account_admin.py)."""
    require_administrator(user)
    try:
        with state.database.write() as session:
            disable(session, actor=user.admin.actor, scope=user.admin.unit_id, account_id=account_id,
                    actor_account_id=user.admin.account_id)
    except ServerError as error:
        if error.status == 404:
            raise
        return _again(page, user, state, error)
    return redirect(page_url("/accounts", done="disabled"))


@router.post("/accounts/{account_id}/enable")
def enable_account(account_id: int, user: VerifiedDep, state: StateDep) -> Response:
    require_administrator(user)
    with state.database.write() as session:
        enable(session, actor=user.admin.actor, scope=user.admin.unit_id, account_id=account_id)
    return redirect(page_url("/accounts", done="enabled"))


@router.get("/admin-log")
def admin_log(page: PageDep, user: UserDep, session: SessionDep, before: int = 0, verify: int = 0) -> HTMLResponse:
    require_every_unit(user)
    query = select(AdminLogEntry).order_by(AdminLogEntry.seq.desc()).limit(LOG_PAGE)
    if before > 0:
        query = query.where(AdminLogEntry.seq < before)
    entries = list(session.execute(query).scalars())
    verdict = adminlog.verify_log(session) if verify else None
    older = entries[-1].seq if len(entries) == LOG_PAGE and entries[-1].seq > 1 else 0
    return show(page, "admin_log.html", user=user, current="adminlog", entries=entries, verdict=verdict, older=older,
                first_page=before <= 0)
