"""The MSI's install-time step, run as SYSTEM (`kyso.exe --deploy-machine …`, a deferred custom action):

1. the policy folder (%ProgramData%\\kyso) is made writable by administrators only — by default
   any user may create folders in ProgramData and files in its new folders, and so could plant a
   policy.toml or trust anchors. What a user could have put there before is never trusted nor
   written through: a link (junction, symlink) in place of the folder is removed, and a folder
   holding a link or anything not owned by SYSTEM, Administrators or TrustedInstaller is moved
   aside whole (kyso.untrusted-<time>, for the administrators to look at) and made anew;
2. POLICY_FILE, if given, is checked and copied there as policy.toml (an invalid file fails the
   installation with the reasons, rather than leaving a policy that is silently ignored);
3. ENROLMENT_CODE, if given, is sealed with DPAPI (machine scope) into enrolment.sealed for the
   first start (app.deploy.first_start); the code itself is never written.
"""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path, PureWindowsPath
from typing import Any

from ..paths import policy_dir

__all__ = ["DEPLOY_LOG", "ENROLMENT_FILE", "PolicyFolderUnsafe", "PolicyInvalid", "apply_acl", "deploy_machine",
           "install_policy",
           "main", "policy_problems", "prepare_policy_folder", "seal_enrolment", "secure_folder"]

ENROLMENT_FILE = "enrolment.sealed"
DEPLOY_LOG = "deploy.log"
_FILE_ATTRIBUTE_REPARSE_POINT = 0x400


class PolicyFolderUnsafe(OSError):
    """The policy folder was tampered with again while the step made it safe."""


