"""Pruning the local log only behind receipts that verify (issue 7; retention: docs/audit.md).

`AuditStore.prune` removes events a stored receipt covers. The store keeps receipts as given, and
anyone who can write the log file can also write a receipt row; so before pruning, every receipt
the store holds is checked again here against the server key pinned at enrolment (signature,
chain, mode), and the store may claim no further than the highest genuine one. One receipt that
does not verify and nothing is pruned, in any mode: the log has been tampered with, and the
events are the evidence.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from app import __version__
from app.audit.events import MODES, AuditActor, EventType

from .enrolment import Enrolment, load_enrolment
from .errors import SyncError, SyncErrorCode
from .receipts import verify_receipt

__all__ = ["PrunableLog", "prune_acknowledged", "retention_days", "verified_seq"]


class PrunableLog(Protocol):
    """What pruning needs of app.audit.store.AuditStore."""

    def chain_workstation(self) -> str: ...
    def receipts(self, *, mode: str) -> list[dict[str, Any]]: ...
    def acknowledged_seq(self, *, mode: str) -> int: ...
    def prune(self, *, mode: str, older_than: datetime) -> Any: ...
    def append(self, *, mode: str, type: str, data: Mapping[str, Any], actor: AuditActor,
               app_version: str) -> Any: ...


def verified_seq(store: PrunableLog, *, enrolment: Enrolment, mode: str) -> int:
    """The highest sequence a stored receipt covers, every stored receipt verified under the pinned
    key; SyncError PRUNE_UNVERIFIED when one does not verify or the store claims more."""
    chain, highest = store.chain_workstation(), 0
    for receipt in store.receipts(mode=mode):
        try:
            checked = verify_receipt(receipt, keys=enrolment.trusted_keys(), chain=chain, mode=mode)
        except SyncError as error:
            raise SyncError(SyncErrorCode.PRUNE_UNVERIFIED, mode=mode, seq=_seq(receipt),
                            detail=error.params.get("detail", "")) from error
        highest = max(highest, checked["seq"])
    claimed = store.acknowledged_seq(mode=mode)
    if claimed > highest:  # a receipt row whose body says less than its columns
        raise SyncError(SyncErrorCode.PRUNE_UNVERIFIED, mode=mode, seq=claimed, detail="no genuine receipt")
    return highest


def prune_acknowledged(store: PrunableLog, *, older_than: datetime, enrolment: Enrolment | None = None,
                       actor: AuditActor | None = None) -> dict[str, Any]:
    """Prune, in every mode, the events older than `older_than` that a verified receipt covers.
    Each mode that lost events records `audit.pruned` (up_to_seq, pruned). {mode: PruneResult}."""
    enrolment = enrolment or load_enrolment()
    if enrolment is None:
        raise SyncError(SyncErrorCode.NOT_ENROLLED)
    for mode in MODES:  # all verified before anything goes
        verified_seq(store, enrolment=enrolment, mode=mode)
    who = actor or AuditActor(os_user=getpass.getuser())
    results = {}
    for mode in MODES:
        results[mode] = result = store.prune(mode=mode, older_than=older_than)
        if result.pruned:
            store.append(mode=mode, type=EventType.LOG_PRUNED.value, actor=who, app_version=__version__,
                         data={"up_to_seq": result.checkpoint_seq, "pruned": result.pruned})
    return results


def retention_days(policy: Mapping[str, Any] | None = None) -> int | None:
    """How many days acknowledged events stay on the workstation: the administrator's policy
    (`[audit] keep_days` in policy.toml); None (the default) keeps everything."""
    if policy is None:
        from app.paths import read_policy

        policy = read_policy() or {}
    days = policy.get("audit", {}).get("keep_days")
    return days if isinstance(days, int) and not isinstance(days, bool) and days >= 0 else None


def _seq(receipt: Any) -> str:
    return str(receipt.get("seq", "?")) if isinstance(receipt, dict) else "?"
