"""Workstations as the console shows them: last contact, version, chain status (verified / broken
at N / behind), and which published policy and catalogue each has in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import as_utc
from ..models import Alert, ChainHead, UnitConfigVersion, Workstation
from ..services.verification_runs import latest_runs, progress_of
from ..services.workstation_state import PublishedVersion, local_heads, versions_by_etag

__all__ = ["ChainStatus", "WorkstationView", "latest_versions", "workstation_views"]


@dataclass(frozen=True)
class ChainStatus:
    kind: str  # broken | behind | verified | partly | unverified | empty
    seq: int = 0  # broken: where; verified/partly: up to where
    count: int = 0  # behind: events the server lacks; partly: events since the last verification


@dataclass(frozen=True)
class WorkstationView:
    id: str
    unit: str
    label: str
    enrolled_at: datetime | None
    revoked_at: datetime | None
    last_contact: datetime | None
    last_events: datetime | None
    app_version: str | None
    server_events: int  # production events stored for its chains
    status: ChainStatus
    open_alerts: int
    policy: PublishedVersion | None
    policy_etag: str | None
    catalogue: PublishedVersion | None
    catalogue_version: str | None


def workstation_views(session: Session, *, scope: str | None) -> list[WorkstationView]:
    query = select(Workstation).order_by(Workstation.unit_id, Workstation.label, Workstation.id)
    if scope is not None:
        query = query.where(Workstation.unit_id == scope)
    found = list(session.execute(query).scalars())
    ids = [w.id for w in found]
    heads: dict[str, dict[tuple[str, str], int]] = {}
    if ids:
        for chain, mode, seq, owner in session.execute(select(ChainHead.chain, ChainHead.mode, ChainHead.seq,
                                                              ChainHead.workstation_id)
                                                       .where(ChainHead.workstation_id.in_(ids))):
            heads.setdefault(owner, {})[(chain, mode)] = seq
    alerts = dict(session.execute(select(Alert.workstation_id, func.count()).where(
        Alert.acknowledged_at.is_(None), Alert.workstation_id.in_(ids)).group_by(Alert.workstation_id)).all()) if ids else {}
    runs = latest_runs(session, workstation_ids=ids)
    versions = versions_by_etag(session, unit_id=scope)
    return [_view(w, heads.get(w.id, {}), alerts.get(w.id, 0), runs.get(w.id), versions) for w in found]


def _view(w: Workstation, heads: dict[tuple[str, str], int], open_alerts: int, run, versions) -> WorkstationView:
    last_contact = max((m for m in (as_utc(w.last_seen_at), as_utc(w.reported_at)) if m is not None), default=None)
    return WorkstationView(
        id=w.id, unit=w.unit_id, label=w.label, enrolled_at=as_utc(w.enrolled_at), revoked_at=as_utc(w.revoked_at),
        last_contact=last_contact, last_events=as_utc(w.last_seen_at), app_version=w.app_version,
        server_events=sum(seq for (_, mode), seq in heads.items() if mode == "production"),
        status=_status(w, heads, open_alerts, run), open_alerts=open_alerts,
        policy=versions.get((w.unit_id, "policy", w.policy_etag)), policy_etag=w.policy_etag,
        catalogue=versions.get((w.unit_id, "catalogue", w.catalogue_etag)), catalogue_version=w.catalogue_version)


def _status(w: Workstation, heads: dict[tuple[str, str], int], open_alerts: int, run) -> ChainStatus:
    verified = {(c.chain, c.mode): c for c in progress_of(run)} if run is not None else {}
    broken = next((c for c in verified.values() if c.problem is not None), None)
    if broken is not None:
        return ChainStatus("broken", broken.problem_seq or 0)
    if open_alerts:
        return ChainStatus("broken", 0)
    chain, reported = local_heads(w.local_heads)
    behind = sum(max(0, seq - heads.get((chain, mode), 0)) for mode, seq in reported.items())
    if behind:
        return ChainStatus("behind", count=behind)
    if not any(heads.values()):
        return ChainStatus("empty")
    if not verified:
        return ChainStatus("unverified")
    new = sum(max(0, seq - (verified[key].done if key in verified else 0)) for key, seq in heads.items())
    done = sum(c.done for c in verified.values() if c.mode == "production")
    return ChainStatus("partly", done, new) if new else ChainStatus("verified", done)


def latest_versions(session: Session, *, unit_id: str, kind: str, limit: int = 20) -> list[UnitConfigVersion]:
    return list(session.execute(select(UnitConfigVersion).where(UnitConfigVersion.unit_id == unit_id,
                                                                UnitConfigVersion.kind == kind)
                                .order_by(UnitConfigVersion.revision.desc()).limit(limit)).scalars())
