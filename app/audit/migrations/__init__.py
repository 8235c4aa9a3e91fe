"""Alembic migrations of the audit database, run programmatically at open (app/audit/schema.py)."""
