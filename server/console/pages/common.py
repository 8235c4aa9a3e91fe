"""What the console's pages share: the navigation a role sees, the unit an account may look at,
the dates typed in filters, and one way to render a page for a signed-in user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from ...errors import ServerError, ServerErrorCode
from ...services import accounts
from ...timezones import parse_day
from ..auth import ConsoleUser
from ..web import Page, render

__all__ = ["NavItem", "day_range", "navigation", "require_administrator", "require_every_unit", "show", "unit_scope",
           "units_for"]


@dataclass(frozen=True)
class NavItem:
    key: str
    href: str
    label: str  # message code


def navigation(user: ConsoleUser) -> list[NavItem]:
    items = [NavItem("overview", "/", "CONSOLE_NAV_OVERVIEW"), NavItem("events", "/events", "CONSOLE_NAV_EVENTS"),
             NavItem("practice", "/practice", "CONSOLE_NAV_PRACTICE"),
             NavItem("verification", "/verification", "CONSOLE_NAV_VERIFICATION"),
             NavItem("workstations", "/workstations", "CONSOLE_NAV_WORKSTATIONS")]
    if user.administrator:
        items += [NavItem("configuration", "/configuration", "CONSOLE_NAV_CONFIGURATION"),
                  NavItem("accounts", "/accounts", "CONSOLE_NAV_ACCOUNTS")]
    if user.administrator and user.every_unit:
        items.append(NavItem("adminlog", "/admin-log", "CONSOLE_NAV_ADMIN_LOG"))
    return items


def show(page: Page, template: str, *, user: ConsoleUser, current: str, status_code: int = 200,
         **context: Any) -> HTMLResponse:
    return render(page, template, status_code=status_code, user=user, nav=navigation(user), current=current,
                  csrf=user.csrf, **context)


def require_administrator(user: ConsoleUser) -> None:
    user.admin.require_administrator()


def require_every_unit(user: ConsoleUser) -> None:
    user.admin.require_administrator()
    user.admin.check_unit(None)


def unit_scope(user: ConsoleUser, requested: str | None) -> str | None:
    """The unit to show: an account of one unit sees that unit (asking for another is refused);
    an account of every unit sees the one it asks for, or all."""
    if requested:
        user.admin.check_unit(requested)
        return requested
    return user.admin.unit_id


def units_for(session: Session, user: ConsoleUser) -> list[tuple[str, str]]:
    return [(unit.id, unit.name) for unit in accounts.list_units(session, scope=user.admin.unit_id)]


def day_range(first: str | None, last: str | None, *, zone) -> tuple[datetime | None, datetime | None]:
    """Dates typed in a filter (YYYY-MM-DD, the unit's days) as a UTC range, the last day included."""
    def parse(text: str | None) -> date | None:
        if not text:
            return None
        day = parse_day(text)  # strictly YYYY-MM-DD, never the calendar's first or last day
        if day is None:
            raise ServerError(ServerErrorCode.DATE_INVALID, name="date", value=text[:64])
        return day

    start, end = parse(first), parse(last)
    moment = lambda day: datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)  # noqa: E731
    return (moment(start) if start else None), (moment(end + timedelta(days=1)) if end else None)
