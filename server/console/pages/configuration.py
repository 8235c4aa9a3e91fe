"""Catalogue and policy: upload the unit's catalogue (refused with the same line-numbered problems
as `kyso catalogue validate`), edit the machine policy with a form and publish it, and see which
version each workstation has in force. Administrators only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from app.policy import AUDIT_VISIBILITY, SETTINGS, PolicyInvalid, parse_policy, policy_toml

from ...api.deps import SessionDep, StateDep
from ...errors import ServerError, ServerErrorCode
from ...models import UnitConfig, UnitConfigVersion
from ...services.unit_config import ConfigKind, set_config
from ..auth import ConsoleUser, PageDep, UserDep, VerifiedDep
from ..views import latest_versions, workstation_views
from ..web import Page, page_url, redirect
from .common import require_administrator, show, units_for

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
MAX_CATALOGUE = 4 * 1024 * 1024  # as the API's ConfigIn


def _unit(user: ConsoleUser, session, requested: str) -> str:
    """The unit being configured: the account's own, or one an account of every unit picks."""
    require_administrator(user)
    if user.admin.unit_id is not None:
        user.admin.check_unit(requested or user.admin.unit_id)
        return user.admin.unit_id
    units = units_for(session, user)
    if requested and requested in {unit for unit, _ in units}:
        return requested
    if requested or not units:
        raise ServerError(ServerErrorCode.UNIT_UNKNOWN, unit=requested or "-")
    return units[0][0]


@router.get("/configuration")
def configuration(page: PageDep, user: UserDep, session: SessionDep, unit: str = "", saved: str = "") -> HTMLResponse:
    return _page(page, user, session, _unit(user, session, unit), saved=saved)


def _page(page: Page, user: ConsoleUser, session, unit: str, *, status_code: int = 200, **extra: Any) -> HTMLResponse:
    current = {row.kind: row for row in session.execute(select(UnitConfig).where(UnitConfig.unit_id == unit)).scalars()}
    policy = _current_policy(current.get("policy"))
    return show(page, "configuration.html", user=user, current="configuration", status_code=status_code, unit=unit,
                units=units_for(session, user), catalogue=current.get("catalogue"),
                catalogue_info=_catalogue_info(current.get("catalogue")), policy_row=current.get("policy"),
                policy=policy, settings=SETTINGS, visibility=AUDIT_VISIBILITY,
                versions={kind: latest_versions(session, unit_id=unit, kind=kind) for kind in ("catalogue", "policy")},
                workstations=workstation_views(session, scope=unit), **extra)


def _current_policy(row: UnitConfig | None) -> dict[str, Any]:
    if row is None:
        return {}
    try:
        return parse_policy(row.content, source="server")
    except PolicyInvalid:
        return {}


def _catalogue_info(row: UnitConfig | None) -> dict[str, str]:
    if row is None:
        return {}
    from app.catalogue.loader import CatalogueInvalid, parse_catalogue

    try:
        info = parse_catalogue(row.content, source="server").info
    except CatalogueInvalid:
        return {}
    return {"id": info.id, "name": info.name, "version": info.version, "issued": info.issued}


@router.post("/configuration/catalogue")
async def upload_catalogue(request: Request, page: PageDep, user: VerifiedDep, state: StateDep) -> Response:
    form = await request.form()
    unit = str(form.get("unit", ""))
    sent = form.get("catalogue_file")
    pasted = str(form.get("catalogue_text", ""))
    if isinstance(sent, UploadFile) and sent.filename:
        raw, pasted = await sent.read(MAX_CATALOGUE + 1), ""
    else:
        raw = pasted.encode("utf-8")
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_publish_catalogue, page, user, state, unit, raw, pasted)


