"""What this workstation has in force, told to the server after each pass (PUT
/api/v1/workstation/state): kyso's version, the server's policy and catalogue by their SHA-256
(the ETag they were published under) when they are in force, the catalogue's version, and the
heads of the local chain, so the console can show who applied which version and who is behind."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import httpx

from .transport import request

__all__ = ["current_state", "report_state"]

log = logging.getLogger("kyso.sync")
MODES = ("production", "practice")


def current_state(store: Any) -> dict[str, Any]:
    from app import __version__
    from app.paths import load_policy

    policy = load_policy().tier("server")
    catalogue, version = _catalogue()
    return {"app_version": __version__[:40], "policy": policy.etag if policy is not None else None,
            "catalogue": catalogue, "catalogue_version": version, "chain": store.chain_workstation(),
            "heads": {mode: store.head(mode=mode)[0] for mode in MODES}}


def _catalogue() -> tuple[str | None, str | None]:
    """(SHA-256 of the server's catalogue if it is the one in force, the version in force)."""
    from app.catalogue.loader import CatalogueInvalid, load_catalogue

    try:
        info = load_catalogue().catalogue.info
    except (CatalogueInvalid, FileNotFoundError):
        return None, None
    if info.source != "server":
        return None, info.version[:100]
    try:
        with open(info.path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest(), info.version[:100]
    except OSError:
        return None, info.version[:100]


def report_state(client: httpx.Client, store: Any) -> bool:
    """True when the server took the report (an older server without the endpoint: False)."""
    response = request(client, "PUT", "/api/v1/workstation/state", json=current_state(store))
    if response.status_code != 204:
        log.info("workstation state not taken: HTTP %s", response.status_code)
    return response.status_code == 204
