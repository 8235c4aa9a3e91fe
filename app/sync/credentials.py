"""Where the workstation's server credential and enrolment key are kept.

The OS credential store through `keyring` (Windows Credential Manager, macOS Keychain, Secret
Service on a Linux desktop). Where there is none — a Linux server or CI, where keyring offers
only its "fail" backend — a file in KYSO_HOME/server/ readable by the user alone (0600).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from app.paths import data_home

__all__ = ["SERVICE", "delete_secret", "load_secret", "save_secret", "secrets_file"]

SERVICE = "kyso-sync"
log = logging.getLogger(__name__)


def secrets_file() -> Path:
    return data_home() / "server" / "credentials.json"


def _keyring():
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 — any trouble finding a backend means: use the file
        log.info("no usable keyring: the credential is kept in a 0600 file", exc_info=True)
        return None
    return None if isinstance(backend, fail.Keyring) else backend


def save_secret(name: str, value: str) -> str:
    """Store `value` under `name`; returns where ("keyring" or the file's path)."""
    backend = _keyring()
    if backend is not None:
        try:
            backend.set_password(SERVICE, name, value)
            _file_delete(name)
            return "keyring"
        except Exception as exc:  # noqa: BLE001 — a locked or broken store: fall back to the file
            log.warning("credential store refused %s (%s); using %s", name, exc, secrets_file())
    _file_write(name, value)
    return str(secrets_file())


def load_secret(name: str) -> str | None:
    backend = _keyring()
    if backend is not None:
        try:
            value = backend.get_password(SERVICE, name)
            if value is not None:
                return value
        except Exception as exc:  # noqa: BLE001
            log.warning("credential store unreadable (%s); trying %s", exc, secrets_file())
    return _file_read().get(name)


def delete_secret(name: str) -> None:
    backend = _keyring()
    if backend is not None:
        try:
            backend.delete_password(SERVICE, name)
        except Exception:  # noqa: BLE001 — absent is fine
            log.debug("no %s in the keyring to delete", name, exc_info=True)
    _file_delete(name)


def _file_read() -> dict[str, str]:
    try:
        return json.loads(secrets_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _file_write(name: str, value: str) -> None:
    _file_store({**_file_read(), name: value})


def _file_delete(name: str) -> None:
    values = _file_read()
    if name in values:
        del values[name]
        _file_store(values)


def _file_store(values: dict[str, str]) -> None:
    path = secrets_file()
    if not values:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(values, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
