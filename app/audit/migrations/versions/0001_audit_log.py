"""The audit log: events, chain heads, checkpoints, receipts, pending sign requests, meta.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("v", sa.Integer(), nullable=False),
        sa.Column("workstation", sa.String(200), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("at_utc", sa.String(40), nullable=False),
        sa.Column("at_local", sa.String(40), nullable=False),
        sa.Column("os_user", sa.String(200), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=True),
        sa.Column("user_role", sa.String(200), nullable=True),
        sa.Column("app_version", sa.String(40), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("mode", "seq", name="uq_audit_event_mode_seq"),
    )
    op.create_index("ix_audit_event_at_utc", "audit_event", ["at_utc"])
    op.create_index("ix_audit_event_type", "audit_event", ["type"])
    op.create_table(
        "audit_chain_head",
        sa.Column("mode", sa.String(16), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("pruned_at_utc", sa.String(40), nullable=False),
    )
    op.create_index("ix_audit_checkpoint_mode", "audit_checkpoint", ["mode"])
    op.create_table(
        "audit_receipt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at_utc", sa.String(40), nullable=False),
    )
    op.create_index("ix_audit_receipt_mode", "audit_receipt", ["mode"])
    op.create_table(
        "audit_pending_sign",
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
    )
    op.create_table(
        "audit_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for table in ("audit_meta", "audit_pending_sign", "audit_receipt", "audit_checkpoint",
                  "audit_chain_head", "audit_event"):
        op.drop_table(table)
