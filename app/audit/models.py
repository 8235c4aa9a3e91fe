"""The audit database's tables, as SQLAlchemy 2 models (the Alembic migrations create them).

An event row holds every member of the wire event (app/audit/wire.py) in its own column, with
"data" as its RFC 8785 text: the row *is* the event, so editing any column changes its hash and
no index column can disagree with what was hashed. The hot paths (append, verify, export) use
the same tables through the standard sqlite3 module: see docs/audit.md, "Storage".
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AuditBase", "AuditEventRow", "ChainHeadRow", "CheckpointRow", "MetaRow", "PendingSignRow", "ReceiptRow",
]


class AuditBase(DeclarativeBase):
    pass


class AuditEventRow(AuditBase):
    """One event, appended once, never updated; deleted only by pruning behind a server receipt."""

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("mode", "seq", name="uq_audit_event_mode_seq"),
        Index("ix_audit_event_at_utc", "at_utc"),
        Index("ix_audit_event_type", "type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    v: Mapped[int] = mapped_column(Integer)
    workstation: Mapped[str] = mapped_column(String(200))
    prev_hash: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(64))
    at_utc: Mapped[str] = mapped_column(String(40))
    at_local: Mapped[str] = mapped_column(String(40))
    os_user: Mapped[str] = mapped_column(String(200))
    user_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    user_role: Mapped[str | None] = mapped_column(String(200), nullable=True)
    app_version: Mapped[str] = mapped_column(String(40))
    data: Mapped[str] = mapped_column(Text)  # RFC 8785 text of the event's "data" member
    hash: Mapped[str] = mapped_column(String(64))


class ChainHeadRow(AuditBase):
    """The last (seq, hash) written per chain: where the next event links, and the anchor that
    makes a cut-off tail visible."""

    __tablename__ = "audit_chain_head"

    mode: Mapped[str] = mapped_column(String(16), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class CheckpointRow(AuditBase):
    """Left by pruning: the chain goes on from (seq, hash), which a server receipt covers."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    pruned_at_utc: Mapped[str] = mapped_column(String(40))


class ReceiptRow(AuditBase):
    """A receipt from the central server, kept as given (its members "seq" and "hash" name the
    last event it covers)."""

    __tablename__ = "audit_receipt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    received_at_utc: Mapped[str] = mapped_column(String(40))


class PendingSignRow(AuditBase):
    """A "sign requested" whose outcome is not recorded yet (reconciled at the next start)."""

    __tablename__ = "audit_pending_sign"

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)  # the request's data (document, output path…)


class MetaRow(AuditBase):
    __tablename__ = "audit_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
