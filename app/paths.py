"""Where kyso keeps per-user data: one folder, chosen by platformdirs, overridable with KYSO_HOME."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["HOME_ENV", "POLICY_ENV", "data_home", "log_dir", "machine_trust_dirs", "policy_dir", "policy_file",
           "read_policy"]

HOME_ENV = "KYSO_HOME"
POLICY_ENV = "KYSO_POLICY_DIR"


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


def policy_dir() -> Path:
    """Where an administrator deploys machine-wide files (catalogue, policy): read-only to kyso.

    %ProgramData%\\kyso on Windows, /etc/kyso elsewhere; KYSO_POLICY_DIR overrides it.
    """
    override = os.environ.get(POLICY_ENV)
    if override:
        return Path(override).expanduser()
    if os.name == "nt":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "kyso"
    return Path("/etc/kyso")


def machine_trust_dirs() -> tuple[Path, ...]:
    """Trust anchors an administrator deployed machine-wide (policy folder/trust), if any."""
    folder = policy_dir() / "trust"
    return (folder,) if folder.is_dir() else ()


def policy_file() -> Path:
    """The administrator's machine-wide policy (settings defaults and locks, audit rules)."""
    return policy_dir() / "policy.toml"


def read_policy(*, folder: Path | None = None, registry: Any = None) -> dict[str, Any] | None:
    """The machine policy in force: policy.toml of the policy folder, with the Group Policy values
    of HKLM\\Software\\Policies\\kyso (Windows; app.group_policy) over it, value by value. None when
    there is neither; a file that cannot be read is as if there were none — every reader of the
    policy treats it the same way. `folder` and `registry` stand in for the machine's (tests)."""
    from .group_policy import merge_policies, read_group_policy

    return merge_policies(_read_policy_file((folder or policy_dir()) / "policy.toml"), read_group_policy(registry))


def _read_policy_file(path: Path) -> dict[str, Any] | None:
    import tomllib

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return None
