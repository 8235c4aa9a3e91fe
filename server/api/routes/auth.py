"""Admin sign-in (password → bearer token), sign-out, and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ...errors import ServerError
from ...services import accounts, signin
from ..deps import AdminDep, BearerDep, StateDep, client_address
from ..schemas import BODY, READ, SIGNED_IN, WRITE, LoginIn, LoginOut, Me, refusals

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/auth", tags=["admin"])


@router.post("/login", response_model=LoginOut, responses=refusals(*BODY, 401, 403, 429, *WRITE))
def login(body: LoginIn, state: StateDep, request: Request) -> LoginOut:
    settings = state.settings
    result = signin.sign_in(guard=state.guard, session_factory=state.database.write,
                            read_session_factory=state.database.read_session, address=client_address(request),
                            username=body.username, password=body.password, lockout_failures=settings.lockout_failures,
                            lockout_minutes=settings.lockout_minutes, session_hours=settings.session_hours)
    if isinstance(result, ServerError):
        raise result
    return LoginOut(token=result.token, expires_at=result.expires_at, username=result.admin.username,
                    role=result.admin.role.value, unit=result.admin.unit_id)


@router.post("/logout", status_code=204, responses=refusals(*SIGNED_IN, *WRITE))
def logout(admin: AdminDep, token: BearerDep, state: StateDep) -> None:
    with state.database.write() as session:
        accounts.logout(session, token=token, admin=admin)


@router.get("/me", response_model=Me, responses=refusals(*SIGNED_IN, *READ))
def me(admin: AdminDep) -> Me:
    return Me(username=admin.username, role=admin.role.value, unit=admin.unit_id)
