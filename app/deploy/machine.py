"""The MSI's install-time step, run as SYSTEM (`kyso.exe --deploy-machine …`, a deferred custom action):

1. the policy folder (%ProgramData%\\kyso) is made writable by administrators only — by default
   any user may create files in a new ProgramData folder, and so could plant a policy.toml;
2. POLICY_FILE, if given, is checked and copied there as policy.toml (an invalid file fails the
   installation with the reasons, rather than leaving a policy that is silently ignored);
3. ENROLMENT_CODE, if given, is sealed with DPAPI (machine scope) into enrolment.sealed for the
   first start (app.deploy.first_start); the code itself is never written.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..paths import policy_dir

__all__ = ["ENROLMENT_FILE", "PolicyInvalid", "deploy_machine", "install_policy", "main", "policy_problems",
           "seal_enrolment", "secure_folder"]

ENROLMENT_FILE = "enrolment.sealed"
_SECTIONS = {"locked_by", "defaults", "locked", "audit", "server"}
_AUDIT_KEYS = {"visibility", "administrators", "keep_days"}


class PolicyInvalid(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def policy_problems(data: dict[str, Any]) -> list[str]:
    """What is wrong with a policy: unknown sections, settings or audit keys, wrong types."""
    from ..settings import Settings

    problems = [f"unknown section or key: {key}" for key in data if key not in _SECTIONS]
    for section in ("defaults", "locked"):
        values = data.get(section, {})
        if not isinstance(values, dict):
            problems.append(f"[{section}] must be a table")
            continue
        problems += [f"[{section}] unknown setting: {name}" for name in values if name not in Settings.names()]
    audit = data.get("audit", {})
    problems += [f"[audit] unknown key: {name}" for name in audit if name not in _AUDIT_KEYS]
    if "keep_days" in audit and not isinstance(audit["keep_days"], int):
        problems.append("[audit] keep_days must be a whole number of days")
    return problems


def install_policy(source: Path, folder: Path) -> Path:
    """Check `source` and write it as folder/policy.toml (whole or not at all)."""
    raw = source.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyInvalid([f"{source.name}: not TOML: {exc}"]) from exc
    problems = policy_problems(data)
    if problems:
        raise PolicyInvalid(problems)
    target = folder / "policy.toml"
    temporary = folder / f".policy.toml.{os.getpid()}.part"
    temporary.write_bytes(raw)
    os.replace(temporary, target)
    return target


def seal_enrolment(code: str, folder: Path, *, protect: Callable[[bytes], bytes]) -> Path:
    target = folder / ENROLMENT_FILE
    temporary = folder / f".{ENROLMENT_FILE}.{os.getpid()}.part"
    temporary.write_bytes(protect(code.strip().encode("utf-8")))
    os.replace(temporary, target)
    return target


def secure_folder(folder: Path) -> None:
    """Administrators and SYSTEM write, users read (SIDs, so any Windows language works)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "nt":
        subprocess.run(["icacls", str(folder), "/inheritance:r", "/grant:r", "*S-1-5-18:(OI)(CI)F",
                        "*S-1-5-32-544:(OI)(CI)F", "*S-1-5-32-545:(OI)(CI)RX"], check=True, capture_output=True)


def deploy_machine(*, folder: Path, policy_file: str = "", enrolment_code: str = "",
                   protect: Callable[[bytes], bytes] | None = None,
                   secure: Callable[[Path], None] = secure_folder) -> None:
    secure(folder)
    if policy_file.strip():
        install_policy(Path(policy_file.strip()), folder)
    if enrolment_code.strip():
        if protect is None:
            from .dpapi import protect_machine as protect
        seal_enrolment(enrolment_code, folder, protect=protect)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kyso --deploy-machine")
    parser.add_argument("--policy-file", default="")
    parser.add_argument("--enrolment-code", default="")
    args = parser.parse_args(argv)
    try:
        deploy_machine(folder=policy_dir(), policy_file=args.policy_file, enrolment_code=args.enrolment_code)
    except PolicyInvalid as invalid:
        print("kyso: POLICY_FILE không hợp lệ / is not valid: " + "; ".join(invalid.problems), file=sys.stderr)
        return 1
    except OSError as error:
        print(f"kyso: {error}", file=sys.stderr)
        return 1
    return 0
