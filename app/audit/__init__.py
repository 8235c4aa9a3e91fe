"""The local audit log: append-only, hash-chained, in SQLite (docs/audit.md)."""
