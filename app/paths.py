"""Where kyso keeps per-user data: one folder, chosen by platformdirs, overridable with KYSO_HOME."""

from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .policy import MergedPolicy

__all__ = ["HOME_ENV", "POLICY_ENV", "data_home", "load_policy", "log_dir", "machine_trust_dirs", "policy_dir",
           "policy_file", "policy_sources", "read_policy", "server_policy_file"]

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


def make_private(*paths: Path) -> None:
    """Readable by the user alone (POSIX; on Windows the profile's ACL already is): the audit log
    and the logs name documents and people (issue 16: they were 0644)."""
    if os.name != "posix":
        return
    for path in paths:
        try:
            path.chmod(0o700 if path.is_dir() else 0o600)
        except OSError:  # gone meanwhile, or not ours: nothing to tighten
            pass


def log_dir() -> Path:
    path = data_home() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    make_private(path)
    return path


def policy_dir() -> Path:
    """Where an administrator deploys machine-wide files (catalogue, policy): read-only to kyso.

    %ProgramData%\\kyso on Windows (the folder Windows itself names, never an environment
    variable a user can set), /etc/kyso elsewhere. KYSO_POLICY_DIR is for development and tests:
    it is ignored on Windows and wherever the machine has a policy of its own, so that a user
    cannot lift the administrator's locks by pointing kyso at a folder of their own.
    """
    return choose_policy_dir(platform=os.name, env=os.environ)


def choose_policy_dir(*, platform: str, env: Mapping[str, str], program_data: Path | None = None,
                      system_dir: Path = Path("/etc/kyso")) -> Path:
    """The machine's policy folder for `platform` ("nt" or "posix"); see `policy_dir`."""
    if platform == "nt":
        return (program_data or _windows_program_data()) / "kyso"
    override = env.get(POLICY_ENV)
    if override and not (system_dir / "policy.toml").exists():
        return Path(override).expanduser()
    return system_dir


def _windows_program_data() -> Path:
    """FOLDERID_ProgramData from the shell (SHGetKnownFolderPath), as Windows defines it."""
    import ctypes
    from ctypes import wintypes
    import uuid

    class GUID(ctypes.Structure):
        _fields_ = [("Data1", wintypes.DWORD), ("Data2", wintypes.WORD), ("Data3", wintypes.WORD),
                    ("Data4", ctypes.c_ubyte * 8)]

    raw = uuid.UUID("62AB5D82-FDC1-4DC3-A9DD-070D1D495D97").bytes_le  # FOLDERID_ProgramData
    folder_id = GUID.from_buffer_copy(raw)
    path = ctypes.c_wchar_p()
    shell32 = ctypes.windll.shell32  # type: ignore[attr-defined]
    if shell32.SHGetKnownFolderPath(ctypes.byref(folder_id), 0, None, ctypes.byref(path)) != 0:
        return Path(r"C:\ProgramData")
    try:
        return Path(path.value or r"C:\ProgramData")
    finally:
        ctypes.windll.ole32.CoTaskMemFree(path)  # type: ignore[attr-defined]


def machine_trust_dirs() -> tuple[Path, ...]:
    """Trust anchors an administrator deployed machine-wide (policy folder/trust), if any."""
    folder = policy_dir() / "trust"
    return (folder,) if folder.is_dir() else ()


def policy_file() -> Path:
    """The administrator's machine-wide policy (settings defaults and locks, audit rules)."""
    return policy_dir() / "policy.toml"


# --- the policy's tiers ---------------------------------------------------------------------
# From the least to the most specific: what the central server published (fetched by app.sync),
# the machine's own policy.toml, the Group Policy values (app.group_policy). app/policy.py
# validates each tier and merges them setting by setting (docs/policy.md).

def server_policy_file() -> Path:
    """The unit's policy as the central server published it (downloaded by `app.sync`)."""
    return data_home() / "server" / "policy.toml"


def policy_sources(*, folder: Path | None = None) -> list[tuple[str, Path]]:
    """(tier, file) of the file tiers, from the least to the most specific."""
    return [("server", server_policy_file()), ("machine", (folder or policy_dir()) / "policy.toml")]


def load_policy(*, folder: Path | None = None, registry: Any = None) -> MergedPolicy:
    """Every tier that is there and valid, merged; an invalid tier is rejected whole (listed in
    `rejected`, logged) and the others stay in force. `folder` and `registry` stand in for the
    machine's (tests)."""
    import logging

    from .group_policy import POLICY_KEY, read_group_policy
    from .policy import PolicyInvalid, PolicyProblem, PolicyTier, merge_tiers

    tiers, rejected = [], []
    for source, path in policy_sources(folder=folder):
        try:
            tiers.append(PolicyTier.of(path.read_bytes(), source=source, path=str(path)))
        except FileNotFoundError:
            continue
        except OSError as exc:
            rejected.append(PolicyInvalid(source, [PolicyProblem("(file)", "POLICY_UNREADABLE", {"detail": str(exc)})]))
        except PolicyInvalid as invalid:
            rejected.append(invalid)
    group = read_group_policy(registry)
    if group:  # values left empty by an installer count as absent
        try:
            tiers.append(PolicyTier.of_values(group, source="group-policy", path="HKLM\\" + POLICY_KEY))
        except PolicyInvalid as invalid:
            rejected.append(invalid)
    for invalid in rejected:
        logging.getLogger("kyso.policy").warning("policy %s rejected: %s", invalid.source, invalid.params["problems"])
    return merge_tiers(tiers, rejected=rejected)


def read_policy(*, folder: Path | None = None, registry: Any = None) -> dict[str, Any] | None:
    """The policy in force (every valid tier merged); None when no tier is there or valid (it is
    then as if there were none — every reader of the policy treats it the same way)."""
    merged = load_policy(folder=folder, registry=registry)
    return merged.data if merged.tiers else None
