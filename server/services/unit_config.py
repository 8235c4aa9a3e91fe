"""Each unit's catalogue and policy, as the administrators upload them and workstations fetch them.

Both are validated here exactly as the workstation validates them — the catalogue by its own
loader (`app.catalogue.loader`: schema and meaning, every problem with its line), the policy by
`app.policy` — so a broken file is refused here, with its problems, rather than by every
workstation. The ETag is the SHA-256 of the content; every version published is kept, numbered
per unit and kind, so the console can say which version each workstation applied.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import now_utc
from ..errors import ServerError, ServerErrorCode
from ..models import UnitConfig, UnitConfigVersion
from . import adminlog
from .accounts import require_unit

__all__ = ["ConfigKind", "config_problems", "config_revision", "get_config", "set_config"]


class ConfigKind(StrEnum):
    CATALOGUE = "catalogue"
    POLICY = "policy"


def set_config(session: Session, *, actor: str, unit_id: str, kind: ConfigKind, content: str) -> UnitConfig:
    require_unit(session, unit_id=unit_id)
    problems = config_problems(kind, content)
    if problems:
        detail = "; ".join(f"line {p['line']}: {p['field']}: {p['message']}" if p["line"] else f"{p['field']}: {p['message']}"
                           for p in problems[:5])
        raise ServerError(ServerErrorCode.CONFIG_INVALID, extra={"problems": problems[:200]}, kind=kind.value,
                          detail=detail[:500])
    etag = hashlib.sha256(content.encode("utf-8")).hexdigest()
    row = session.get(UnitConfig, (unit_id, kind.value))
    if row is None:
        row = UnitConfig(unit_id=unit_id, kind=kind.value)
        session.add(row)
    row.content, row.etag, row.updated_at, row.updated_by = content, etag, now_utc(), actor
    revision = _remember(session, row)
    adminlog.record(session, actor=actor, action=f"{kind.value}.set", target=unit_id,
                    details={"etag": etag, "revision": revision})
    return row


def get_config(session: Session, *, unit_id: str, kind: ConfigKind) -> UnitConfig:
    row = session.get(UnitConfig, (unit_id, kind.value))
    if row is None:
        raise ServerError(ServerErrorCode.CONFIG_NOT_SET, kind=kind.value, unit=unit_id)
    return row


def config_revision(session: Session, *, row: UnitConfig) -> int:
    """The number of the version `row` holds (0 for one published before versions were kept)."""
    found = session.execute(
        select(UnitConfigVersion.revision).where(UnitConfigVersion.unit_id == row.unit_id,
                                                 UnitConfigVersion.kind == row.kind, UnitConfigVersion.etag == row.etag)
        .order_by(UnitConfigVersion.revision.desc()).limit(1)).scalar_one_or_none()
    return found or 0


def _remember(session: Session, row: UnitConfig) -> int:
    """Keep this version (numbered from 1 per unit and kind); the same content published again
    keeps its number."""
    latest = session.execute(
        select(UnitConfigVersion).where(UnitConfigVersion.unit_id == row.unit_id, UnitConfigVersion.kind == row.kind)
        .order_by(UnitConfigVersion.revision.desc()).limit(1)
    ).scalar_one_or_none()
    if latest is not None and latest.etag == row.etag:
        return latest.revision
    revision = (latest.revision if latest is not None else 0) + 1
    session.add(UnitConfigVersion(unit_id=row.unit_id, kind=row.kind, revision=revision, etag=row.etag,
                                  content=row.content, published_at=row.updated_at, published_by=row.updated_by))
    session.flush()
    return revision


def config_problems(kind: ConfigKind, content: str) -> list[dict[str, Any]]:
    """Every problem of the file, as the workstation would find them: {line, field, message};
    line 0 when the problem is not about one line. Policy messages are codes the caller words."""
    if kind is ConfigKind.POLICY:
        from app.policy import PolicyInvalid, parse_policy

        try:
            parse_policy(content, source="server")
        except PolicyInvalid as invalid:
            return [{"line": _line(p.params.get("line", "")), "field": p.field, "message": p.code,
                     "params": dict(p.params)} for p in invalid.problems]
        return []
    from app.catalogue.loader import CatalogueInvalid, parse_catalogue

    try:
        parse_catalogue(content, source="server")
    except CatalogueInvalid as invalid:
        return [{"line": p.line, "field": p.field, "message": p.message} for p in invalid.problems]
    return []


def _line(text: str) -> int:
    return int(text) if text.isdigit() else 0
