"""The server's tables (SQLAlchemy 2). The schema itself is owned by the Alembic migrations in
server/migrations; a test checks that the migrations and these models agree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AdminAccount", "AdminLogEntry", "AdminLogHead", "AdminSession", "Alert", "Base", "ChainHead",
    "EnrolmentCode", "Event", "ReceiptKey", "ReceiptPublicKey", "Unit", "UnitConfig", "UnitConfigVersion", "VerificationRun",
    "Workstation",
]

BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER PRIMARY KEY only
UTC_TIME = DateTime(timezone=True)


class Base(DeclarativeBase):
    pass


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. "VKSND-HN"
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTC_TIME)


class AdminAccount(Base):
    __tablename__ = "admin_accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, PHC string
    role: Mapped[str] = mapped_column(String(20))  # administrator | auditor
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"))  # None: every unit
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTC_TIME)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTC_TIME)


class AdminSession(Base):
    __tablename__ = "admin_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the bearer token
    account_id: Mapped[int] = mapped_column(ForeignKey("admin_accounts.id"))
    expires_at: Mapped[datetime] = mapped_column(UTC_TIME)
    last_used_at: Mapped[datetime | None] = mapped_column(UTC_TIME)  # the console's idle timeout


class EnrolmentCode(Base):
    __tablename__ = "enrolment_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the code
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTC_TIME)
    expires_at: Mapped[datetime] = mapped_column(UTC_TIME)
    used_at: Mapped[datetime | None] = mapped_column(UTC_TIME)  # the last enrolment with it
    used_by: Mapped[str | None] = mapped_column(String(64))  # the workstation it enrolled last
    # a deployment code (an MSI pushed to every workstation of a unit) enrols up to max_uses
    max_uses: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    use_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Workstation(Base):
    __tablename__ = "workstations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")  # host name given at enrolment
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # raw Ed25519 public key, 32 bytes
    credential_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the 256-bit secret
    enrolled_at: Mapped[datetime] = mapped_column(UTC_TIME)
    revoked_at: Mapped[datetime | None] = mapped_column(UTC_TIME)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTC_TIME)
    # What the workstation last reported (PUT /api/v1/workstation/state): its kyso version, the
    # server policy and catalogue it has in force (SHA-256 of the file, = the published ETag), and
    # the heads of its local chains (JSON: mode → seq), to tell "behind" from "verified".
    reported_at: Mapped[datetime | None] = mapped_column(UTC_TIME)
    app_version: Mapped[str | None] = mapped_column(String(40))
    policy_etag: Mapped[str | None] = mapped_column(String(64))
    catalogue_etag: Mapped[str | None] = mapped_column(String(64))
    catalogue_version: Mapped[str | None] = mapped_column(String(100))
    local_heads: Mapped[str | None] = mapped_column(Text)


class ChainHead(Base):
    """One row per chain — (chain, mode) — with the last stored event; locked while a batch is
    ingested. A chain is named by its events' "workstation" member: the workstation's id, or
    "<id>#<stamp>" for a log the workstation started after setting a damaged one aside."""

    __tablename__ = "chain_heads"
    chain: Mapped[str] = mapped_column(String(128), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), primary_key=True)
    workstation_id: Mapped[str] = mapped_column(ForeignKey("workstations.id"), index=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("chain", "mode", "seq", name="uq_events_chain_seq"),
        Index("ix_events_unit_time", "unit_id", "at_utc"),
        Index("ix_events_workstation_time", "workstation_id", "at_utc"),
        Index("ix_events_time", "at_utc"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workstation_id: Mapped[str] = mapped_column(String(64))  # the enrolled workstation that sent it
    chain: Mapped[str] = mapped_column(String(128))  # the event's "workstation" member
    unit_id: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(BigInteger)
    v: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))  # ok | failed | refused, from the type
    document_type: Mapped[str | None] = mapped_column(Text)
    document_key: Mapped[str | None] = mapped_column(Text)  # data.document folded: no diacritics, lower case
    at_utc: Mapped[datetime] = mapped_column(UTC_TIME)
    at_utc_text: Mapped[str] = mapped_column(Text)  # exactly as hashed
    at_local: Mapped[str] = mapped_column(Text)
    os_user: Mapped[str] = mapped_column(Text)
    user_name: Mapped[str | None] = mapped_column(Text)
    user_role: Mapped[str | None] = mapped_column(Text)
    app_version: Mapped[str] = mapped_column(Text)
    data: Mapped[str] = mapped_column(Text)  # JSON text of the event's "data" member
    received_at: Mapped[datetime] = mapped_column(UTC_TIME)


class Alert(Base):
    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    workstation_id: Mapped[str] = mapped_column(String(64))
    chain: Mapped[str] = mapped_column(String(128))
    mode: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(40))  # history_rewritten
    seq: Mapped[int] = mapped_column(BigInteger)
    stored_hash: Mapped[str] = mapped_column(String(64))
    received_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTC_TIME)
    repeats: Mapped[int] = mapped_column(Integer, default=1)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTC_TIME)
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))
    acknowledgement: Mapped[str | None] = mapped_column(Text)  # the reviewer's comment


class UnitConfig(Base):
    __tablename__ = "unit_configs"
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # catalogue | policy
    content: Mapped[str] = mapped_column(Text)
    etag: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTC_TIME)
    updated_by: Mapped[str] = mapped_column(String(100))


class UnitConfigVersion(Base):
    """Every version of a unit's catalogue or policy that was published, numbered from 1 per
    (unit, kind): what the console shows beside the workstations that applied it."""

    __tablename__ = "unit_config_versions"
    __table_args__ = (UniqueConstraint("unit_id", "kind", "revision", name="uq_unit_config_revision"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTC_TIME)
    published_by: Mapped[str] = mapped_column(String(100))


class VerificationRun(Base):
    """A verification of one workstation's chains from the console, done a step at a time (any
    server process can take the next step: the progress lives here, not in a process)."""

    __tablename__ = "verification_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workstation_id: Mapped[str] = mapped_column(ForeignKey("workstations.id"), index=True)
    unit_id: Mapped[str] = mapped_column(String(64))
    started_by: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(UTC_TIME)
    finished_at: Mapped[datetime | None] = mapped_column(UTC_TIME)
    ok: Mapped[bool | None] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(Text)  # JSON: each chain's progress and verdict


class AdminLogHead(Base):
    """A single row (id 1) locked while an admin-log entry is appended: one chain across processes."""

    __tablename__ = "admin_log_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class AdminLogEntry(Base):
    __tablename__ = "admin_log"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))  # RFC 3339 UTC, exactly as hashed
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)  # JSON text, exactly as hashed


class ReceiptKey(Base):
    """The receipt-signing key when it is kept in the database (id 1): shared by every process."""

    __tablename__ = "receipt_key"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    private_key: Mapped[bytes] = mapped_column(LargeBinary)  # raw Ed25519 private key, 32 bytes
    created_at: Mapped[datetime] = mapped_column(UTC_TIME)


class ReceiptPublicKey(Base):
    """Every receipt key's public half, the one in use and the earlier ones (retired_at set), so a
    receipt or configuration seal signed before a rotation is still checked by the key it names."""

    __tablename__ = "receipt_public_keys"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)  # SHA-256 of the raw key, 16 hex
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # raw Ed25519 public key, 32 bytes
    first_used_at: Mapped[datetime] = mapped_column(UTC_TIME)
    retired_at: Mapped[datetime | None] = mapped_column(UTC_TIME)


class SignInCounter(Base):
    """A sign-in limit's counter shared by every server process on the database (server/guard.py,
    `SharedCounters`): attempts per client address ("a:…") and per user name ("n:…") in a fixed
    window, and a name's consecutive failures ("f:…", `window_start` then the end of its lock-out).
    Times are seconds since the epoch (the servers' clocks, kept by NTP)."""

    __tablename__ = "sign_in_counters"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    window_start: Mapped[float] = mapped_column(Float)
    span: Mapped[float] = mapped_column(Float)  # the window's length in seconds: the row is stale after it
    count: Mapped[int] = mapped_column(Integer)
