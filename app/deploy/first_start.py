"""First start after an MSI deployment: enrol with the code the installer sealed for this computer.

Runs where the desktop prepares its sync client (on a worker). Nothing happens when this user's
kyso is already enrolled, when the machine policy names no server ([server] url, which the MSI's
SERVER_URL writes) or when no code was deployed. Each user's first start spends one use of the
code (a deployment code is issued for N workstations; a one-time code serves the first user
only). A code the server refused (spent, expired) is not tried again at every start: the refusal
is remembered for that sealed code, and a new deployment (another code) is tried afresh; the
user can always enrol with a code of their own (`kyso enroll`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["enrol_from_deployment"]

_log = logging.getLogger(__name__)


def enrol_from_deployment(*, policy: dict[str, Any] | None = None, folder: Path | None = None,
                          unseal: Callable[[bytes], bytes] | None = None) -> Any:
    """The new Enrolment, or None when there was nothing to do or enrolment failed (logged:
    the user can still enrol by hand, and kyso works without a server)."""
    from ..audit.opening import workstation_id
    from ..paths import policy_dir, read_policy
    from ..sync import enroll, load_enrolment
    from ..sync.errors import SyncError, SyncErrorCode
    from .machine import ENROLMENT_FILE

    policy = read_policy() if policy is None else policy
    url = str((policy or {}).get("server", {}).get("url", "")).strip()
    sealed = (folder or policy_dir()) / ENROLMENT_FILE
    if not url or not sealed.is_file() or load_enrolment() is not None:
        return None
    refused = _refusal_file()
    fingerprint = _fingerprint(sealed)
    if refused.is_file() and refused.read_text(encoding="ascii", errors="replace").strip() == fingerprint:
        return None  # the server refused this very code before: it will again
    if unseal is None:
        if os.name != "nt":
            return None
        from .dpapi import unprotect_machine as unseal
    try:
        code = unseal(sealed.read_bytes()).decode("utf-8")
        import socket

        return enroll(url=url, code=code, workstation_id=workstation_id(), label=socket.gethostname())
    except (OSError, SyncError) as error:
        _log.warning("enrolment from the deployment failed: %s", getattr(error, "code", error))
        if getattr(error, "code", None) == SyncErrorCode.ENROL_REFUSED:
            _remember_refusal(refused, fingerprint)
        return None


def _refusal_file() -> Path:
    from ..paths import data_home

    return data_home() / "server" / "deployment-code-refused"


def _fingerprint(sealed: Path) -> str:
    import hashlib

    return hashlib.sha256(sealed.read_bytes()).hexdigest()


def _remember_refusal(refused: Path, fingerprint: str) -> None:
    try:
        refused.parent.mkdir(parents=True, exist_ok=True)
        refused.write_text(fingerprint + "\n", encoding="ascii")
    except OSError as error:
        _log.warning("cannot remember the refused deployment code: %s", error)
