"""Availability under attack: rate limits that cost less than an argon2 hash, and bounded work.

One `Guard` per server process. Every limit answers with a typed error before any expensive work
is done:

- sign-in (API and console alike, `admit_login`): per client address and per user name, *whether
  or not the account exists* — so a name cannot be told known or unknown by its answers, and an
  unknown name is locked out after the same number of failures as a known one. These counters are
  kept in the database (`SharedCounters`, table sign_in_counters: one UPSERT an attempt, a fixed
  window per key) so they hold in total when several server processes, or several servers, share
  one database; a refusal learnt from the database is remembered by the process until its window
  ends, so a flood is refused at the door (`peek_login`, `SignInGate`) without asking the database
  again. For all addresses together (`login_overall`, 1 a second after 5) the limit is the
  process's own: it protects this process's CPU from argon2, which is what it is for; a flood from
  many addresses costs at most that many argon2 hashes a second, the rest answered SERVER_BUSY;
- enrolment (`admit_enrol`): per client address (in memory);
- ingestion (`ingesting`): per workstation, a rate of batches and a bound on its batches in
  flight, so one workstation flooding cannot take every ingestion slot from the others;
- password checks (`password_slot`): at most `password_concurrency` (1) argon2 hashes at once and
  at most `password_queue` sign-ins waiting for one (a few seconds at most); any further sign-in is
  answered SERVER_BUSY (503) at once instead of holding a thread the rest of the server needs
  (40 login threads took the server from 127 MB to 1.74 GB; waiting sign-ins once held the
  threads ingestion authenticates on).

A refusal is SERVER_RATE_LIMITED (429) or SERVER_BUSY (503) with `Retry-After`.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import text

from .errors import ServerError, ServerErrorCode

__all__ = ["Guard", "GuardLimits", "SharedCounters"]


@dataclass(frozen=True)
class GuardLimits:
    login_per_address: tuple[int, float] = (10, 6.0)  # (burst, seconds per new attempt)
    login_per_name: tuple[int, float] = (10, 6.0)
    login_overall: tuple[int, float] = (5, 1.0)  # all addresses together: at most 1 password check a second
    enrol_per_address: tuple[int, float] = (10, 6.0)
    ingest_per_workstation: tuple[int, float] = (10, 0.2)  # 10 batches at once, then 5 a second
    ingest_in_flight: int = 1  # batches of one workstation being checked or stored at once
    lockout_failures: int = 5
    lockout_seconds: float = 15 * 60
    password_concurrency: int = 1
    password_queue: int = 4  # sign-ins waiting for a password slot; beyond: SERVER_BUSY at once
    password_wait_seconds: float = 5.0
    remembered: int = 100_000  # keys kept per limit (least recently seen forgotten first)


class _Buckets:
    """Token buckets keyed by text, bounded in number; thread-safe."""

    def __init__(self, burst: int, seconds_per_token: float, remembered: int) -> None:
        self.burst, self.period, self.remembered = burst, seconds_per_token, remembered
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, *, now: float) -> float:
        """0 when a token was taken; else the seconds until one is there."""
        with self._lock:
            tokens, seen = self._state.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - seen) / self.period)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) * self.period
            self._state[key] = (tokens, now)
            while len(self._state) > self.remembered:
                self._state.popitem(last=False)
            return wait

    def peek(self, key: str, *, now: float) -> float:
        """take() without taking: 0 when a token is there, else the seconds until one is."""
        with self._lock:
            tokens, seen = self._state.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - seen) / self.period)
            return 0.0 if tokens >= 1 else (1 - tokens) * self.period


class _Until:
    """Keys refused until a moment (learnt from the shared counters), bounded in number."""

    def __init__(self, remembered: int) -> None:
        self.remembered = remembered
        self._state: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def note(self, key: str, until: float) -> None:
        with self._lock:
            self._state.pop(key, None)
            self._state[key] = until
            while len(self._state) > self.remembered:
                self._state.popitem(last=False)

    def wait(self, key: str, *, now: float) -> float:
        until = self._state.get(key)  # a dict read is atomic; the lock guards writes
        return 0.0 if until is None or until <= now else until - now


_TAKE = """
INSERT INTO sign_in_counters (key, window_start, span, count) VALUES {rows}
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN sign_in_counters.window_start + sign_in_counters.span <= excluded.window_start
               THEN 1 ELSE sign_in_counters.count + 1 END,
  window_start = CASE WHEN sign_in_counters.window_start + sign_in_counters.span <= excluded.window_start
                      THEN excluded.window_start ELSE sign_in_counters.window_start END,
  span = excluded.span
