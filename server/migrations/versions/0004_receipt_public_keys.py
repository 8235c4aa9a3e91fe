"""receipt key rotation: every receipt key's public half, earlier ones kept

Revision ID: 0004_receipt_public_keys
Revises: 0003_deployment_codes
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_receipt_public_keys'
down_revision = '0003_deployment_codes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('receipt_public_keys',
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('first_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key_id')
    )


def downgrade() -> None:
    op.drop_table('receipt_public_keys')
