"""Who has done what in a workshop: every trainee's scenarios, mistakes and time, from practice events.

Events come from practice audit chains: this workstation's log, logs handed in by trainees (the
SQLite file, or `kyso audit export --mode practice --format jsonl`), and the central server's
export of the practice events where workstations are enrolled (the same JSONL). Each event's
hash is recomputed (an edited line is left out and counted); an event met twice (the same
workstation, chain and seq from two sources) counts once. Only events of this workshop count,
attributed by the `practice` member every practice event carries: {workshop, trainee}.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import PracticeError, PracticeErrorCode
from .pack import WorkshopPack
from .scenarios import SCENARIOS, Scenario

__all__ = ["GatheredEvents", "TraineeProgress", "gather_events", "progress_of", "workshop_progress"]

Event = Mapping[str, Any]


@dataclass(frozen=True)
class GatheredEvents:
    events: tuple[Event, ...]  # this workshop's practice events, oldest first
    rejected: int = 0  # events whose hash did not match their content (left out)
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class TraineeProgress:
    number: int
    name: str
    title: str
    done: Mapping[str, bool]  # scenario id → done, in the workshop's order
    wrong_pins: int = 0
    refused: int = 0  # documents refused (preflight, certificate, warnings not accepted…)
    failed: int = 0  # signatures that failed (token pulled…)
    signed: int = 0
    seconds: int = 0  # time spent in practice sessions
    first: str | None = None  # local time of the first and last events
    last: str | None = None
    scenarios: tuple[Scenario, ...] = field(default=SCENARIOS, repr=False)

    @property
    def done_count(self) -> int:
        return sum(1 for value in self.done.values() if value)


def gather_events(pack: WorkshopPack, *, sources: Sequence[Path] = (), include_local: bool = True) -> GatheredEvents:
    from app.audit.wire import event_hash

    found: dict[tuple, Event] = {}
    rejected, used = 0, []
    paths = [*_local_log(include_local), *sources]
    for path in paths:
        used.append(str(path))
        for event in _read(path):
            if not isinstance(event, Mapping) or event.get("mode") != "practice":
                continue
            try:
                intact = event_hash(event) == event.get("hash")
            except (ValueError, TypeError):
                intact = False
            if not intact:
                rejected += 1
                continue
            if _practice(event).get("workshop") == pack.id:
                found.setdefault((event.get("workstation"), event.get("seq")), event)
    ordered = sorted(found.values(), key=lambda e: (str(e.get("at_utc")), str(e.get("workstation")), e.get("seq", 0)))
    return GatheredEvents(tuple(ordered), rejected, tuple(used))


def workshop_progress(pack: WorkshopPack, events: Iterable[Event]) -> list[TraineeProgress]:
    """One entry per trainee of the pack, in their order."""
    by_trainee: dict[int, list[Event]] = {}
    for event in events:
        number = _practice(event).get("trainee")
        if isinstance(number, int):
            by_trainee.setdefault(number, []).append(event)
    return [progress_of(trainee.number, trainee.name, trainee.title, by_trainee.get(trainee.number, []),
                        scenario_ids=pack.scenarios) for trainee in pack.trainees]


def progress_of(number: int, name: str, title: str, events: Sequence[Event], *,
                scenario_ids: Sequence[str] = ()) -> TraineeProgress:
    scenarios = tuple(s for s in SCENARIOS if not scenario_ids or s.id in scenario_ids)
    done = {s.id: any(s.done_by(event) for event in events) for s in scenarios}
    types = [str(event.get("type")) for event in events]
    return TraineeProgress(
        number=number, name=name, title=title, done=done, wrong_pins=_wrong_pins(events),
        refused=sum(1 for e in events if e.get("type") == "sign.refused" and not _pin_code(e)),
        failed=sum(1 for e in events if e.get("type") == "sign.failed" and not _pin_code(e)),
        signed=types.count("sign.succeeded"),
        seconds=_seconds(events), first=events[0].get("at_local") if events else None,
        last=events[-1].get("at_local") if events else None, scenarios=scenarios,
    )


def _pin_code(event: Event) -> bool:
    """A document not signed because of the PIN: counted as a wrong PIN, not a refusal too."""
    data = event.get("data")
    return isinstance(data, Mapping) and str(data.get("error_code", "")).startswith("TOKEN_PIN_")


def _wrong_pins(events: Sequence[Event]) -> int:
    """Every "wrong PIN", and the wrong PIN that locked the token — not the refusals of a token
    already locked (no PIN is entered then)."""
    count, locked = 0, False
    for event in events:
        kind = event.get("type")
        if kind == "pin.wrong":
            count, locked = count + 1, False
        elif kind == "pin.locked" and not locked:
            count, locked = count + 1, True
        elif kind == "practice.unlocked":
            locked = False
    return count


def _seconds(events: Sequence[Event]) -> int:
    """The length of every session (from "app started" to its "app stopped", by process id),
    a session never stopped counting to its last event."""
    total, open_at, last_seen = 0.0, {}, {}
    for event in events:
        moment = _moment(event)
        data = event.get("data") if isinstance(event.get("data"), Mapping) else {}
        pid = data.get("pid")
        if event.get("type") == "app.started":
            open_at[pid] = moment
        elif event.get("type") == "app.stopped" and pid in open_at:
            total += (moment - open_at.pop(pid)).total_seconds()
        for key in open_at:
            last_seen[key] = moment
    total += sum((last_seen.get(pid, start) - start).total_seconds() for pid, start in open_at.items())
    return max(0, round(total))


def _moment(event: Event) -> datetime:
    text = str(event.get("at_utc", "")).replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _practice(event: Event) -> Mapping[str, Any]:
    data = event.get("data")
    practice = data.get("practice") if isinstance(data, Mapping) else None
    return practice if isinstance(practice, Mapping) else {}


def _local_log(include: bool) -> list[Path]:
    if not include:
        return []
    from app.audit.opening import default_log_path

    path = default_log_path()
    return [path] if path.is_file() else []


def _read(path: Path) -> Iterable[Any]:
    """Sealed events from a JSONL export or an audit log (SQLite)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise PracticeError(PracticeErrorCode.LOG_UNREADABLE, file=path) from exc
    if head.startswith(b"SQLite format 3"):
        return _read_log(path)
    return _read_jsonl(path)


def _read_log(path: Path) -> list[dict]:
    from app.audit.errors import AuditError
    from app.audit.query import AuditFilter, AuditReader

    try:
        with AuditReader(path) as reader:
            return [event.to_wire() for event in reader.events(AuditFilter(mode="practice"))]
    except AuditError as exc:
        raise PracticeError(PracticeErrorCode.LOG_UNREADABLE, file=path) from exc


def _read_jsonl(path: Path) -> list[Any]:
    events = []
    try:
        with open(path, encoding="utf-8-sig") as handle:
            for line in handle:
                if line.strip():
                    events.append(json.loads(line))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PracticeError(PracticeErrorCode.LOG_UNREADABLE, file=path) from exc
    return events
