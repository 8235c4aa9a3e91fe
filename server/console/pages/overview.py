"""Overview: open tamper alerts first, signatures today and this week by outcome, and every
workstation of the unit with its last contact and chain status."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from ...api.deps import SessionDep
from ...services import alerts
from ...services.event_search import outcome_counts
from ..auth import PageDep, UserDep
from ..views import workstation_views
from .common import show, unit_scope, units_for

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/")
def overview(page: PageDep, user: UserDep, session: SessionDep, unit: str = "") -> HTMLResponse:
    scope = unit_scope(user, unit or None)
    today = datetime.combine(datetime.now(UTC).astimezone(page.zone).date(), time(0), tzinfo=page.zone)
    week = today - timedelta(days=today.weekday())
    counts = {"today": outcome_counts(session, unit=scope, since=today.astimezone(UTC)),
              "week": outcome_counts(session, unit=scope, since=week.astimezone(UTC))}
    open_alerts = [a for a in alerts.list_alerts(session, unit=scope, limit=50, open_first=True)
                   if a["acknowledged_at"] is None]
    return show(page, "overview.html", user=user, current="overview", unit=scope or "",
                units=units_for(session, user), counts=counts, alerts=open_alerts,
                workstations=workstation_views(session, scope=scope))
