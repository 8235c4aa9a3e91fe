"""Request and answer models of the API (they make the published OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.audit.wire import MODES

__all__ = [
    "AccountIn", "AccountOut", "Alerts", "BatchAnswer", "ChainVerdictOut", "Chains", "CodeIn", "CodeOut",
    "ConfigIn", "EnrolIn", "EnrolOut", "ErrorOut", "EventPage", "LoginIn", "LoginOut", "LogPage", "LogVerdictOut",
    "Me", "Receipt", "ServerKey", "UnitIn", "UnitOut", "WIRE_EVENT_SCHEMA", "WorkstationOut", "WorkstationStateIn",
    "WorkstationVerdict", "refusals",
]

Mode = Literal["production", "practice"]
assert set(MODES) == {"production", "practice"}
_STRICT = ConfigDict(extra="forbid", frozen=True)


class ErrorOut(BaseModel):
    code: str
    message: str
    params: dict[str, str]


_REFUSALS = {
    400: "the body is not JSON (SERVER_BODY_MALFORMED)",
    401: "no credential, or one the server does not know (SERVER_AUTH_REQUIRED, SERVER_AUTH_INVALID)",
    403: "a credential without the right: another role or unit, a revoked workstation, a locked or "
         "disabled account (SERVER_FORBIDDEN, SERVER_OTHER_UNIT, SERVER_WORKSTATION_REVOKED, …)",
    404: "nothing of that name (SERVER_NOT_FOUND, SERVER_UNIT_UNKNOWN, SERVER_WORKSTATION_UNKNOWN, …)",
    409: "in conflict with what the server holds (exists already, a chain gap, rewritten history)",
    413: "the body is larger than the server takes (SERVER_BODY_TOO_LARGE, SERVER_BATCH_TOO_LARGE)",
    422: "a member or parameter out of its bounds, the limit named (SERVER_REQUEST_INVALID, …)",
    429: "too many requests from this address, account or workstation; Retry-After says when (SERVER_RATE_LIMITED)",
    503: "busy or the database away, retryable; Retry-After says when (SERVER_BUSY, SERVER_DATABASE_UNAVAILABLE)",
    507: "the database's disk is full (SERVER_STORAGE_FULL); Retry-After says when to try again",
}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "integer"}}}


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each refusal it can really give, as ErrorOut (stable code,
    Vietnamese or English message, parameters), so the published schema lists every status."""
    return {status: {"model": ErrorOut, "description": _REFUSALS[status],
                     **({"headers": _RETRY_AFTER} if status in (429, 503, 507) else {})} for status in statuses}


# Refusals shared by kinds of route.
READ = (503,)  # the database busy or away
WRITE = (503, 507)  # … or its disk full
BODY = (400, 413, 422)  # a request body: not JSON, too large, out of bounds
SIGNED_IN = (401, 403)  # a bearer credential: missing or unknown, or without the right


class EarlierKey(BaseModel):
    public_key: str = Field(description="raw 32-byte public key, base64")
    key_id: str
    retired_at: datetime | None


class KeyEndorsement(BaseModel):
    """A rotation's link: the previous key's Ed25519 signature (over the RFC 8785 encoding of every
    other member) on the key that replaced it."""
    v: int
    purpose: Literal["kyso-key-endorsement"]
    previous_key_id: str
    key_id: str
    public_key: str = Field(description="the new key, raw 32 bytes, base64")
    endorsed_at: str
    signature: str


class ServerKey(BaseModel):
    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key: str = Field(description="raw 32-byte public key, base64")
    key_id: str
    previous: list[EarlierKey] = Field(default_factory=list,
                                       description="keys used before a rotation: receipts name theirs (key_id)")
    endorsements: list[KeyEndorsement] = Field(
        default_factory=list, description="each rotation's new key signed by the key before it, oldest first: "
                                          "a workstation follows them from the key it pinned")


class EnrolIn(BaseModel):
    model_config = _STRICT
    code: str = Field(min_length=4, max_length=64)
    public_key: str = Field(max_length=100, description="the workstation's Ed25519 public key, raw, base64")
    proof: str = Field(max_length=200, description="Ed25519 signature of 'kyso-enrol:<CODE>:<workstation id>'")
    workstation_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{8,64}$",
                                       description="the id the workstation already stamps on its events")
    label: str = Field(default="", max_length=200)


class EnrolOut(BaseModel):
    workstation_id: str
    unit: str
    credential: str
    server_key: ServerKey


class Receipt(BaseModel):
    v: int
    workstation: str
    mode: str
    seq: int
    hash: str
    signed_at: str
    key_id: str
    signature: str


