"""The HTTP API (FastAPI): thin route modules over server.services."""
