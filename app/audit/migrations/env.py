"""Alembic environment: always called from app.audit.schema with a connection already open."""

from __future__ import annotations

from alembic import context

from app.audit.models import AuditBase

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=AuditBase.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
