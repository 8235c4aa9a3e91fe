"""Data functions of the server: keyword-only arguments, a Session in, values out, no FastAPI."""
