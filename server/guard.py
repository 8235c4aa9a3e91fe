"""Availability under attack: rate limits that cost less than an argon2 hash, and bounded work.

One `Guard` per server process (in memory: a process restarted forgets, the database's own
lock-out of known accounts does not). Every limit answers with a typed error before any expensive
work is done:

- sign-in (API and console alike, `admit_login`): per client address (a token bucket) and per
  user name, *whether or not the account exists* — so a name cannot be told known or unknown by
  its answers, and an unknown name is locked out after the same number of failures as a known one;
  and for all addresses together (`login_overall`, 1 a second after 5): a flood from many addresses
  costs at most that many argon2 hashes a second, the rest answered SERVER_BUSY at once;
- enrolment (`admit_enrol`): per client address;
- ingestion (`admit_ingest`): per workstation, a rate of batches and a bound on its batches in
  flight, so one workstation flooding cannot take every ingestion slot from the others;
- password checks (`password_slot`): at most `password_concurrency` (1) argon2 hashes at once; a
  request that cannot get a slot within a few seconds is answered SERVER_BUSY (503) instead of
  piling up threads and memory (40 login threads took the server from 127 MB to 1.74 GB).

A refusal is SERVER_RATE_LIMITED (429) or SERVER_BUSY (503) with `Retry-After`.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .errors import ServerError, ServerErrorCode

__all__ = ["Guard", "GuardLimits"]


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


class Guard:
    def __init__(self, limits: GuardLimits | None = None, *, clock=time.monotonic) -> None:
        self.limits = limits = limits or GuardLimits()
        self._clock = clock
        self._login_address = _Buckets(*limits.login_per_address, limits.remembered)
        self._login_name = _Buckets(*limits.login_per_name, limits.remembered)
        self._login_overall = _Buckets(*limits.login_overall, 1)
        self._enrol_address = _Buckets(*limits.enrol_per_address, limits.remembered)
        self._ingest = _Buckets(*limits.ingest_per_workstation, limits.remembered)
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()  # name → (failures, locked until)
        self._in_flight: dict[str, int] = {}
        self._lock = threading.Lock()
        self._passwords = threading.BoundedSemaphore(limits.password_concurrency)

    # --- sign-in -----------------------------------------------------------------------------
    def admit_login(self, *, address: str, username: str) -> None:
        """Before any password is checked: the address's and the name's rates."""
        now = self._clock()
        _refuse_if_waiting(self._login_address.take(f"a:{address}", now=now), scope="address")
        _refuse_if_waiting(self._login_name.take(_name_key(username), now=now), scope="account")
        wait = self._login_overall.take("*", now=now)  # a flood from many addresses: the server is busy
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ServerError(ServerErrorCode.BUSY, extra={"retry_after": seconds}, what="sign-in", seconds=seconds)

    def peek_login(self, *, address: str) -> ServerError | None:
        """The refusal a sign-in from `address` would get now for its address or the server-wide
        rate, without spending anything: lets `SignInGate` answer a flood before the request is
        parsed or handed to a thread."""
        now = self._clock()
        wait = self._login_address.peek(f"a:{address}", now=now)
        if wait > 0:
            return _limited(wait, scope="address")
        wait = self._login_overall.peek("*", now=now)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            return ServerError(ServerErrorCode.BUSY, extra={"retry_after": seconds}, what="sign-in", seconds=seconds)
        return None

    def name_locked(self, *, username: str) -> ServerError | None:
        """The name's lock-out as this process counted it (for a name with no account, the only
        one: it then answers as a known account would), as the refusal to give; None if not locked."""
        with self._lock:
            _failures, until = self._failures.get(_name_key(username), (0, 0.0))
        if until > self._clock():
            return ServerError(ServerErrorCode.ACCOUNT_LOCKED, minutes=math.ceil(self.limits.lockout_seconds / 60))
        return None

    def login_failed(self, *, username: str) -> None:
        key, now = _name_key(username), self._clock()
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
        with self._lock:
            self._failures.pop(_name_key(username), None)

    @contextmanager
    def password_slot(self) -> Iterator[None]:
        """One of the few argon2 checks allowed at once (a thread waits a few seconds at most)."""
        if not self._passwords.acquire(timeout=self.limits.password_wait_seconds):
            raise ServerError(ServerErrorCode.BUSY, extra={"retry_after": 2}, what="sign-in", seconds=2)
        try:
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
    return "n:" + username.strip().casefold()[:256]


def _limited(wait: float, *, scope: str) -> ServerError:
    seconds = max(1, math.ceil(wait))
    return ServerError(ServerErrorCode.RATE_LIMITED, extra={"retry_after": seconds}, scope=scope, seconds=seconds)


def _refuse_if_waiting(wait: float, *, scope: str) -> None:
    if wait > 0:
        raise _limited(wait, scope=scope)
