"""The unit's catalogue and policy from the server, fetched with ETag caching.

The catalogue lands at KYSO_HOME/server/catalogue.yaml — the "server" tier app/catalogue/loader.py
reads (an invalid one is rejected there and the next tier stays in force); the policy at
KYSO_HOME/server/policy.toml. Files are replaced atomically; the ETags live in etags.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

from .enrolment import server_dir
from .errors import SyncError, SyncErrorCode
from .transport import refusal, request

__all__ = ["FILES", "fetch_all", "fetch_config"]

FILES = {"catalogue": "catalogue.yaml", "policy": "policy.toml"}


def _etags_path() -> Path:
    return server_dir() / "etags.json"


def _etags() -> dict[str, str]:
    try:
        return json.loads(_etags_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def fetch_config(client: httpx.Client, *, kind: str) -> bool:
    """True when a new version was written."""
    etags = _etags()
    target = server_dir() / FILES[kind]
    headers = {"If-None-Match": etags[kind]} if kind in etags and target.exists() else {}
    response = request(client, "GET", f"/api/v1/config/{kind}", headers=headers)
    if response.status_code == 304:
        return False
    if response.status_code == 404 and response.headers.get("content-type", "").startswith("application/json") \
            and response.json().get("code") == "SERVER_CONFIG_NOT_SET":
        return False
    if response.status_code != 200:
        error = refusal(response)
        if error.code in (SyncErrorCode.REVOKED, SyncErrorCode.AUTH):
            raise error
        raise SyncError(SyncErrorCode.CONFIG_REFUSED, kind=kind, status=response.status_code)
    _replace(target, response.content)
    if response.headers.get("etag"):
        _replace(_etags_path(), json.dumps({**etags, kind: response.headers["etag"]}).encode())
    return True


def fetch_all(client: httpx.Client) -> list[str]:
    """Fetch every kind; returns the kinds that changed."""
    return [kind for kind in FILES if fetch_config(client, kind=kind)]
