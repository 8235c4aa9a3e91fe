"""sign-in limits shared by every server process: one counter row per address, name or failures

Revision ID: 0005_sign_in_counters
Revises: 0004_receipt_public_keys
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_sign_in_counters'
down_revision = '0004_receipt_public_keys'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_counters',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('window_start', sa.Float(), nullable=False),
    sa.Column('span', sa.Float(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )


def downgrade() -> None:
    op.drop_table('sign_in_counters')
