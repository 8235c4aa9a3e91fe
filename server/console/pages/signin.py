"""Signing in and out, and the language switch."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ...api.deps import StateDep, client_address
from ...errors import ServerError
from ...messages import LANGUAGES
from ..auth import (
    PRE_COOKIE,
    SESSION_COOKIE,
    PageDep,
    VerifiedDep,
    csrf_token,
    new_signin_secret,
    sign_in,
    sign_out,
)
from ..web import LANG_COOKIE, redirect, render, safe_next

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_COOKIE = {"httponly": True, "secure": True, "samesite": "strict", "path": "/"}
_Field = Annotated[str, Form(max_length=200)]


@router.get("/login")
def login_page(request: Request, page: PageDep, next: str = "", ended: str = "") -> Response:
    secret = request.cookies.get(PRE_COOKIE) or new_signin_secret()
    response = render(page, "login.html", csrf=csrf_token(secret, purpose="signin"), next=safe_next(next),
                      ended=ended if ended in ("idle", "expired", "signed_out") else "")
    response.set_cookie(PRE_COOKIE, secret, max_age=3600, **_COOKIE)
    return response


@router.post("/login")
def login(request: Request, page: PageDep, state: StateDep, username: _Field = "", password: _Field = "",
          csrf: _Field = "", next: Annotated[str, Form(max_length=2000)] = "") -> Response:
    secret = request.cookies.get(PRE_COOKIE, "")
    if not secret or not hmac.compare_digest(csrf, csrf_token(secret, purpose="signin")):
        return _again(page, secret, next, "CONSOLE_SIGNIN_EXPIRED", username)
    result = sign_in(state, address=client_address(request), username=username.strip(), password=password)
    if isinstance(result, ServerError):
        return _again(page, secret, next, result.code.value, username, **result.params)
    response = redirect(safe_next(next))
    response.set_cookie(SESSION_COOKIE, result.token, **_COOKIE)  # a new token: nothing planted survives
    response.delete_cookie(PRE_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return response


def _again(page, secret: str, next: str, code: str, username: str, **params: str) -> Response:
    secret = secret or new_signin_secret()
    response = render(page, "login.html", status_code=401, csrf=csrf_token(secret, purpose="signin"),
                      next=safe_next(next), error=page.t(code, **params), username=username, ended="")
    response.set_cookie(PRE_COOKIE, secret, max_age=3600, **_COOKIE)
    return response


@router.post("/logout")
def logout(user: VerifiedDep, state: StateDep) -> Response:
    sign_out(state, user=user)
    response = redirect("/login?ended=signed_out")
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return response


@router.get("/lang/{lang}")
def choose_language(lang: str, next: str = "/") -> Response:
    response = redirect(safe_next(next))
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, secure=True, samesite="lax", path="/")
    return response
