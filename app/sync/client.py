"""Sending the audit log: one pass (`sync_once`) and the background `SyncClient` around it.

A pass, for each mode: from the last sequence a verified receipt covers, send the next events in
batches, in order. Each answer's receipt is checked against the pinned server key and stored
(AuditStore.save_receipt) before the next batch; a "gap" answer names the sequence the server
expects and the pass resends from there. Nothing is kept in memory between passes: a crash or a
reboot resumes from the receipts in the log, and re-sent events are acknowledged as duplicates.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx

from .backoff import CAP_SECONDS, backoff_delay
from .config_fetch import fetch_all
from .enrolment import Enrolment, credential, load_enrolment
from .errors import SyncError, SyncErrorCode
from .key_rotation import PinnedKeys
from .receipts import verify_receipt
from .state_report import report_state
from .status import SyncPhase, SyncStatus, read_status, write_status
from .transport import http_client, refusal, request

__all__ = ["AuditSource", "PassReport", "SyncClient", "pending_events", "sync_once"]

log = logging.getLogger("kyso.sync")
MODES = ("production", "practice")


class AuditSource(Protocol):
    """What the client needs of app.audit.store.AuditStore."""

    def chain_workstation(self) -> str: ...
    def events_after(self, *, mode: str, after_seq: int, limit: int) -> list[dict[str, Any]]: ...
    def head(self, *, mode: str) -> tuple[int, str]: ...
    def save_receipt(self, *, mode: str, receipt: dict) -> None: ...
    def acknowledged_seq(self, *, mode: str) -> int: ...
    def checkpoint(self, *, mode: str) -> tuple[int, str] | None: ...


@dataclass(frozen=True)
class PassReport:
    sent: int  # events the server stored for the first time in this pass
    acknowledged: dict[str, int]  # mode → last sequence covered by a verified receipt
    config_changed: tuple[str, ...]


def pending_events(store: AuditSource) -> int:
    return sum(max(0, store.head(mode=mode)[0] - store.acknowledged_seq(mode=mode)) for mode in MODES)


def sync_once(store: AuditSource, *, enrolment: Enrolment, batch_size: int = 500,
              fetch_config: bool = True) -> PassReport:
    """Send everything pending, then fetch the unit's catalogue and policy and tell the server
    what is in force. Raises SyncError."""
    with http_client(base_url=enrolment.server_url, ca_bundle=enrolment.ca_bundle, proxy=enrolment.proxy,
                     credential=credential(enrolment), insecure_http=enrolment.insecure_http) as client:
        pins = PinnedKeys(enrolment, client=client, store=store)  # follows a key rotation (key_rotation.py)
        sent = sum(_push(client, store, pins=pins, mode=mode, batch_size=batch_size) for mode in MODES)
        changed = tuple(fetch_all(client, enrolment=pins.enrolment, pins=pins)) if fetch_config else ()
        if fetch_config:
            report_state(client, store)  # what is in force now, the new files included
    return PassReport(sent, {mode: store.acknowledged_seq(mode=mode) for mode in MODES}, changed)


def _push(client: httpx.Client, store: AuditSource, *, pins: PinnedKeys, mode: str, batch_size: int) -> int:
    chain = store.chain_workstation()
    after, sent, waits = store.acknowledged_seq(mode=mode), 0, 0
    while events := store.events_after(mode=mode, after_seq=after, limit=batch_size):
        body = json.dumps({"events": events}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        response = request(client, "POST", "/api/v1/events", content=body,
                           headers={"Content-Type": "application/json"})
        answer = _json(response)
        if response.status_code == 200:
            _keep_receipt(store, answer.get("receipt"), pins=pins, chain=chain, mode=mode)
            sent += int(answer.get("accepted", 0))
            if answer["acknowledged_seq"] < events[-1]["seq"]:
                raise SyncError(SyncErrorCode.PROTOCOL, detail="batch not acknowledged")
            after = answer["acknowledged_seq"]
        elif response.status_code == 409 and answer.get("code") == "SERVER_CHAIN_GAP":
            _keep_receipt(store, answer.get("receipt"), pins=pins, chain=chain, mode=mode)
            after = _resend_point(store, mode=mode, expected=int(answer["expected_seq"]), after=after)
        elif response.status_code in (429, 503) and waits < _MAX_WAITS:  # the server asks us to slow down
            waits += 1
            time.sleep(_retry_after(response))
        else:
            raise refusal(response)
    return sent


_MAX_WAITS = 60  # a catching-up workstation paced by the server's per-workstation rate


def _retry_after(response: httpx.Response) -> float:
    """The server's Retry-After (seconds), within 0.1–30 s."""
    try:
        return min(30.0, max(0.1, float(response.headers.get("retry-after", "1"))))
    except ValueError:
        return 1.0


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        value = None
    if not isinstance(value, dict):
        if response.status_code >= 500:
            raise SyncError(SyncErrorCode.REFUSED, status=response.status_code, server_code="-")
        raise SyncError(SyncErrorCode.PROTOCOL, detail=f"HTTP {response.status_code}")
    return value


