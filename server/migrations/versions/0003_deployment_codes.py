"""deployment enrolment codes: one code enrols up to max_uses workstations

Revision ID: 0003_deployment_codes
Revises: 0002_console
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003_deployment_codes'
down_revision = '0002_console'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('enrolment_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_uses', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('use_count', sa.Integer(), nullable=False, server_default='0'))
    op.execute("UPDATE enrolment_codes SET use_count = 1 WHERE used_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('enrolment_codes', schema=None) as batch_op:
        batch_op.drop_column('use_count')
        batch_op.drop_column('max_uses')
