"""Workstations and enrolment: the unit's workstations (version, last contact, policy and
catalogue in force), one-time enrolment codes (shown once, with expiry, printable), revocation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from ...api.deps import SessionDep, StateDep
from ...errors import ServerError, ServerErrorCode
from ...models import EnrolmentCode, UnitConfig
from ...services import workstations
from ..auth import ConsoleUser, PageDep, UserDep, VerifiedDep
from ..views import workstation_views
from ..web import redirect
from .common import require_administrator, show, unit_scope, units_for

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/workstations")
def listing(page: PageDep, user: UserDep, session: SessionDep, unit: str = "") -> HTMLResponse:
    scope = unit_scope(user, unit or None)
    codes = select(EnrolmentCode).order_by(EnrolmentCode.created_at.desc()).limit(20)
    if scope is not None:
        codes = codes.where(EnrolmentCode.unit_id == scope)
    current = {(row.unit_id, row.kind): row.etag for row in session.execute(select(UnitConfig)).scalars()}
    return show(page, "workstations.html", user=user, current="workstations", unit=scope or "",
                units=units_for(session, user), workstations=workstation_views(session, scope=scope),
                codes=list(session.execute(codes).scalars()) if user.administrator else [], published=current)


@router.post("/workstations/codes")
def issue_code(page: PageDep, user: VerifiedDep, state: StateDep, unit: Annotated[str, Form(max_length=64)],
               hours: Annotated[int, Form(ge=1, le=24 * 30)] = 72,
               uses: Annotated[int, Form(ge=1, le=workstations.MAX_CODE_USES)] = 1) -> HTMLResponse:
    require_administrator(user)
    user.admin.check_unit(unit)
    with state.database.write() as session:
        issued = workstations.create_code(session, actor=user.admin.actor, unit_id=unit, hours=hours, uses=uses)
    server = str(page.request.base_url).rstrip("/")
    return show(page, "enrolment_code.html", user=user, current="workstations", issued=issued, server=server)


def _own(session, user: ConsoleUser, workstation_id: str):
    """The workstation if it is in the account's scope; another unit's is as if unknown (404)."""
    found = workstations.require_workstation(session, workstation_id=workstation_id)
    if user.admin.unit_id is not None and found.unit_id != user.admin.unit_id:
        raise ServerError(ServerErrorCode.WORKSTATION_UNKNOWN, workstation=workstation_id)
    return found


@router.get("/workstations/{workstation_id}/revoke")
def confirm_revoke(workstation_id: str, page: PageDep, user: UserDep, session: SessionDep) -> HTMLResponse:
    require_administrator(user)
    return show(page, "revoke.html", user=user, current="workstations", workstation=_own(session, user, workstation_id))


@router.post("/workstations/{workstation_id}/revoke")
def revoke(workstation_id: str, user: VerifiedDep, state: StateDep) -> Response:
    require_administrator(user)
    with state.database.write() as session:
        _own(session, user, workstation_id)
        workstations.revoke(session, actor=user.admin.actor, workstation_id=workstation_id, scope=user.admin.unit_id)
    return redirect("/workstations")
