"""Verifying a workstation's chains from the console, a step at a time, with progress.

A run lists the workstation's chains with their heads when it starts; each step re-hashes and
links up to `limit` more events of the current chain (`events.verify_range`) and saves where it
stands, so any server process can take the next step and a page can show progress between steps.
A step reads in its own read session and saves only if no other step moved the run meanwhile
(a double click verifies nothing twice). The finished verdict goes to the admin log.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.audit.wire import GENESIS

from ..db import Database, now_utc
from ..errors import ServerError, ServerErrorCode
from ..models import ChainHead, VerificationRun
from . import adminlog
from .events import verify_range
from .workstations import require_workstation

__all__ = ["ChainProgress", "STEP_EVENTS", "latest_runs", "progress_of", "read_run", "start_run", "step_run"]

STEP_EVENTS = 25_000  # ~0.2–0.5 s of hashing a step: progress moves, no request runs long


@dataclass(frozen=True)
class ChainProgress:
    chain: str
    mode: str
    total: int  # the chain's head when the run started
    done: int = 0  # verified gaplessly up to this sequence
    prev_hash: str = GENESIS
    finished: bool = False
    problem: str | None = None  # gap | prev_hash | hash
    problem_seq: int | None = None

    @property
    def ok(self) -> bool | None:
        return None if not self.finished else self.problem is None


def progress_of(run: VerificationRun) -> list[ChainProgress]:
    return [ChainProgress(**chain) for chain in json.loads(run.state)]


def start_run(session: Session, *, actor: str, workstation_id: str, scope: str | None) -> VerificationRun:
    found = require_workstation(session, workstation_id=workstation_id)
    if scope is not None and found.unit_id != scope:  # another unit's workstation: as if unknown
        raise ServerError(ServerErrorCode.WORKSTATION_UNKNOWN, workstation=workstation_id)
    heads = session.execute(select(ChainHead.chain, ChainHead.mode, ChainHead.seq)
                            .where(ChainHead.workstation_id == workstation_id)
                            .order_by(ChainHead.mode.desc(), ChainHead.chain)).all()
    chains = [ChainProgress(chain, mode, seq, finished=seq == 0) for chain, mode, seq in heads]
    run = VerificationRun(workstation_id=workstation_id, unit_id=found.unit_id, started_by=actor,
                          started_at=now_utc(), state=_dump(chains))
    session.add(run)
    session.flush()
    if all(chain.finished for chain in chains):
        _finish(session, run, chains)
    return run


def read_run(session: Session, *, run_id: int, scope: str | None) -> VerificationRun:
    run = session.get(VerificationRun, run_id)
    if run is None or (scope is not None and run.unit_id != scope):
        raise ServerError(ServerErrorCode.NOT_FOUND, detail="verification")  # another unit's run: as if none
    return run


def step_run(database: Database, *, run_id: int, scope: str | None, limit: int | None = None) -> VerificationRun:
    """Verify the next `limit` (default STEP_EVENTS) events of the run's current chain; the run as
    it now stands."""
    limit = limit or STEP_EVENTS
    with database.read_session() as session:
        run = read_run(session, run_id=run_id, scope=scope)
        before = run.state
        chains = progress_of(run)
        current = next((i for i, chain in enumerate(chains) if not chain.finished), None)
        if current is None:
            return run
        chains[current] = _advance(session, chains[current], limit=limit)
    with database.write() as session:
        moved = session.execute(update(VerificationRun).where(VerificationRun.id == run_id,
                                                              VerificationRun.state == before)
                                .values(state=_dump(chains))).rowcount
        run = session.get(VerificationRun, run_id)
        if moved and all(chain.finished for chain in chains):
            _finish(session, run, chains)
        return run


def _advance(session: Session, chain: ChainProgress, *, limit: int) -> ChainProgress:
    verdict = verify_range(session, chain=chain.chain, mode=chain.mode, after_seq=chain.done, prev_hash=chain.prev_hash,
                           limit=min(limit, chain.total - chain.done))
    if verdict.problem is not None:
        return replace(chain, done=verdict.seq, prev_hash=verdict.prev_hash, finished=True, problem=verdict.problem,
                       problem_seq=verdict.problem_seq)
    if verdict.checked == 0 and verdict.seq < chain.total:  # events the head counts are not stored
        return replace(chain, finished=True, problem="gap", problem_seq=verdict.seq + 1)
    return replace(chain, done=verdict.seq, prev_hash=verdict.prev_hash, finished=verdict.seq >= chain.total)


def _finish(session: Session, run: VerificationRun, chains: list[ChainProgress]) -> None:
    run.finished_at, run.ok = now_utc(), all(chain.problem is None for chain in chains)
    adminlog.record(session, actor=run.started_by, action="chains.verified", target=run.workstation_id,
                    details={"run": run.id, "ok": run.ok, "chains": [
                        {"chain": c.chain, "mode": c.mode, "events": c.done, "problem": c.problem,
                         "problem_seq": c.problem_seq} for c in chains]})


def latest_runs(session: Session, *, workstation_ids: list[str]) -> dict[str, VerificationRun]:
    """The last finished run of each workstation."""
    if not workstation_ids:
        return {}
    query = (select(VerificationRun).where(VerificationRun.workstation_id.in_(workstation_ids),
                                           VerificationRun.finished_at.is_not(None))
             .order_by(VerificationRun.id))
    return {run.workstation_id: run for run in session.execute(query).scalars()}


def _dump(chains: list[ChainProgress]) -> str:
    return json.dumps([asdict(chain) for chain in chains], sort_keys=True)
