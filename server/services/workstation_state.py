"""What each workstation reports it has in force (kyso version, the unit's policy and catalogue
by ETag, the heads of its local chains), and how that compares with what the unit published."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import now_utc
from ..models import UnitConfigVersion, Workstation

__all__ = ["PublishedVersion", "local_heads", "record_state", "versions_by_etag"]


def record_state(session: Session, *, workstation_id: str, app_version: str, policy: str | None,
                 catalogue: str | None, catalogue_version: str | None, chain: str, heads: dict[str, int]) -> None:
    """`heads`: the last sequence of each mode of `chain`, the chain the workstation writes now."""
    session.execute(update(Workstation).where(Workstation.id == workstation_id).values(
        reported_at=now_utc(), app_version=app_version, policy_etag=policy, catalogue_etag=catalogue,
        catalogue_version=catalogue_version, local_heads=json.dumps({"chain": chain, "heads": heads}, sort_keys=True)))


def local_heads(stored: str | None) -> tuple[str, dict[str, int]]:
    """(chain, {mode: seq}) as last reported; ("", {}) when never."""
    try:
        value = json.loads(stored or "")
        return str(value["chain"]), {str(mode): int(seq) for mode, seq in value["heads"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", {}


@dataclass(frozen=True)
class PublishedVersion:
    kind: str
    revision: int
    etag: str
    published_at: datetime
    published_by: str


def versions_by_etag(session: Session, *, unit_id: str | None) -> dict[tuple[str, str, str], PublishedVersion]:
    """(unit, kind, etag) → the published version with that content."""
    query = select(UnitConfigVersion)
    if unit_id is not None:
        query = query.where(UnitConfigVersion.unit_id == unit_id)
    return {(v.unit_id, v.kind, v.etag): PublishedVersion(v.kind, v.revision, v.etag, v.published_at, v.published_by)
            for v in session.execute(query).scalars()}
