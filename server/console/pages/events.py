"""Events: the API's search (unit, workstation, user, type, outcome, dates, document name without
diacritics) newest first, a page at a time by keyset; one event in detail; exports (CSV, XLSX,
JSONL, PDF) of exactly what is filtered. Practice events have a tab of their own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy import select

from ...api.deps import SessionDep, StateDep
from ...errors import ServerError, ServerErrorCode
from ...models import Event, Workstation
from ...services import adminlog
from ...services.event_search import Cursor, event_by_id, newest_first, practice_summary
from ...services.events import EventFilter
from ...services.export import MEDIA_TYPES, ExportFormat, stream_export
from ...services.report_pdf import ReportOptions
from ..auth import ConsoleUser, PageDep, UserDep
from ..web import Page
from .common import day_range, show, unit_scope, units_for

__all__ = ["EVENT_TYPES", "router"]

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
EVENT_TYPES = ("sign.requested", "sign.succeeded", "sign.failed", "sign.refused", "sign.recovered", "pin.wrong",
               "pin.locked", "document.opened", "preflight.done", "verification.done", "document.extended", "token.inserted",
               "token.removed", "app.started", "app.stopped", "catalogue.loaded", "policy.loaded", "settings.changed",
               "audit.verified", "audit.exported", "audit.pruned", "audit.restarted", "audit.write_failed",
               "server.key_followed")
PRACTICE_TYPES = ("sign.succeeded", "sign.failed", "sign.refused", "pin.wrong", "pin.locked", "verification.done")
_Text = Annotated[str, Query(max_length=200, pattern="^[^\x00]*$")]


@dataclass(frozen=True)
class Search:
    """The filters as typed in the form (kept to fill it again and to build links)."""

    unit: str = ""
    workstation: str = ""
    user: str = ""
    type: str = ""
    outcome: str = ""
    document: str = ""
    date_from: str = ""
    date_to: str = ""

    def params(self) -> dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}


def _search(unit: _Text = "", workstation: _Text = "", user: _Text = "", type: _Text = "",
            outcome: Annotated[str, Query(pattern="^(|ok|failed|refused)$")] = "", document: _Text = "",
            date_from: Annotated[str, Query(max_length=10, alias="from")] = "",
            date_to: Annotated[str, Query(max_length=10, alias="to")] = "") -> Search:
    return Search(unit, workstation, user, type, outcome, document, date_from, date_to)


SearchDep = Annotated[Search, Depends(_search)]


def event_filter(search: Search, *, user: ConsoleUser, page: Page, mode: str) -> EventFilter:
    first, after_last = day_range(search.date_from, search.date_to, zone=page.zone)
    return EventFilter(unit=unit_scope(user, search.unit or None), workstation=search.workstation or None,
                       user=search.user or None, type=search.type or None, outcome=search.outcome or None, mode=mode,
                       date_from=first, date_to=after_last, document=search.document or None)


def _link_params(search: Search) -> dict[str, str]:
    params = search.params()
    for name, alias in (("date_from", "from"), ("date_to", "to")):
        if name in params:
            params[alias] = params.pop(name)
    return params


def _listing(page: Page, user: ConsoleUser, session, search: Search, *, mode: str, before: str, current: str,
             **extra: Any) -> HTMLResponse:
    where = event_filter(search, user=user, page=page, mode=mode)
    found, cursor = newest_first(session, where=where, before=Cursor.parse(before), limit=PAGE_SIZE)
    labels = _labels(session, scope=where.unit)
    return show(page, "events.html", user=user, current=current, search=search, link=_link_params(search),
                rows=[_row(row) for row in found], next_cursor=cursor.text() if cursor else "", first_page=not before,
                types=EVENT_TYPES, units=units_for(session, user), workstations=labels, mode=mode, **extra)


@router.get("/events")
def events(page: PageDep, user: UserDep, session: SessionDep, search: SearchDep, before: _Text = "") -> HTMLResponse:
    return _listing(page, user, session, search, mode="production", before=before, current="events")


@router.get("/practice")
def practice(page: PageDep, user: UserDep, session: SessionDep, search: SearchDep, before: _Text = "") -> HTMLResponse:
    where = event_filter(search, user=user, page=page, mode="practice")
    summary = practice_summary(session, where=where, types=PRACTICE_TYPES) if not before else []
    return _listing(page, user, session, search, mode="practice", before=before, current="practice",
                    summary=_trainees(summary))


def _trainees(summary: list[tuple[str, str, str, int]]) -> list[tuple[str, dict[str, int]]]:
    """One line per trainee: signatures made, failed, refused; wrong PINs; documents verified."""
    people: dict[str, dict[str, int]] = {}
    for name, kind, outcome, count in summary:
        column = {"sign.succeeded": "signed", "sign.failed": "failed", "sign.refused": "refused",
                  "pin.wrong": "wrong_pin", "pin.locked": "wrong_pin", "verification.done": "verified"}[kind]
        if kind == "sign.refused" and outcome == "":
            column = "refused"
        people.setdefault(name, {}).setdefault(column, 0)
        people[name][column] += count
    return sorted(people.items())


@dataclass(frozen=True)
class Row:
    id: int
    at: datetime
    unit: str
    workstation: str
    seq: int
    type: str
    outcome: str
    user: str
    document: str


def _row(row: Any) -> Row:
    data = _data(row.data)
    document = data.get("document")
    return Row(row.id, row.at_utc, row.unit_id, row.workstation_id, row.seq, row.type, row.outcome or "",
               row.user_name or row.os_user, document if isinstance(document, str) else "")


def _data(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # stored before events were bounded: shown as empty
        return {}
    return value if isinstance(value, dict) else {}


def _labels(session, *, scope: str | None) -> list[tuple[str, str]]:
    query = select(Workstation.id, Workstation.label).order_by(Workstation.label, Workstation.id)
    if scope is not None:
        query = query.where(Workstation.unit_id == scope)
    return [(ident, label) for ident, label in session.execute(query)]


@router.get("/events/export")
def export(page: PageDep, user: UserDep, state: StateDep, search: SearchDep,
           format: ExportFormat = ExportFormat.CSV, mode: Annotated[str, Query(pattern="^(production|practice)$")] = "production"
           ) -> StreamingResponse:
    where = event_filter(search, user=user, page=page, mode=mode)
    report = ReportOptions(lang=page.lang, zone=page.zone, made_by=user.admin.username,
                           max_events=state.settings.report_max_events, font=state.settings.report_font,
                           filters=_report_filters(search, mode=mode, page=page))
    stream = stream_export(state.database, where=where, fmt=format, sheet_rows=state.settings.export_xlsx_rows,
                           report=report)
    with state.database.write() as session:
        adminlog.record(session, actor=user.admin.actor, action="events.exported", target=where.unit or "*",
                        details={"format": format.value, "filter": where.described(), "from": "console"})
    stamp = datetime.now(UTC).astimezone(page.zone).strftime("%Y%m%d-%H%M")
    name = f"kyso-{'luyen-tap' if mode == 'practice' else 'su-kien'}-{stamp}.{format.value}"
    return StreamingResponse(stream, media_type=MEDIA_TYPES[format],
                             headers={"Content-Disposition": f'attachment; filename="{name}"',
                                      "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def _report_filters(search: Search, *, mode: str, page: Page) -> dict[str, str]:
    shown = dict(search.params())
    if mode == "practice":
        shown["mode"] = page.t("CONSOLE_MODE_PRACTICE")
    if "outcome" in shown:
        shown["outcome"] = page.t("CONSOLE_OUTCOME_" + shown["outcome"].upper())
    if "type" in shown:
        shown["type"] = page.named("CONSOLE_EVENT_", shown["type"])
    for name in ("date_from", "date_to"):
        if name in shown:
            shown[name] = "/".join(reversed(shown[name].split("-")))  # 2026-10-01 → 01/10/2026
    return shown


@router.get("/events/{event_id}")
def event_detail(event_id: int, page: PageDep, user: UserDep, session: SessionDep) -> HTMLResponse:
    event = event_by_id(session, event_id=event_id)
    if event is None or (user.admin.unit_id is not None and event.unit_id != user.admin.unit_id):
        raise ServerError(ServerErrorCode.NOT_FOUND, detail="event")  # another unit's event: as if none
    data = _data(event.data)
    neighbours = dict(session.execute(select(Event.seq, Event.id).where(
        Event.chain == event.chain, Event.mode == event.mode, Event.seq.in_((event.seq - 1, event.seq + 1)))).all())
    label = session.execute(select(Workstation.label).where(Workstation.id == event.workstation_id)).scalar_one_or_none()
    return show(page, "event.html", user=user, current="practice" if event.mode == "practice" else "events",
                event=event, label=label or "", data=data, facts=_facts(data),
                data_json=json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True),
                previous_id=neighbours.get(event.seq - 1), next_id=neighbours.get(event.seq + 1))


_FACTS = ("document", "input", "output", "input_sha256", "output_sha256", "sha256", "input_size", "output_size",
          "size", "kind", "level", "field", "signing_time", "tsa", "revocation", "revocation_status", "valid",
          "error_code", "type", "request_id", "catalogue_version")


def _facts(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The members an administrator looks for first, then the certificate and token, as text."""
    facts = [(name, _text(data[name])) for name in _FACTS if data.get(name) not in (None, "")]
    for group in ("certificate", "token"):
        value = data.get(group)
        if isinstance(value, dict):
            facts += [(f"{group}.{key}", _text(item)) for key, item in value.items() if item not in (None, "")]
    if isinstance(data.get("error_params"), dict) and data["error_params"]:
        facts.append(("error_params", _text(data["error_params"])))
    return facts


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
