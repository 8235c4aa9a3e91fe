"""the administrators' console: document search key, workstation reports, alert review,
published versions, verification runs, idle sessions

Revision ID: 0002_console
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = '0002_console'
down_revision = '0001'
branch_labels = None
depends_on = None

_BACKFILL_CHUNK = 5000


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_key', sa.Text(), nullable=True))
        batch_op.drop_index('ix_events_workstation')
        batch_op.create_index('ix_events_workstation_time', ['workstation_id', 'at_utc'], unique=False)
    with op.batch_alter_table('workstations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('app_version', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('policy_etag', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('catalogue_etag', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('catalogue_version', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('local_heads', sa.Text(), nullable=True))
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('acknowledgement', sa.Text(), nullable=True))
    with op.batch_alter_table('admin_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('unit_config_versions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'kind', 'revision', name='uq_unit_config_revision')
    )
    with op.batch_alter_table('unit_config_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_config_versions_etag'), ['etag'], unique=False)
    op.create_table('verification_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('workstation_id', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('started_by', sa.String(length=120), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ok', sa.Boolean(), nullable=True),
    sa.Column('state', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['workstation_id'], ['workstations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('verification_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_runs_workstation_id'), ['workstation_id'], unique=False)
    _backfill_document_keys()
    _first_published_versions()


def _backfill_document_keys() -> None:
    """Events stored before this revision get their search key (in chunks: a large table is
    never read whole)."""
    from server.textfold import fold

    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(sa.text("SELECT id, data FROM events WHERE id > :last ORDER BY id LIMIT :n"),
                                  {"last": last, "n": _BACKFILL_CHUNK}).fetchall()
        if not rows:
            return
        keys = []
        for row in rows:
            document = _document(row[1])
            if document is not None:
                keys.append({"id": row[0], "key": fold(document)})
        if keys:
            connection.execute(sa.text("UPDATE events SET document_key = :key WHERE id = :id"), keys)
        last = rows[-1][0]


def _document(data: str) -> str | None:
    try:
        value = json.loads(data).get("document")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _first_published_versions() -> None:
    """What was published before this revision becomes each unit's version 1."""
    op.execute("INSERT INTO unit_config_versions (unit_id, kind, revision, etag, content, published_at, published_by) "
               "SELECT unit_id, kind, 1, etag, content, updated_at, updated_by FROM unit_configs")


def downgrade() -> None:
    with op.batch_alter_table('verification_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_runs_workstation_id'))
    op.drop_table('verification_runs')
    with op.batch_alter_table('unit_config_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_config_versions_etag'))
    op.drop_table('unit_config_versions')
    with op.batch_alter_table('admin_sessions', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('acknowledgement')
        batch_op.drop_column('acknowledged_by')
        batch_op.drop_column('acknowledged_at')
    with op.batch_alter_table('workstations', schema=None) as batch_op:
        for column in ('local_heads', 'catalogue_version', 'catalogue_etag', 'policy_etag', 'app_version',
                       'reported_at'):
            batch_op.drop_column(column)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_workstation_time')
        batch_op.create_index('ix_events_workstation', ['workstation_id'], unique=False)
        batch_op.drop_column('document_key')