def _resend_point(store: AuditSource, *, mode: str, expected: int, after: int) -> int:
    point = expected - 1
    if point == after:
        raise SyncError(SyncErrorCode.PROTOCOL, detail=f"server expects {expected} again")
    checkpoint = store.checkpoint(mode=mode)
    if checkpoint is not None and point < checkpoint[0]:  # the server lost events we no longer hold
        raise SyncError(SyncErrorCode.SERVER_BEHIND, expected=expected, pruned=checkpoint[0])
    log.info("server expects %s event %d: resending from there", mode, expected)
    return point


def _keep_receipt(store: AuditSource, receipt: Any, *, pins: PinnedKeys, chain: str, mode: str) -> None:
    key_id = receipt.get("key_id") if isinstance(receipt, dict) else None
    checked = verify_receipt(receipt, keys=pins.keys_for(key_id), chain=chain, mode=mode)
    if checked["seq"] < 1:
        return
    try:
        store.save_receipt(mode=mode, receipt=checked)
    except Exception as exc:  # AuditError RECEIPT_MISMATCH: the server holds a different history
        if getattr(exc, "code", None) is None:
            raise
        raise SyncError(SyncErrorCode.RECEIPT_MISMATCH, seq=checked["seq"], mode=mode) from exc


def _retain(store: Any, *, enrolment: Enrolment, now: datetime) -> None:
    """After a successful pass: prune what the policy no longer keeps, behind verified receipts
    only (a receipt that does not verify raises PRUNE_UNVERIFIED: shown as the pass's error)."""
    from .retention import prune_acknowledged, retention_days

    days = retention_days()
    if days is not None and hasattr(store, "prune"):
        prune_acknowledged(store, older_than=now - timedelta(days=days), enrolment=enrolment)


