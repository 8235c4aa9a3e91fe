"""Verification: a workstation's chains verified on the server with progress, an uploaded JSONL
export re-verified, and the tamper alerts with their evidence, acknowledged with a comment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from ...api.deps import SessionDep, StateDep
from ...errors import ServerError, ServerErrorCode
from ...models import Event, VerificationRun
from ...services import adminlog, alerts
from ...services.export_check import check_export
from ...services.verification_runs import progress_of, read_run, start_run, step_run
from ..auth import PageDep, UserDep, VerifiedDep
from ..views import workstation_views
from ..web import redirect, render
from .common import require_administrator, show, unit_scope, units_for

__all__ = ["UPLOAD_PATH", "router"]

router = APIRouter(include_in_schema=False)
UPLOAD_PATH = "/verification/upload"


@router.get("/verification")
def verification(page: PageDep, user: UserDep, session: SessionDep, unit: str = "", workstation: str = ""
                 ) -> HTMLResponse:
    scope = unit_scope(user, unit or None)
    runs = session.execute(select(VerificationRun).where(*(
        [VerificationRun.unit_id == scope] if scope is not None else [])).order_by(VerificationRun.id.desc()).limit(15))
    listed = alerts.list_alerts(session, unit=scope, limit=200, open_first=True)
    return show(page, "verification.html", user=user, current="verification", unit=scope or "",
                units=units_for(session, user), workstations=workstation_views(session, scope=scope),
                chosen=workstation, runs=list(runs.scalars()), alerts=listed, evidence=_evidence(session, listed))


def _evidence(session, listed: list[dict]) -> dict[int, int]:
    """Alert id → id of the stored event at the alert's sequence (what the server holds)."""
    found = {}
    for alert in listed[:50]:
        event_id = session.execute(select(Event.id).where(Event.chain == alert["chain"], Event.mode == alert["mode"],
                                                          Event.seq == alert["seq"])).scalar_one_or_none()
        if event_id is not None:
            found[alert["id"]] = event_id
    return found


@router.post("/verification/runs")
def start(user: VerifiedDep, state: StateDep, workstation: Annotated[str, Form(max_length=64)]) -> Response:
    with state.database.write() as session:
        run = start_run(session, actor=user.admin.actor, workstation_id=workstation, scope=user.admin.unit_id)
    return redirect(f"/verification/runs/{run.id}")


@router.get("/verification/runs/{run_id}")
def run_page(run_id: int, page: PageDep, user: UserDep, session: SessionDep) -> HTMLResponse:
    run = read_run(session, run_id=run_id, scope=user.admin.unit_id)
    return show(page, "verification_run.html", user=user, current="verification", run=run, chains=progress_of(run))


@router.post("/verification/runs/{run_id}/step")
def step(run_id: int, request: Request, page: PageDep, user: VerifiedDep, state: StateDep) -> Response:
    run = step_run(state.database, run_id=run_id, scope=user.admin.unit_id)
    if request.headers.get("hx-request") != "true":
        return redirect(f"/verification/runs/{run_id}")
    return render(page, "_run_progress.html", run=run, chains=progress_of(run), csrf=user.csrf)


@router.post(UPLOAD_PATH)
async def upload(request: Request, page: PageDep, user: VerifiedDep, state: StateDep) -> HTMLResponse:
    sent = (await request.form()).get("export")
    if not isinstance(sent, UploadFile) or not sent.filename:
        raise ServerError(ServerErrorCode.REQUEST_INVALID, detail="export")
    from starlette.concurrency import run_in_threadpool

    result = await run_in_threadpool(_check, state, sent, user)
    return show(page, "verification_upload.html", user=user, current="verification", result=result,
                name=sent.filename)


def _check(state, sent: UploadFile, user):
    sent.file.seek(0)
    with state.database.read_session() as session:
        result = check_export(_lines(sent.file), session=session, scope=user.admin.unit_id)
    with state.database.write() as session:
        adminlog.record(session, actor=user.admin.actor, action="export.reverified", target=(sent.filename or "")[:200],
                        details={"lines": result.lines, "chains": len(result.chains), "ok": result.ok})
    return result


def _lines(handle, *, longest: int = 16 * 1024 * 1024):
    """The file's lines, none held longer than `longest` (a longer one is cut: it then does not
    read as an event, and is reported as such) — a file with no line breaks is never read whole."""
    while line := handle.readline(longest):
        if not line.endswith(b"\n") and len(line) == longest:
            while (rest := handle.readline(longest)) and not rest.endswith(b"\n"):
                pass
        yield line


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(alert_id: int, user: VerifiedDep, state: StateDep,
                comment: Annotated[str, Form(max_length=2000)] = "") -> Response:
    require_administrator(user)
    with state.database.write() as session:
        alerts.acknowledge(session, actor=user.admin.actor, alert_id=alert_id, scope=user.admin.unit_id,
                           comment=comment)
    return redirect(f"/verification#alert-{alert_id}")
