"""Issue 16: the workstation's audit log (with its WAL and index) and its log files are readable
by the user alone, whatever the umask."""

from __future__ import annotations

import os
import stat

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes; Windows profiles are private by ACL")


def test_audit_log_and_logs_are_private(kyso_home):
    from app.audit.events import AuditActor
    from app.audit.opening import open_audit_log
    from app.paths import log_dir

    old = os.umask(0o022)
    try:
        store = open_audit_log().store
        store.append(mode="production", type="sign.succeeded", data={"document": "a.pdf"},
                     actor=AuditActor(os_user="canbo", user_name=None, user_role=None), app_version="0.1.0")
        files = [p for p in kyso_home.rglob("audit*.sqlite3*") if p.is_file()]
        store.close()
        logs = log_dir()
    finally:
        os.umask(old)
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files if p.exists()), files
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