class BatchAnswer(BaseModel):
    workstation: str
    mode: str
    accepted: int
    duplicates: int
    acknowledged_seq: int
    hash: str
    expected_seq: int
    receipt: Receipt


class Chains(BaseModel):
    workstation: str
    unit: str
    chains: list[Receipt] = Field(description="the server's head of each chain, as a receipt")


class LoginIn(BaseModel):
    model_config = _STRICT
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class Me(BaseModel):
    username: str
    role: str
    unit: str | None


class LoginOut(Me):
    token: str
    expires_at: datetime


class UnitIn(BaseModel):
    model_config = _STRICT
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    name: str = Field(min_length=1, max_length=300)


class UnitOut(BaseModel):
    id: str
    name: str


class AccountIn(BaseModel):
    model_config = _STRICT
    username: str = Field(pattern=r"^[A-Za-z0-9_.@-]{1,100}$")
    password: str = Field(min_length=1, max_length=200)
    role: Literal["administrator", "auditor"]
    unit: str | None = Field(default=None, max_length=64)


class AccountOut(BaseModel):
    username: str
    role: str
    unit: str | None
    locked: bool
    disabled: bool = False


class CodeIn(BaseModel):
    model_config = _STRICT
    unit: str = Field(min_length=1, max_length=64)
    hours: int | None = Field(default=None, ge=1, le=24 * 30)
    uses: int = Field(default=1, ge=1, le=10_000)  # > 1: a deployment code (every workstation of a push)


class CodeOut(BaseModel):
    code: str
    unit: str
    expires_at: datetime
    uses: int = 1


class ConfigIn(BaseModel):
    model_config = _STRICT
    content: str = Field(max_length=4 * 1024 * 1024)


class WorkstationOut(BaseModel):
    id: str
    unit: str
    label: str
    enrolled_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None
    heads: dict[str, int]


class WorkstationStateIn(BaseModel):
    """What a workstation has in force, sent after each sync pass: shown in the console."""

    model_config = _STRICT
    app_version: str = Field(max_length=40, pattern=r"^[^\x00]*$")
    policy: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$",
                               description="SHA-256 of the server's policy in force (its ETag); null: none")
    catalogue: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$",
                                  description="SHA-256 of the server's catalogue, when it is the one in force")
    catalogue_version: str | None = Field(default=None, max_length=100, pattern=r"^[^\x00]*$")
    chain: str | None = Field(default=None, max_length=128, pattern=r"^[^\x00]*$",
                              description="the chain the workstation writes now (its id, or '<id>#<stamp>')")
    heads: dict[Mode, int] = Field(default_factory=dict, description="the last sequence of each mode of that chain")

    @field_validator("heads")
    @classmethod
    def _bounded(cls, heads: dict[str, int]) -> dict[str, int]:
        if any(not 0 <= seq < 2**63 for seq in heads.values()):
            raise ValueError("sequence out of range")
        return heads


class EventPage(BaseModel):
    events: list[dict[str, Any]]
    next_after_id: int | None


class ChainVerdictOut(BaseModel):
    chain: str
    mode: str
    events: int
    ok: bool
    problem: str | None
    problem_seq: int | None
    head_seq: int
    head_hash: str


class WorkstationVerdict(BaseModel):
    workstation: str
    ok: bool
    chains: list[ChainVerdictOut]


class Alerts(BaseModel):
    alerts: list[dict[str, Any]]


class LogPage(BaseModel):
    entries: list[dict[str, Any]]


class LogVerdictOut(BaseModel):
    entries: int
    ok: bool
    first_bad_seq: int | None
    head_hash: str


class _WireData(BaseModel):
    model_config = ConfigDict(extra="allow")


class _WireEvent(BaseModel):
    """One sealed event of app.audit.wire (docs/audit.md)."""

    model_config = ConfigDict(extra="forbid")
    v: Literal[1]
    workstation: str
    mode: Mode
    seq: int = Field(ge=1)
    prev_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    type: str
    at_utc: str
    at_local: str
    os_user: str
    user_name: str | None
    user_role: str | None
    app_version: str
    data: _WireData
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class _Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[_WireEvent] = Field(min_length=1, max_length=1000)


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inline(value, defs) for key, value in schema.items() if key != "$defs"}
    if isinstance(schema, list):
        return [_inline(item, defs) for item in schema]
    return schema


_raw = _Batch.model_json_schema()
WIRE_EVENT_SCHEMA = _inline(_raw, _raw.get("$defs", {}))