def _publish_catalogue(page: Page, user: ConsoleUser, state, unit: str, raw: bytes, pasted: str) -> Response:
    with state.database.read_session() as session:
        unit = _unit(user, session, unit)
    problems: list[dict[str, Any]]
    if len(raw) > MAX_CATALOGUE:
        problems = [{"line": 0, "field": "(file)", "message": page.t("CONSOLE_CATALOGUE_TOO_LARGE")}]
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems = [{"line": 0, "field": "(file)", "message": page.t("CONSOLE_CATALOGUE_NOT_UTF8")}]
        else:
            problems = _publish(state, user, unit, ConfigKind.CATALOGUE, text)
    if not problems:
        return redirect(page_url("/configuration", unit=unit if user.every_unit else "", saved="catalogue"))
    with state.database.read_session() as session:
        return _page(page, user, session, unit, status_code=422, catalogue_problems=problems, catalogue_text=pasted)


def _publish(state, user: ConsoleUser, unit: str, kind: ConfigKind, content: str) -> list[dict[str, Any]]:
    """Publish through the same service as the API; its problems when it refuses the file."""
    try:
        with state.database.write() as session:
            set_config(session, actor=user.admin.actor, unit_id=unit, kind=kind, content=content)
    except ServerError as error:
        if error.code is not ServerErrorCode.CONFIG_INVALID:
            raise
        return list(error.extra.get("problems", []))
    return []


@router.post("/configuration/policy")
async def publish_policy(request: Request, page: PageDep, user: VerifiedDep, state: StateDep,
                         unit: Annotated[str, Form(max_length=64)] = "") -> Response:
    form = await request.form()
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_publish_policy, page, user, state, unit, form)


def _publish_policy(page: Page, user: ConsoleUser, state, unit: str, form) -> Response:
    with state.database.read_session() as session:
        unit = _unit(user, session, unit)
    content = policy_from_form(form, header=page.t("CONSOLE_POLICY_HEADER", unit=unit, who=user.admin.username))
    problems = _publish(state, user, unit, ConfigKind.POLICY, content)
    if not problems:
        return redirect(page_url("/configuration", unit=unit if user.every_unit else "", saved="policy"))
    with state.database.read_session() as session:
        return _page(page, user, session, unit, status_code=422, policy_problems=problems)


def policy_from_form(form, *, header: str) -> str:
    """The policy file the form describes: for each setting "" (not set), "default" or "locked"
    with its value; who locks; the audit rules."""
    chosen: dict[str, dict[str, Any]] = {"default": {}, "locked": {}}
    for name, spec in SETTINGS.items():
        how = str(form.get(f"how_{name}", ""))
        if how not in chosen:
            continue
        value = str(form.get(f"value_{name}", ""))
        chosen[how][name] = [line.strip() for line in value.splitlines() if line.strip()] if spec.kind == "list" else value.strip()
    audit: dict[str, Any] = {}
    keep = str(form.get("keep_days", "")).strip()
    if keep:
        audit["keep_days"] = int(keep) if keep.isdigit() else keep  # not a number: refused with its problem
    if form.get("visibility") in AUDIT_VISIBILITY and form.get("visibility") != "own":
        audit["visibility"] = str(form.get("visibility"))
    administrators = [line.strip() for line in str(form.get("administrators", "")).splitlines() if line.strip()]
    if administrators:
        audit["administrators"] = administrators
    return policy_toml(locked_by=str(form.get("locked_by", "")).strip(), defaults=chosen["default"],
                       locked=chosen["locked"], audit=audit, header=header)


@router.get("/configuration/{kind}/{revision}")
def version(kind: ConfigKind, revision: int, page: PageDep, user: UserDep, session: SessionDep, unit: str = ""
            ) -> HTMLResponse:
    unit = _unit(user, session, unit)
    found = session.execute(select(UnitConfigVersion).where(
        UnitConfigVersion.unit_id == unit, UnitConfigVersion.kind == kind.value,
        UnitConfigVersion.revision == revision)).scalar_one_or_none()
    if found is None:
        raise ServerError(ServerErrorCode.NOT_FOUND, detail="version")
    return show(page, "config_version.html", user=user, current="configuration", version=found, unit=unit)