RETURNING key, window_start, span, count
"""
_FAILED = """
INSERT INTO sign_in_counters (key, window_start, span, count) VALUES (:key, :now, 0, 1)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN sign_in_counters.span > 0 AND sign_in_counters.window_start + sign_in_counters.span > :now
               THEN sign_in_counters.count
               WHEN sign_in_counters.span > 0 THEN 1 ELSE sign_in_counters.count + 1 END,
  span = CASE WHEN sign_in_counters.span > 0 AND sign_in_counters.window_start + sign_in_counters.span > :now
              THEN sign_in_counters.span ELSE 0 END,
  window_start = CASE WHEN sign_in_counters.span > 0 AND sign_in_counters.window_start + sign_in_counters.span > :now
                      THEN sign_in_counters.window_start ELSE :now END
RETURNING count, span
"""
_PRUNE = """
DELETE FROM sign_in_counters
WHERE (key LIKE 'f:%' AND window_start + span + :keep < :now) OR (key NOT LIKE 'f:%' AND window_start + span < :now)
"""


class SharedCounters:
    """Sign-in counters in the database (table sign_in_counters), so that the per-address and
    per-name limits, and an unknown name's lock-out, hold in total across every server process on
    the database — not once per process.

    - `take`: attempts per key in a fixed window (`limit` per `span` seconds), every key of one
      attempt in ONE statement (INSERT … ON CONFLICT DO UPDATE … RETURNING, on PostgreSQL and
      SQLite alike): a database round trip, far less than an argon2 hash (~0.1 s of both cores).
    - `failed` / `locked_until` / `succeeded`: a name's consecutive failures and lock-out, as the
      database keeps them for a known account.

    Times are the servers' wall clocks (seconds since the epoch): servers sharing a database keep
    their clocks in step (NTP), as their TLS certificates need anyway. Stale rows are deleted by
    whichever process notices first, at most once a minute each; a name's failures are kept a day
    after its last one."""

    _KEEP_FAILURES = 86_400.0

    def __init__(self, database, *, clock=time.time, prune_every: float = 60.0) -> None:
        self.database, self._clock, self._prune_every = database, clock, prune_every
        self._next_prune = 0.0

    def take(self, entries: Sequence[tuple[str, int, float]]) -> dict[str, tuple[bool, float]]:
        """`entries`: (key, limit, span seconds). Counts one attempt on each; returns the keys with
        no attempt left in their window: (whether this attempt was beyond the limit, the seconds
        until the window ends)."""
        now = self._clock()
        rows = ", ".join(f"(:k{i}, :now, :s{i}, 1)" for i in range(len(entries)))
        params: dict = {"now": now}
        for index, (key, _limit, span) in enumerate(entries):
            params[f"k{index}"], params[f"s{index}"] = key, span
        limits = {key: limit for key, limit, _span in entries}
        with self.database.write() as session:
            answer = session.execute(text(_TAKE.format(rows=rows)), params).all()
            self._maybe_prune(session, now=now)
        return {key: (count > limits[key], max(0.001, start + span - now))
                for key, start, span, count in answer if count >= limits[key]}

    def failed(self, key: str, *, limit: int, lockout: float) -> None:
        now = self._clock()
        with self.database.write() as session:
            count, span = session.execute(text(_FAILED), {"key": key, "now": now}).one()
            if span == 0 and count >= limit:
                session.execute(text("UPDATE sign_in_counters SET count = 0, span = :span, window_start = :now "
                                     "WHERE key = :key"), {"key": key, "now": now, "span": lockout})

    def locked_until(self, key: str) -> float:
        """Seconds the key's lock-out still lasts (0: not locked)."""
        now = self._clock()
        with self.database.read_session() as session:
            row = session.execute(text("SELECT window_start + span FROM sign_in_counters WHERE key = :key AND span > 0"),
                                  {"key": key}).first()
        return 0.0 if row is None or row[0] <= now else row[0] - now

    def succeeded(self, key: str) -> None:
        with self.database.write() as session:
            session.execute(text("DELETE FROM sign_in_counters WHERE key = :key"), {"key": key})

    def _maybe_prune(self, session, *, now: float) -> None:
        if now < self._next_prune:
            return
        self._next_prune = now + self._prune_every
        session.execute(text(_PRUNE), {"now": now, "keep": self._KEEP_FAILURES})


