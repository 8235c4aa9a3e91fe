"""Re-verifying a JSONL export someone uploads (no script needed): every event's hash recomputed
(`canonical.hash_matches`, whose verdict is always `app.audit.wire.event_hash`'s), every link
between consecutive sequences checked, and — for the chains the account may read — each event
compared with the copy the server holds.

An export may be filtered (one type, one month…): missing sequences are then counted, not called
a break; links are checked wherever two consecutive sequences are both in the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import wire

from ..canonical import hash_matches, shape_ok
from ..models import Event, Workstation

__all__ = ["ChainCheck", "ExportCheck", "check_export"]

_COMPARE_EVERY = 2000  # events compared with the server's copy per query
_PROBLEMS_KEPT = 50


@dataclass
class ChainCheck:
    chain: str
    mode: str
    events: int = 0
    first_seq: int = 0
    last_seq: int = 0
    missing: int = 0  # sequences between first and last not in the file (a filtered export)
    problems: list[tuple[int, int, str]] = field(default_factory=list)  # (line, seq, kind): hash | link | order | duplicate
    readable: bool = False  # the chain is the account's to compare with the server's copy
    same: int = 0  # events identical to the server's
    different: int = 0  # same sequence, different event: the export or the server was changed
    absent: int = 0  # not on the server
    _last_hash: str = ""
    _pending: dict[int, tuple[int, str]] = field(default_factory=dict)  # seq → (line, hash), to compare

    @property
    def ok(self) -> bool:
        return not self.problems and not self.different and not self.absent


@dataclass
class ExportCheck:
    lines: int = 0
    chains: dict[tuple[str, str], ChainCheck] = field(default_factory=dict)
    unreadable: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    @property
    def ok(self) -> bool:
        return not self.unreadable and all(chain.ok for chain in self.chains.values())


def check_export(lines: Iterable[bytes], *, session: Session, scope: str | None) -> ExportCheck:
    result = ExportCheck()
    readable_units: dict[str, bool] = {}
    for number, line in enumerate(lines, start=1):
        result.lines = number
        if not line.strip():
            continue
        event = _event(line, number, result)
        if event is None:
            continue
        key = (event["workstation"], event["mode"])
        chain = result.chains.get(key)
        if chain is None:
            chain = result.chains[key] = ChainCheck(*key, readable=_readable(session, event["workstation"], scope,
                                                                             readable_units))
        _take(chain, event, number)
        if chain.readable and len(chain._pending) >= _COMPARE_EVERY:
            _compare(session, chain)
    for chain in result.chains.values():
        if chain.readable:
            _compare(session, chain)
    return result


def _event(line: bytes, number: int, result: ExportCheck) -> dict | None:
    try:
        event = orjson.loads(line)
    except orjson.JSONDecodeError:
        _unreadable(result, number, "json")
        return None
    if not isinstance(event, dict) or not shape_ok(event):
        try:
            wire.check_shape(event)
        except (wire.WireError, TypeError, AttributeError):
            _unreadable(result, number, "shape")
            return None
    return event


def _unreadable(result: ExportCheck, number: int, reason: str) -> None:
    if len(result.unreadable) < _PROBLEMS_KEPT:
        result.unreadable.append((number, reason))


def _take(chain: ChainCheck, event: dict, number: int) -> None:
    seq = event["seq"]
    if not hash_matches(event, event["hash"]):
        _problem(chain, number, seq, "hash")
    if chain.events == 0:
        chain.first_seq = seq
    elif seq <= chain.last_seq:
        _problem(chain, number, seq, "duplicate" if seq == chain.last_seq else "order")
        return
    elif seq == chain.last_seq + 1:
        if event["prev_hash"] != chain._last_hash:
            _problem(chain, number, seq, "link")
    else:
        chain.missing += seq - chain.last_seq - 1
    chain.events += 1
    chain.last_seq, chain._last_hash = seq, event["hash"]
    if chain.readable:
        chain._pending[seq] = (number, event["hash"])


def _problem(chain: ChainCheck, number: int, seq: int, kind: str) -> None:
    if len(chain.problems) < _PROBLEMS_KEPT:
        chain.problems.append((number, seq, kind))


def _readable(session: Session, chain: str, scope: str | None, cache: dict[str, bool]) -> bool:
    """The chain belongs to a workstation of the account's units (its id is the part before '#')."""
    workstation = chain.split("#", 1)[0]
    if workstation not in cache:
        unit = session.execute(select(Workstation.unit_id).where(Workstation.id == workstation)).scalar_one_or_none()
        cache[workstation] = unit is not None and (scope is None or unit == scope)
    return cache[workstation]


def _compare(session: Session, chain: ChainCheck) -> None:
    if not chain._pending:
        return
    seqs = sorted(chain._pending)
    stored = dict(session.execute(select(Event.seq, Event.hash).where(
        Event.chain == chain.chain, Event.mode == chain.mode, Event.seq.in_(seqs))).all())
    for seq in seqs:
        held = stored.get(seq)
        if held is None:
            chain.absent += 1
        elif held == chain._pending[seq][1]:
            chain.same += 1
        else:
            chain.different += 1
            _problem(chain, chain._pending[seq][0], seq, "differs")
    chain._pending.clear()