class SyncClient:
    """Sync in a background thread; never touches Qt and never blocks its caller.

    `store` is the AuditStore (or a callable returning the one in use: the desktop may replace a
    damaged log). Listeners get every new SyncStatus *on the sync thread*: a GUI must pass it to
    its own thread (e.g. a queued signal). `sync_now()` wakes the thread at once (and ends a wait
    after a permanent error); `stop()` ends it.
    """

    def __init__(self, *, store: AuditSource | Callable[[], AuditSource], interval: float = 60.0,
                 batch_size: int = 500, fetch_config: bool = True, rng: random.Random | None = None) -> None:
        self._store = store
        self.interval, self.batch_size, self.fetch_config = interval, batch_size, fetch_config
        self._rng = rng or random.Random()
        self._listeners: list[Callable[[SyncStatus], None]] = []
        self._status = read_status()
        self._lock = threading.Lock()  # one pass at a time
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    # -- the API for the desktop -------------------------------------------------------------

    @property
    def status(self) -> SyncStatus:
        return self._status

    def add_listener(self, callback: Callable[[SyncStatus], None]) -> None:
        self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[SyncStatus], None]) -> None:
        self._listeners.remove(callback)

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="kyso-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._publish(self._status.with_(phase=SyncPhase.STOPPED, next_attempt_utc=None))

    def sync_now(self) -> None:
        """Ask for a pass now (returns at once)."""
        self._wake.set()

    def run_once(self) -> SyncStatus:
        """One pass on the caller's thread (the CLI's `kyso sync now`); the resulting status."""
        with self._lock:
            return self._pass()

    # -- inside ---------------------------------------------------------------------------------

    def _source(self) -> AuditSource:
        return self._store() if callable(self._store) else self._store

    def _pass(self) -> SyncStatus:
        enrolment = load_enrolment()
        now = datetime.now(UTC)
        try:
            store = self._source()
            pending = pending_events(store)
        except Exception as exc:  # noqa: BLE001 — the log itself is unavailable: say so, go on
            log.warning("audit log unavailable to sync: %s", exc)
            return self._failed(SyncError(SyncErrorCode.LOG_UNAVAILABLE), now=now, enrolment=enrolment)
        if enrolment is None:
            status = self._status.with_(phase=SyncPhase.NOT_ENROLLED, pending=pending, last_attempt_utc=now,
                                        last_error_code=SyncErrorCode.NOT_ENROLLED.value, last_error_params={})
            self._publish(status)
            return status
        self._publish(self._status.with_(phase=SyncPhase.SYNCING, server_url=enrolment.server_url,
                                         workstation_id=enrolment.workstation_id, pending=pending,
                                         last_attempt_utc=now))
        try:
            sync_once(store, enrolment=enrolment, batch_size=self.batch_size, fetch_config=self.fetch_config)
            _retain(store, enrolment=enrolment, now=now)
        except SyncError as error:
            log.warning("sync failed: %s", error)
            return self._failed(error, now=now, enrolment=enrolment, pending=pending_events(store))
        status = self._status.with_(phase=SyncPhase.IDLE, pending=pending_events(store), last_success_utc=now,
                                    last_error_code=None, last_error_params={}, consecutive_failures=0)
        self._publish(status)
        return status

    def _failed(self, error: SyncError, *, now: datetime, enrolment: Enrolment | None,
                pending: int | None = None) -> SyncStatus:
        status = self._status.with_(
            phase=SyncPhase.WAITING, last_attempt_utc=now, last_error_code=error.code.value,
            last_error_params=dict(error.params), consecutive_failures=self._status.consecutive_failures + 1,
            pending=pending if pending is not None else self._status.pending,
            server_url=enrolment.server_url if enrolment else None,
            workstation_id=enrolment.workstation_id if enrolment else None)
        self._publish(status)
        return status

    def _delay(self, status: SyncStatus) -> float:
        if status.last_error_code is None or status.phase is SyncPhase.NOT_ENROLLED:
            return self.interval
        if status.last_error_code in {code.value for code in SyncErrorCode if SyncError(code).permanent}:
            return CAP_SECONDS
        return backoff_delay(status.consecutive_failures, rng=self._rng)

    def _loop(self) -> None:
        while not self._stop.is_set():
            status = self.run_once()
            delay = self._delay(status)
            self._publish(status.with_(next_attempt_utc=datetime.now(UTC) + timedelta(seconds=delay)))
            self._wake.wait(delay)
            self._wake.clear()

    def _publish(self, status: SyncStatus) -> None:
        self._status = status
        try:
            write_status(status)
        except OSError as exc:
            log.warning("cannot write the sync status: %s", exc)
        for callback in list(self._listeners):
            try:
                callback(status)
            except Exception:  # noqa: BLE001 — a listener's bug must not stop sync
                log.exception("sync status listener failed")
