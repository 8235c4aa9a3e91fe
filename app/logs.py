"""The log file: tracebacks and details go here, never to the user's screen, never a PIN."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

__all__ = ["active_log_file", "log_file", "setup_logging"]

_configured: list[Path] = []


def log_file() -> Path:
    from .paths import log_dir

    return log_dir() / "kyso.log"


def active_log_file() -> Path:
    """The file this process logs to (where a message saying "details are in the log" points)."""
    return _configured[0] if _configured else log_file()


def setup_logging(*, verbose: bool = False) -> Path:
    """Send kyso's log records to the rotating log file in the data folder (once)."""
    if _configured:
        return _configured[0]
    path = log_file()
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8"
    )
    from .paths import make_private

    make_private(path, *path.parent.glob(path.name + ".*"))  # the file and its rotated copies
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("asyncio", "aiohttp", "fontTools", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _configured.append(path)
    return path