class PolicyInvalid(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def policy_problems(data: dict[str, Any]) -> list[str]:
    """What is wrong with a policy, as the app's policy reader judges it (app/policy.py: one
    definition of the format for the installer, the workstation and the server)."""
    from ..policy import policy_problems as problems_of

    return [str(problem) for problem in problems_of(data)]


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
    return _write_whole(folder / "policy.toml", raw)


def seal_enrolment(code: str, folder: Path, *, protect: Callable[[bytes], bytes]) -> Path:
    return _write_whole(folder / ENROLMENT_FILE, protect(code.strip().encode("utf-8")))


def _write_whole(target: Path, data: bytes) -> Path:
    """A new file of a name nobody could have chosen (O_EXCL), renamed over the target."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _is_link(path: Path) -> bool:
    """A symlink, junction or other reparse point (the link itself is examined)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    return stat.S_ISLNK(info.st_mode) or bool(getattr(info, "st_file_attributes", 0) & _FILE_ATTRIBUTE_REPARSE_POINT)


def _remove_link(path: Path) -> None:
    try:
        os.unlink(path)
    except (IsADirectoryError, PermissionError):
        os.rmdir(path)  # a junction or directory symlink on Windows: removes the link, not the target


def _untrusted(folder: Path, trusted: Callable[[Path], bool], *, owners: bool) -> list[Path]:
    """Links anywhere under `folder` and, with `owners`, what untrusted accounts own (links not followed)."""
    found: list[Path] = [folder] if owners and not trusted(folder) else []
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                path = Path(entry.path)
                if _is_link(path) or (owners and not trusted(path)):
                    found.append(path)
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(path)
    return found


def _move_aside(folder: Path) -> Path:
    aside = folder.with_name(f"{folder.name}.untrusted-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
    os.rename(folder, aside)
    return aside


def prepare_policy_folder(folder: Path, *, secure: Callable[[Path], None] | None = None,
                          trusted: Callable[[Path], bool] | None = None) -> list[Path]:
    """Make `folder` a real folder that only administrators write and that holds only what they
    put there; returns where untrusted folders were moved. Links are looked for before the ACL is
    changed (so its propagation never reaches through one), owners after (so nothing can be
    added between the check and the lock)."""
    secure = secure or secure_folder
    if trusted is None:
        from .owner import owner_is_trusted as trusted
    moved: list[Path] = []
    for _attempt in range(2):
        if _is_link(folder):
            _remove_link(folder)
        elif folder.exists() and _untrusted(folder, trusted, owners=False):
            moved.append(_move_aside(folder))
        if not folder.exists():
            folder.mkdir(mode=0o700)  # Python ≥ 3.12.4 on Windows: SYSTEM and Administrators only, from the start
        secure(folder)
        if not _untrusted(folder, trusted, owners=True):
            return moved
        moved.append(_move_aside(folder))
    raise PolicyFolderUnsafe(f"{folder}: changed again while it was being made safe")


def secure_folder(folder: Path) -> None:
    """Administrators and SYSTEM write, users read (SIDs, so any Windows language works)."""
    if os.name == "nt":
        apply_acl(folder, system_root=os.environ.get("SystemRoot") or r"C:\Windows")


def apply_acl(folder: Path, *, system_root: str, run: Callable[..., Any] = subprocess.run) -> None:
    """icacls by its full path in System32 — as SYSTEM, never a lookup in the current folder or
    PATH — and its failure as an OSError carrying icacls' own words (main() logs OSErrors)."""
    command = [str(PureWindowsPath(system_root, "System32", "icacls.exe")), str(folder), "/inheritance:r",
               "/grant:r", "*S-1-5-18:(OI)(CI)F", "*S-1-5-32-544:(OI)(CI)F", "*S-1-5-32-545:(OI)(CI)RX"]
    try:
        run(command, check=True, capture_output=True, text=True, errors="replace")
    except subprocess.CalledProcessError as failed:
        raise OSError(f"icacls {folder}: {(failed.stdout or '') + (failed.stderr or '')}".strip()) from failed


def deploy_machine(*, folder: Path, policy_file: str = "", enrolment_code: str = "",
                   protect: Callable[[bytes], bytes] | None = None,
                   secure: Callable[[Path], None] = secure_folder,
                   trusted: Callable[[Path], bool] | None = None) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    for aside in prepare_policy_folder(folder, secure=secure, trusted=trusted):
        _note(folder, f"{folder} chứa liên kết hoặc tệp không do quản trị viên tạo; đã chuyển sang / held a link or "
                      f"files not created by administrators; moved to {aside}")
    if policy_file.strip():
        installed = install_policy(Path(policy_file.strip()), folder)
        _note(folder, f"{installed.name} ← {policy_file.strip()}")
    if enrolment_code.strip():
        if protect is None:
            from .dpapi import protect_machine as protect
        sealed = seal_enrolment(enrolment_code, folder, protect=protect)
        _note(folder, f"{sealed.name}: mã đăng ký đã niêm phong / enrolment code sealed")


def _note(folder: Path, message: str) -> None:
    """One line in the policy folder's deploy.log, where an administrator finds what the step did
    (msiexec's log shows only a custom action's exit code). Never the enrolment code."""
    with open(folder / DEPLOY_LOG, "a", encoding="utf-8") as log:
        log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kyso --deploy-machine")
    parser.add_argument("--policy-file", default="")
    parser.add_argument("--enrolment-code", default="")
    args = parser.parse_args(argv)
    folder = policy_dir()
    try:
        deploy_machine(folder=folder, policy_file=args.policy_file, enrolment_code=args.enrolment_code)
    except PolicyInvalid as invalid:
        _failed(folder, "POLICY_FILE không hợp lệ / is not valid: " + "; ".join(invalid.problems))
        return 1
    except OSError as error:
        _failed(folder, str(error))
        return 1
    return 0


def _failed(folder: Path, reason: str) -> None:
    """The reason, on stderr and in deploy.log when the folder can hold it (the installation then
    fails with 1603 and is rolled back; msiexec's log shows only the exit code)."""
    print(f"kyso: {reason}", file=sys.stderr)
    try:
        if folder.is_dir() and not _is_link(folder):
            _note(folder, f"LỖI / FAILED: {reason}")
    except OSError:
        pass
