"""First start after an MSI deployment: enrol with the code the installer sealed for this computer.

Runs where the desktop prepares its sync client (on a worker). Nothing happens when this user's
kyso is already enrolled, when the machine policy names no server ([server] url, which the MSI's
SERVER_URL writes) or when no code was deployed. The code is one-time: the first user to start
kyso on the computer uses it; any other user enrols with a code of their own (`kyso enroll`).
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
    from ..sync.errors import SyncError
    from .machine import ENROLMENT_FILE

    policy = read_policy() if policy is None else policy
    url = str((policy or {}).get("server", {}).get("url", "")).strip()
    sealed = (folder or policy_dir()) / ENROLMENT_FILE
    if not url or not sealed.is_file() or load_enrolment() is not None:
        return None
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
        return None
