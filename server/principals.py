"""Who is asking: an enrolled workstation or an admin account (role and unit scope)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import ServerError, ServerErrorCode

__all__ = ["Admin", "Role", "WorkstationPrincipal"]


class Role(StrEnum):
    ADMINISTRATOR = "administrator"  # enrolment, revocation, accounts, configuration; reads too
    AUDITOR = "auditor"  # reads and exports


@dataclass(frozen=True)
class WorkstationPrincipal:
    id: str
    unit_id: str


@dataclass(frozen=True)
class Admin:
    account_id: int
    username: str
    role: Role
    unit_id: str | None  # None: every unit

    @property
    def actor(self) -> str:
        return f"admin:{self.username}"

    def check_unit(self, unit_id: str | None) -> None:
        """Refuse a unit outside this account's scope (None asks for every unit)."""
        if self.unit_id is not None and unit_id != self.unit_id:
            raise ServerError(ServerErrorCode.OTHER_UNIT, unit=unit_id or "*")

    def require_administrator(self) -> None:
        if self.role is not Role.ADMINISTRATOR:
            raise ServerError(ServerErrorCode.FORBIDDEN)
