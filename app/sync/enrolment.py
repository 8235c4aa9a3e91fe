"""Enrolment: this workstation introduces itself to the server once, with a one-time code.

It makes an Ed25519 key pair, proves it holds the private key by signing
"kyso-enrol:<CODE>:<workstation id>", and receives its credential and the server's receipt key,
which is pinned here: every later receipt must verify under it. The enrolment record (no
secrets) is KYSO_HOME/server/enrolment.json; the credential and key go to credentials.py.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.paths import data_home

from .credentials import load_secret, save_secret
from .errors import SyncError, SyncErrorCode
from .transport import check_transport, http_client, refusal, request

__all__ = ["Enrolment", "credential", "enroll", "enrolment_file", "load_enrolment", "save_enrolment", "server_dir"]

_CREDENTIAL = "credential"
_KEY = "workstation-key"


def server_dir() -> Path:
    """KYSO_HOME/server: enrolment, sync state, the catalogue and policy fetched from the server."""
    path = data_home() / "server"
    path.mkdir(parents=True, exist_ok=True)
    return path


def enrolment_file() -> Path:
    return server_dir() / "enrolment.json"


@dataclass(frozen=True)
class Enrolment:
    server_url: str
    workstation_id: str
    unit: str
    server_key: str  # the server's Ed25519 receipt key, raw, base64: pinned
    key_id: str
    enrolled_at: str
    ca_bundle: str | None = None  # PEM file trusted for the server (government CA)
    proxy: str | None = None  # HTTPS proxy URL; None: HTTPS_PROXY from the environment
    insecure_http: bool = False  # plain HTTP to a non-loopback server, asked for explicitly (labs only)
    # keys pinned before a followed rotation (key_id → key): receipts they signed stay verifiable
    earlier_keys: dict[str, str] = field(default_factory=dict)

    def secret_name(self, what: str) -> str:
        return f"{what}:{self.workstation_id}"

    def trusted_keys(self) -> dict[str, str]:
        """key_id → public key (base64) of every key this workstation trusts: the pin and earlier pins."""
        return {**self.earlier_keys, self.key_id: self.server_key}


def load_enrolment() -> Enrolment | None:
    try:
        values = json.loads(enrolment_file().read_text(encoding="utf-8"))
        return Enrolment(**values)
    except (OSError, ValueError, TypeError):
        return None


def credential(enrolment: Enrolment) -> str:
    value = load_secret(enrolment.secret_name(_CREDENTIAL))
    if not value:
        raise SyncError(SyncErrorCode.CREDENTIAL_MISSING)
    return value


def enroll(*, url: str, code: str, workstation_id: str, label: str = "", ca_bundle: str | None = None,
           proxy: str | None = None, force: bool = False, insecure_http: bool = False) -> Enrolment:
    """Enrol at `url` with a one-time `code`; the server issues `workstation_id` (the id this
    workstation's audit log already stamps on its events). `url` must be HTTPS (plain HTTP only
    to loopback, or with `insecure_http`, which the enrolment then remembers)."""
    check_transport(url, insecure_http=insecure_http)
    if load_enrolment() is not None and not force:
        raise SyncError(SyncErrorCode.ALREADY_ENROLLED)
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    proof = key.sign(f"kyso-enrol:{normalised}:{workstation_id}".encode())
    body = {"code": code, "public_key": base64.b64encode(public).decode(), "workstation_id": workstation_id,
            "proof": base64.b64encode(proof).decode(), "label": label[:200]}
    with http_client(base_url=url, ca_bundle=ca_bundle, proxy=proxy, insecure_http=insecure_http) as client:
        response = request(client, "POST", "/api/v1/enrol", json=body)
    if response.status_code != 201:
        error = refusal(response)
        raise SyncError(SyncErrorCode.ENROL_REFUSED, server_code=error.params.get("server_code", error.code.value))
    answer = response.json()
    enrolment = Enrolment(server_url=url.rstrip("/"), workstation_id=answer["workstation_id"], unit=answer["unit"],
                          server_key=answer["server_key"]["public_key"], key_id=answer["server_key"]["key_id"],
                          enrolled_at=datetime.now(UTC).isoformat(), ca_bundle=ca_bundle, proxy=proxy,
                          insecure_http=insecure_http)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode("ascii")
    save_secret(enrolment.secret_name(_KEY), pem)
    save_secret(enrolment.secret_name(_CREDENTIAL), answer["credential"])
    save_enrolment(enrolment)
    return enrolment


def save_enrolment(enrolment: Enrolment) -> None:
    """The enrolment record, replaced atomically (enrolment, a followed key rotation)."""
    _write_json(enrolment_file(), asdict(enrolment))


def _write_json(path: Path, values: dict) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    temporary.write_text(json.dumps(values, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)
