"""Administrators: units, accounts, enrolment codes, revocation, unit configuration, the admin log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import select

from ...db import as_utc, now_utc
from ...models import AdminLogEntry
from ...principals import Role
from ...services import account_admin, accounts, adminlog, workstations
from ...services.unit_config import ConfigKind, set_config
from ..deps import AdministratorDep, SessionDep, StateDep
from ..schemas import (
    BODY,
    READ,
    SIGNED_IN,
    WRITE,
    AccountIn,
    AccountOut,
    CodeIn,
    CodeOut,
    ConfigIn,
    LogPage,
    LogVerdictOut,
    UnitIn,
    UnitOut,
    WorkstationOut,
    refusals,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/admin", tags=["admin"],
                   responses=refusals(*SIGNED_IN, *READ))


@router.post("/units", response_model=UnitOut, status_code=status.HTTP_201_CREATED, responses=refusals(*BODY, 409, *WRITE))
def create_unit(body: UnitIn, admin: AdministratorDep, state: StateDep) -> UnitOut:
    admin.check_unit(None)  # only an administrator of every unit creates units
    with state.database.write() as session:
        unit = accounts.create_unit(session, actor=admin.actor, unit_id=body.id, name=body.name)
    return UnitOut(id=unit.id, name=unit.name)


@router.get("/units", response_model=list[UnitOut])
def list_units(admin: AdministratorDep, session: SessionDep) -> list[UnitOut]:
    return [UnitOut(id=u.id, name=u.name) for u in accounts.list_units(session, scope=admin.unit_id)]


@router.post("/accounts", response_model=AccountOut, status_code=status.HTTP_201_CREATED, responses=refusals(*BODY, 404, 409, *WRITE))
def create_account(body: AccountIn, admin: AdministratorDep, state: StateDep) -> AccountOut:
    admin.check_unit(body.unit)
    with state.database.write() as session:
        account = accounts.create_account(session, actor=admin.actor, username=body.username,
                                          password=body.password, role=Role(body.role), unit_id=body.unit)
    return AccountOut(username=account.username, role=account.role, unit=account.unit_id, locked=False)


@router.get("/accounts", response_model=list[AccountOut])
def list_accounts(admin: AdministratorDep, session: SessionDep) -> list[AccountOut]:
    now = now_utc()
    return [_account_out(a, now) for a in accounts.list_accounts(session, scope=admin.unit_id)]


def _account_out(account, now) -> AccountOut:
    return AccountOut(username=account.username, role=account.role, unit=account.unit_id, disabled=account.disabled,
                      locked=account.locked_until is not None and as_utc(account.locked_until) > now)


@router.post("/accounts/{username}/disable", response_model=AccountOut, responses=refusals(404, 422, *WRITE))
def disable_account(username: str, admin: AdministratorDep, state: StateDep) -> AccountOut:
    """The account signs in no more and its open sessions end now (recorded in the admin log)."""
    with state.database.write() as session:
        account = account_admin.disable(session, actor=admin.actor, scope=admin.unit_id, actor_account_id=admin.account_id,
                                        account_id=account_admin.account_id_of(session, username=username))
        return _account_out(account, now_utc())


@router.post("/accounts/{username}/enable", response_model=AccountOut, responses=refusals(404, 422, *WRITE))
def enable_account(username: str, admin: AdministratorDep, state: StateDep) -> AccountOut:
    with state.database.write() as session:
        account = account_admin.enable(session, actor=admin.actor, scope=admin.unit_id,
                                       account_id=account_admin.account_id_of(session, username=username))
        return _account_out(account, now_utc())


@router.post("/enrolment-codes", response_model=CodeOut, status_code=status.HTTP_201_CREATED, responses=refusals(*BODY, 404, *WRITE))
def create_code(body: CodeIn, admin: AdministratorDep, state: StateDep) -> CodeOut:
    admin.check_unit(body.unit)
    with state.database.write() as session:
        issued = workstations.create_code(session, actor=admin.actor, unit_id=body.unit,
                                          hours=body.hours or state.settings.enrolment_code_hours, uses=body.uses)
    return CodeOut(code=issued.code, unit=issued.unit_id, expires_at=issued.expires_at, uses=issued.uses)


@router.post("/workstations/{workstation_id}/revoke", response_model=WorkstationOut, responses=refusals(404, 422, *WRITE))
def revoke(workstation_id: str, admin: AdministratorDep, state: StateDep) -> dict:
    with state.database.write() as session:
        workstations.revoke(session, actor=admin.actor, workstation_id=workstation_id, scope=admin.unit_id)
    with state.database.read_session() as session:
        return next(w for w in workstations.list_workstations(session, scope=None) if w["id"] == workstation_id)


@router.put("/units/{unit_id}/{kind}", status_code=status.HTTP_204_NO_CONTENT, responses=refusals(*BODY, 404, *WRITE))
def put_config(unit_id: str, kind: ConfigKind, body: ConfigIn, admin: AdministratorDep, state: StateDep) -> None:
    admin.check_unit(unit_id)
    with state.database.write() as session:
        set_config(session, actor=admin.actor, unit_id=unit_id, kind=kind, content=body.content)


@router.get("/log", response_model=LogPage, responses=refusals(422))
def read_log(admin: AdministratorDep, session: SessionDep, after_seq: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
             limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> LogPage:
    admin.check_unit(None)  # the server's log spans every unit
    query = select(AdminLogEntry).where(AdminLogEntry.seq > after_seq).order_by(AdminLogEntry.seq).limit(limit)
    return LogPage(entries=[{"seq": e.seq, "prev_hash": e.prev_hash, "hash": e.hash, "at": e.at, "actor": e.actor,
                             "action": e.action, "target": e.target, "details": e.details}
                            for e in session.execute(query).scalars()])


@router.get("/log/verify", response_model=LogVerdictOut)
def verify_log(admin: AdministratorDep, session: SessionDep) -> LogVerdictOut:
    admin.check_unit(None)
    return LogVerdictOut(**vars(adminlog.verify_log(session)))
