"""At start: a "sign requested" without an outcome means a kyso process died while signing.
If that process is gone, look at the output: it exists, is new and its signature is intact →
"sign.recovered" with outcome ok; otherwise outcome failed. Never guesses a success."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from .events import EventType, Outcome
from .journal import AuditJournal
from .store import PendingSign

__all__ = ["process_alive", "reconcile_pending", "output_outcome"]

log = logging.getLogger(__name__)


def reconcile_pending(journal: AuditJournal) -> int:
    """Record the outcome of every request whose process is gone; the number reconciled."""
    store = journal.store
    if store is None:
        return 0
    done = 0
    for pending in store.pending_requests():
        pid = pending.data.get("pid")
        if isinstance(pid, int) and pid != os.getpid() and process_alive(pid):
            continue  # still signing in another kyso process
        data = _recovered(pending)
        AuditJournal(store, mode=pending.mode, recover=False).record(EventType.SIGN_RECOVERED, **data)
        done += 1
    return done


def _recovered(pending: PendingSign) -> dict[str, Any]:
    data = pending.data
    output = Path(str(data.get("output", "")))
    found, digest, valid = output_outcome(output, before_mtime_ns=data.get("output_mtime_ns"))
    recovered = {
        "request_id": pending.request_id, "request_seq": pending.seq, "document": data.get("document"),
        "input": data.get("input"), "output": str(output), "output_found": found, "output_sha256": digest,
        "signature_intact": valid, "outcome": (Outcome.OK if valid else Outcome.FAILED).value,
    }
    if "practice" in data:  # a practice request: the outcome belongs to the same trainee
        recovered["practice"] = data["practice"]
    return recovered


def output_outcome(output: Path, *, before_mtime_ns: Any = None) -> tuple[bool, str | None, bool]:
    """(found, sha256, signature intact) for an output a dead process may have written."""
    try:
        stat = output.stat()
    except OSError:
        return False, None, False
    if before_mtime_ns is not None and str(stat.st_mtime_ns) == str(before_mtime_ns):
        return False, None, False  # the file from before the request: this signature never landed
    with open(output, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return True, digest, _signature_intact(output)


def _signature_intact(path: Path) -> bool:
    try:
        from signing.trust import TrustStore
        from signing.verify import verify_document

        document = asyncio.run(verify_document(path, trust=TrustStore.load(), allow_fetching=False))
    except Exception:
        log.info("recovered output %s does not verify", path, exc_info=True)
        return False
    return bool(document.signatures) and all(signature.intact for signature in document.signatures)


def process_alive(pid: int) -> bool:
    if os.name == "nt":
        return _windows_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _windows_alive(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
