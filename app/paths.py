"""Where kyso keeps per-user data: one folder, chosen by platformdirs, overridable with KYSO_HOME."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["HOME_ENV", "data_home", "log_dir"]

HOME_ENV = "KYSO_HOME"


def data_home() -> Path:
    """The one folder holding settings, logs, the audit database and caches."""
    override = os.environ.get(HOME_ENV)
    if override:
        path = Path(override).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("kyso", appauthor=False, roaming=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    path = data_home() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