class Guard:
    def __init__(self, limits: GuardLimits | None = None, *, clock=time.monotonic,
                 shared: SharedCounters | None = None) -> None:
        """`shared`: the sign-in counters in the database (the server's way); None keeps them in
        this process's memory (one process alone)."""
        self.limits = limits = limits or GuardLimits()
        self._clock, self._shared = clock, shared
        self._login_address = _Buckets(*limits.login_per_address, limits.remembered)
        self._login_name = _Buckets(*limits.login_per_name, limits.remembered)
        self._login_overall = _Buckets(*limits.login_overall, 1)
        self._enrol_address = _Buckets(*limits.enrol_per_address, limits.remembered)
        self._ingest = _Buckets(*limits.ingest_per_workstation, limits.remembered)
        self._refused = _Until(limits.remembered)  # shared refusals, remembered until their window ends
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()  # name → (failures, locked until)
        self._in_flight: dict[str, int] = {}
        self._lock = threading.Lock()
        self._passwords = threading.BoundedSemaphore(limits.password_concurrency)
        self._password_waiting = 0
        self.password_checks = 0  # argon2 checks begun by this process (the flood test counts them)
        self.password_waiting_most = 0  # the most sign-ins ever waiting for a password slot at once

    # --- sign-in -----------------------------------------------------------------------------
    def admit_login(self, *, address: str, username: str) -> None:
        """Before any password is checked: the address's and the name's rates, then the server's."""
        now = self._clock()
        address_key, name_key = f"a:{address}", _name_key(username)
        if self._shared is not None:
            _refuse_if_waiting(self._refused.wait(address_key, now=now), scope="address")
            _refuse_if_waiting(self._refused.wait(name_key, now=now), scope="account")
            (burst_a, period_a), (burst_n, period_n) = self.limits.login_per_address, self.limits.login_per_name
            spent = self._shared.take([(address_key, burst_a, burst_a * period_a),
                                       (name_key, burst_n, burst_n * period_n)])
            for key in spent:  # no attempt left in its window: the next is refused here, at the door
                self._refused.note(key, now + spent[key][1])
            for key, scope in ((address_key, "address"), (name_key, "account")):
                beyond, wait = spent.get(key, (False, 0.0))
                if beyond:
                    raise _limited(wait, scope=scope)
        else:
            _refuse_if_waiting(self._login_address.take(address_key, now=now), scope="address")
            _refuse_if_waiting(self._login_name.take(name_key, now=now), scope="account")
        wait = self._login_overall.take("*", now=now)  # a flood from many addresses: the server is busy
        if wait > 0:
            raise _busy(wait)

    def peek_login(self, *, address: str) -> ServerError | None:
        """The refusal a sign-in from `address` would get now for its address or the server-wide
        rate, without spending anything or asking the database: lets `SignInGate` answer a flood
        before the request is parsed or handed to a thread."""
        now = self._clock()
        key = f"a:{address}"
        wait = self._refused.wait(key, now=now) if self._shared is not None else self._login_address.peek(key, now=now)
        if wait > 0:
            return _limited(wait, scope="address")
        wait = self._login_overall.peek("*", now=now)
        return _busy(wait) if wait > 0 else None

    def name_locked(self, *, username: str) -> ServerError | None:
        """The name's lock-out as the guard counted it (for a name with no account, the only one: it
        then answers as a known account would), as the refusal to give; None if not locked."""
        key = _name_key(username)
        if self._shared is not None:
            locked = self._shared.locked_until("f" + key[1:]) > 0
        else:
            with self._lock:
                _failures, until = self._failures.get(key, (0, 0.0))
            locked = until > self._clock()
        if locked:
            return ServerError(ServerErrorCode.ACCOUNT_LOCKED, minutes=math.ceil(self.limits.lockout_seconds / 60))
        return None

    def login_failed(self, *, username: str) -> None:
        key = _name_key(username)
        if self._shared is not None:
            self._shared.failed("f" + key[1:], limit=self.limits.lockout_failures, lockout=self.limits.lockout_seconds)
            return
        now = self._clock()
        with self._lock:
            failures, until = self._failures.pop(key, (0, 0.0))
            failures = 0 if until and until <= now else failures
            failures += 1
            if failures >= self.limits.lockout_failures:
                failures, until = 0, now + self.limits.lockout_seconds
            self._failures[key] = (failures, until)
            while len(self._failures) > self.limits.remembered:
                self._failures.popitem(last=False)

    def login_succeeded(self, *, username: str) -> None:
        key = _name_key(username)
        if self._shared is not None:
            self._shared.succeeded("f" + key[1:])
            return
        with self._lock:
            self._failures.pop(key, None)

    @property
    def password_waiting(self) -> int:
        """Sign-ins waiting for a password slot now."""
        return self._password_waiting

    @contextmanager
    def password_slot(self) -> Iterator[None]:
        """One of the few argon2 checks allowed at once. At most `password_queue` sign-ins wait for
        one (a few seconds at most); any further one is refused at once, so sign-in never holds
        more than a handful of the server's threads."""
        with self._lock:
            if self._password_waiting >= self.limits.password_queue:
                raise _busy(2)
            self._password_waiting += 1
            self.password_waiting_most = max(self.password_waiting_most, self._password_waiting)
        try:
            acquired = self._passwords.acquire(timeout=self.limits.password_wait_seconds)
        finally:
            with self._lock:
                self._password_waiting -= 1
        if not acquired:
            raise _busy(2)
        try:
            with self._lock:
                self.password_checks += 1
            yield
        finally:
            self._passwords.release()

    # --- enrolment and ingestion ---------------------------------------------------------------
    def admit_enrol(self, *, address: str) -> None:
        _refuse_if_waiting(self._enrol_address.take(f"e:{address}", now=self._clock()), scope="address")

    @contextmanager
    def ingesting(self, *, workstation: str) -> Iterator[None]:
        """A batch of `workstation` admitted (its rate and its batches in flight), for its duration."""
        _refuse_if_waiting(self._ingest.take(workstation, now=self._clock()), scope="workstation")
        with self._lock:
            if self._in_flight.get(workstation, 0) >= self.limits.ingest_in_flight:
                raise _limited(1.0, scope="workstation")
            self._in_flight[workstation] = self._in_flight.get(workstation, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._in_flight[workstation] - 1
                if left:
                    self._in_flight[workstation] = left
                else:
                    del self._in_flight[workstation]


def _name_key(username: str) -> str:
    """The name as counted, hashed: a password typed into the name field is kept nowhere (the
    counters are a database table)."""
    return "n:" + hashlib.sha256(username.strip().casefold()[:256].encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _limited(wait: float, *, scope: str) -> ServerError:
    seconds = max(1, math.ceil(wait))
    return ServerError(ServerErrorCode.RATE_LIMITED, extra={"retry_after": seconds}, scope=scope, seconds=seconds)


def _busy(wait: float) -> ServerError:
    seconds = max(1, math.ceil(wait))
    return ServerError(ServerErrorCode.BUSY, extra={"retry_after": seconds}, what="sign-in", seconds=seconds)


def _refuse_if_waiting(wait: float, *, scope: str) -> None:
    if wait > 0:
        raise _limited(wait, scope=scope)


class IngestQueue:
    """Batches taken into work fairly between workstations, on the event loop (one per process).

    At most `slots` batches are checked and stored at once (`ingest_concurrency`); the others wait
    in one queue per workstation, and a freed slot goes to the workstation that has waited longest
    for its turn (round robin between workstations, not first come first served between batches):
    a workstation sending many or large batches gets its turn like every other, never all of them.
    Waiting is bounded — `max_waiting` batches and `max_bytes` of their bodies (Content-Length,
    known before the body is read) — and a batch beyond it is answered SERVER_BUSY (503) with
    Retry-After at once, before its body is read: a clear answer the workstation's sync retries on.
    A batch's body is read while it waits (not while it holds a slot). Counters (`granted`,
    `refused`) let tests prove fairness by counts, not by the clock.

        async with queue.admit(workstation=…, size=…) as turn:  # SERVER_BUSY here when full
            body = await request.body()
            await turn.ready()  # its slot
            …
    """

    def __init__(self, *, slots: int, max_waiting: int, max_bytes: int) -> None:
        self.slots, self.max_waiting, self.max_bytes = slots, max_waiting, max_bytes
        self._working = 0
        self._queued: OrderedDict[str, list] = OrderedDict()  # workstation → its waiting turns, in turn order
        self._count = 0  # batches admitted and not yet working (their bodies being read, or queued)
        self._bytes = 0
        self.granted: dict[str, int] = {}
        self.refused = 0

    @property
    def waiting(self) -> int:
        return self._count

    def admit(self, *, workstation: str, size: int) -> _Turn:
        if self._count >= self.max_waiting or self._bytes + size > self.max_bytes:
            self.refused += 1
            raise ServerError(ServerErrorCode.BUSY, extra={"retry_after": 1}, what="ingestion", seconds=1)
        self._count += 1
        self._bytes += max(0, size)
        return _Turn(self, workstation, max(0, size))

    def _grant(self, turn: _Turn) -> None:
        self._count -= 1
        self._bytes -= turn.size
        self._working += 1
        turn.state = "working"
        self.granted[turn.workstation] = self.granted.get(turn.workstation, 0) + 1

    def _next(self) -> None:
        while self._queued and self._working < self.slots:
            workstation, turns = next(iter(self._queued.items()))
            turn = turns.pop(0)
            if turns:
                self._queued.move_to_end(workstation)  # its next batch waits for every other workstation's turn
            else:
                del self._queued[workstation]
            self._grant(turn)
            turn.future.set_result(None)


class _Turn:
    def __init__(self, queue: IngestQueue, workstation: str, size: int) -> None:
        self.queue, self.workstation, self.size = queue, workstation, size
        self.state, self.future = "admitted", None

    async def __aenter__(self) -> _Turn:
        return self

    async def ready(self) -> None:
        queue = self.queue
        if queue._working < queue.slots and not queue._queued:
            queue._grant(self)
            return
        import asyncio

        self.future = asyncio.get_running_loop().create_future()
        self.state = "queued"
        queue._queued.setdefault(self.workstation, []).append(self)
        await self.future

    async def __aexit__(self, *_exc) -> None:
        queue = self.queue
        if self.state == "working":
            queue._working -= 1
            queue._next()
        elif self.state == "queued":  # the request went away while it waited (client gone, cancelled)
            turns = queue._queued.get(self.workstation, [])
            if self in turns:
                turns.remove(self)
                if not turns:
                    del queue._queued[self.workstation]
            queue._count -= 1
            queue._bytes -= self.size
        else:  # admitted, its body never read whole
            queue._count -= 1
            queue._bytes -= self.size
        self.state = "done"
