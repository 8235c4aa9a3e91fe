"""Reading for auditors and administrators, always within the account's unit: events, export,
workstations, per-chain verification, alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from ...errors import ServerError, ServerErrorCode
from ...messages import language_from_header
from ...principals import Admin
from ...services import adminlog, alerts, workstations
from ...services.events import EventFilter, chains_of, page_json, verify_chain
from ...services.export import MEDIA_TYPES, ExportFormat, stream_export
from ...services.report_pdf import ReportOptions
from ...timezones import local_zone, parse_moment
from ..deps import AdminDep, SessionDep, StateDep
from ..schemas import (
    READ,
    SIGNED_IN,
    Alerts,
    ChainVerdictOut,
    EventPage,
    WorkstationOut,
    WorkstationVerdict,
    refusals,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=refusals(*SIGNED_IN, 422, *READ))
_Text = Annotated[str | None, Query(max_length=200, pattern="^[^\x00]*$")]  # PostgreSQL text holds no U+0000
BIGINT = 2**63 - 1


def _filter(admin: AdminDep, unit: _Text = None, workstation: _Text = None, user: _Text = None,
            type: _Text = None, document_type: _Text = None,
            outcome: Literal["ok", "failed", "refused"] | None = None,
            mode: Literal["production", "practice"] | None = None,
            date_from: Annotated[str | None, Query(alias="from", max_length=64, json_schema_extra=_MOMENT)] = None,
            date_to: Annotated[str | None, Query(alias="to", max_length=64, json_schema_extra=_MOMENT)] = None,
            document: _Text = None) -> EventFilter:
    """The query's filters, with the unit forced to the account's own when it has one."""
    if unit is not None:
        admin.check_unit(unit)
    return EventFilter(unit=unit or admin.unit_id, workstation=workstation, user=user, type=type,
                       document_type=document_type, outcome=outcome, mode=mode,
                       date_from=_moment("from", date_from), date_to=_moment("to", date_to), document=document)


_MOMENT = {"format": "date-time", "description": "RFC 3339 with a time zone (Z or ±HH:MM up to ±15:59)"}


def _moment(name: str, text: str | None) -> datetime | None:
    """Strictly RFC 3339 with a zone; anything else is a 422 before any answer or stream starts."""
    if text is None:
        return None
    moment = parse_moment(text)
    if moment is None:
        raise ServerError(ServerErrorCode.DATE_INVALID, name=name, value=text[:64])
    return moment


FilterDep = Annotated[EventFilter, Depends(_filter)]


@router.get("/events", response_model=EventPage)
def list_events(where: FilterDep, session: SessionDep, after_id: Annotated[int, Query(ge=0, le=BIGINT)] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Response:
    """Written by orjson with each event's stored data spliced in (never re-parsed): a page never
    fails on what was stored, however deep."""
    return Response(page_json(session, where=where, after_id=after_id, limit=limit), media_type="application/json")


@router.get("/events/export", response_class=StreamingResponse,
            responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}, **refusals(507)})
def export(where: FilterDep, admin: AdminDep, state: StateDep, request: Request,
           format: ExportFormat = ExportFormat.CSV) -> StreamingResponse:
    with state.database.write() as session:
        adminlog.record(session, actor=admin.actor, action="events.exported", target=where.unit or "*",
                        details={"format": format.value, "filter": {k: str(v) for k, v in vars(where).items() if v}})
    report = ReportOptions(lang=language_from_header(request.headers.get("accept-language")),
                           zone=local_zone(state.settings.console_timezone), made_by=admin.username,
                           max_events=state.settings.report_max_events, font=state.settings.report_font,
                           filters=where.described())
    stream = stream_export(state.database, where=where, fmt=format, sheet_rows=state.settings.export_xlsx_rows,
                           report=report)
    name = f"kyso-audit.{format.value}"
    return StreamingResponse(stream, media_type=MEDIA_TYPES[format],
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/workstations", response_model=list[WorkstationOut])
def list_workstations(admin: AdminDep, session: SessionDep) -> list[dict]:
    return workstations.list_workstations(session, scope=admin.unit_id)


def _readable(admin: Admin, session, workstation_id: str) -> None:
    found = workstations.require_workstation(session, workstation_id=workstation_id)
    if admin.unit_id is not None and found.unit_id != admin.unit_id:  # as if unknown: no other unit's name told
        raise ServerError(ServerErrorCode.WORKSTATION_UNKNOWN, workstation=workstation_id)


@router.get("/workstations/{workstation_id}/verify", response_model=WorkstationVerdict, responses=refusals(404))
def verify(workstation_id: str, admin: AdminDep, session: SessionDep,
           mode: Literal["production", "practice"] | None = None) -> WorkstationVerdict:
    """Every chain of the workstation re-hashed from the stored events, first problem named."""
    _readable(admin, session, workstation_id)
    verdicts = [ChainVerdictOut(**vars(verify_chain(session, chain=chain, mode=chain_mode)))
                for chain, chain_mode in chains_of(session, workstation=workstation_id, mode=mode)]
    return WorkstationVerdict(workstation=workstation_id, ok=all(v.ok for v in verdicts), chains=verdicts)


@router.get("/alerts", response_model=Alerts)
def list_alerts(admin: AdminDep, session: SessionDep, unit: _Text = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Alerts:
    if unit is not None:
        admin.check_unit(unit)
    return Alerts(alerts=alerts.list_alerts(session, unit=unit or admin.unit_id, limit=limit))
