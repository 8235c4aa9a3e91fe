"""Annotated dependencies: the state, a read session, and who is asking (workstation or admin)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from ..errors import ServerError, ServerErrorCode
from ..principals import Admin, WorkstationPrincipal
from ..security import ADMIN_TOKEN_PREFIX
from ..services import accounts, workstations
from .state import ServerState

__all__ = [
    "AdministratorDep", "AdminDep", "BearerDep", "SessionDep", "StateDep", "WorkstationDep", "client_address",
]

_workstation_scheme = HTTPBearer(auto_error=False, scheme_name="workstation",
                                 description="kw.<workstation id>.<secret>, issued at enrolment")
_admin_scheme = HTTPBearer(auto_error=False, scheme_name="admin",
                           description="ka.<token>, from POST /api/v1/auth/login")


def client_address(request: Request) -> str:
    """The client's address (uvicorn puts the forwarded one there for trusted proxies only)."""
    return request.client.host if request.client else "-"


def _state(request: Request) -> ServerState:
    return request.app.state.kyso


StateDep = Annotated[ServerState, Depends(_state)]


def _session(state: StateDep) -> Iterator[Session]:
    with state.database.read_session() as session:
        yield session


SessionDep = Annotated[Session, Depends(_session)]


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials:
        raise ServerError(ServerErrorCode.AUTH_REQUIRED)
    return credentials.credentials


def _workstation(state: StateDep,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_workstation_scheme)]
                 ) -> WorkstationPrincipal:
    token = _token(credentials)
    with state.database.read_session() as session:
        return workstations.workstation_from_token(session, token=token)


WorkstationDep = Annotated[WorkstationPrincipal, Depends(_workstation)]


def _bearer(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_admin_scheme)]) -> str:
    return _token(credentials)


BearerDep = Annotated[str, Depends(_bearer)]


def _admin(state: StateDep, token: BearerDep) -> Admin:
    if not token.startswith(ADMIN_TOKEN_PREFIX):
        raise ServerError(ServerErrorCode.AUTH_INVALID)
    with state.database.read_session() as session:
        admin = accounts.admin_from_token(session, token=token)
    if admin is None:
        raise ServerError(ServerErrorCode.AUTH_INVALID)
    return admin


AdminDep = Annotated[Admin, Depends(_admin)]


def _administrator(admin: AdminDep) -> Admin:
    admin.require_administrator()
    return admin


AdministratorDep = Annotated[Admin, Depends(_administrator)]
