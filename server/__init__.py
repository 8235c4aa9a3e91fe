"""The central audit server (filled by a later issue)."""
