"""The install-time step's policy folder: SYSTEM writes there, and any user may create folders in
%ProgramData% — a link or a folder planted before the install must never be written through or
trusted.

These run the step's own code on Linux: a symlink stands for a Windows junction (both are what
`os.lstat` reports as a link or reparse point), and file ownership is read with the POSIX
branch of the owner check (root or the account running the step, as SYSTEM on Windows). The
Windows branch (the owner SID through GetNamedSecurityInfoW) and icacls are not exercised here.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from app.deploy.machine import apply_acl, deploy_machine
from installer.inputs import INSTALLER

TEMPLATE = str(INSTALLER / "policy" / "policy-template.toml")
SOMEONE_ELSE = 4242  # a uid that is neither root nor the account running the step


def _no_acl(folder):
    """Windows sets the ACL with icacls; nothing to do on this file system."""


def test_a_link_in_place_of_the_folder_is_removed_never_followed(tmp_path):
    elsewhere = tmp_path / "Windows-System32-config"
    elsewhere.mkdir()
    (elsewhere / "SAM").write_bytes(b"precious")
    folder = tmp_path / "ProgramData" / "kyso"
    folder.parent.mkdir()
    folder.symlink_to(elsewhere, target_is_directory=True)
    deploy_machine(folder=folder, policy_file=TEMPLATE, enrolment_code="ABCD-EFGH", protect=lambda b: b"sealed",
                   secure=_no_acl)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["SAM"] and (elsewhere / "SAM").read_bytes() == b"precious"
    assert not folder.is_symlink() and (folder / "policy.toml").is_file()


def test_a_folder_someone_else_owns_is_moved_aside_with_what_it_holds(tmp_path):
    folder = tmp_path / "ProgramData" / "kyso"
    (folder / "trust").mkdir(parents=True)
    (folder / "trust" / "rogue-ca.pem").write_text("-----BEGIN CERTIFICATE-----")
    os.chown(folder, SOMEONE_ELSE, SOMEONE_ELSE)
    deploy_machine(folder=folder, policy_file=TEMPLATE, secure=_no_acl)
    assert sorted(p.name for p in folder.iterdir()) == ["deploy.log", "policy.toml"]
    (aside,) = [p for p in folder.parent.iterdir() if p.name.startswith("kyso.untrusted-")]
    assert (aside / "trust" / "rogue-ca.pem").is_file()
    assert str(aside) in (folder / "deploy.log").read_text(encoding="utf-8")


def test_what_a_user_planted_in_an_administrators_folder_is_not_trusted(tmp_path):
    folder = tmp_path / "ProgramData" / "kyso"
    folder.mkdir(parents=True)
    (folder / "catalogue.yaml").write_text("# the administrators' own\n")
    planted = folder / "trust"
    planted.mkdir()
    os.chown(planted, SOMEONE_ELSE, SOMEONE_ELSE)
    deploy_machine(folder=folder, secure=_no_acl)
    assert not (folder / "trust").exists() and not (folder / "catalogue.yaml").exists()
    (aside,) = [p for p in folder.parent.iterdir() if p.name.startswith("kyso.untrusted-")]
    assert (aside / "catalogue.yaml").is_file()  # nothing deleted: the administrators can look


def test_a_link_planted_inside_is_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = tmp_path / "ProgramData" / "kyso"
    folder.mkdir(parents=True)
    (folder / "trust").symlink_to(elsewhere, target_is_directory=True)
    deploy_machine(folder=folder, policy_file=TEMPLATE, secure=_no_acl)
    assert not (folder / "trust").exists() and list(elsewhere.iterdir()) == []


def test_an_administrators_folder_is_kept_as_it_is(tmp_path):
    folder = tmp_path / "ProgramData" / "kyso"
    (folder / "trust").mkdir(parents=True)
    (folder / "trust" / "unit-ca.pem").write_text("-----BEGIN CERTIFICATE-----")
    deploy_machine(folder=folder, policy_file=TEMPLATE, secure=_no_acl)
    assert (folder / "trust" / "unit-ca.pem").is_file() and (folder / "policy.toml").is_file()
    assert [p.name for p in folder.parent.iterdir()] == ["kyso"]


def test_why_the_step_failed_is_written_where_an_administrator_finds_it(tmp_path, monkeypatch):
    """msiexec logs only the custom action's exit code (the step's stderr goes nowhere): the
    reasons go to deploy.log in the policy folder, and the install fails (exit code 1)."""
    from app.deploy.machine import main

    folder = tmp_path / "ProgramData" / "kyso"
    monkeypatch.setenv("KYSO_POLICY_DIR", str(folder))
    monkeypatch.setattr("app.deploy.machine.secure_folder", _no_acl)
    bad = tmp_path / "policy.toml"
    bad.write_text('[locked]\ntsa_ulr = "http://typo"\n')
    assert main(["--policy-file", str(bad)]) == 1
    assert main(["--policy-file", r"\\may-chu\kyso\khong-co.toml"]) == 1  # e.g. a share the computer account cannot read
    log = (folder / "deploy.log").read_text(encoding="utf-8")
    assert "tsa_ulr" in log and "khong-co.toml" in log
    assert main(["--policy-file", TEMPLATE]) == 0
    assert "policy.toml" in (folder / "deploy.log").read_text(encoding="utf-8").splitlines()[-1]


def test_the_acl_tool_is_named_by_its_full_path_and_its_refusal_is_an_os_error():
    """icacls itself cannot run here: what is checked is the command kyso gives Windows (System32's
    icacls by full path — SYSTEM must not find one in the current folder or on PATH) and that its
    failure becomes an OSError, which main() writes to deploy.log (not a traceback)."""
    commands = []

    def refused(command, **_options):
        commands.append(command)
        raise subprocess.CalledProcessError(5, command, output="Access is denied.\n", stderr="")

    with pytest.raises(OSError, match="Access is denied"):
        apply_acl(Path("C:/ProgramData/kyso"), system_root=r"C:\Windows", run=refused)
    assert commands[0][0] == r"C:\Windows\System32\icacls.exe"
    assert commands[0][2:] == ["/inheritance:r", "/grant:r", "*S-1-5-18:(OI)(CI)F", "*S-1-5-32-544:(OI)(CI)F",
                               "*S-1-5-32-545:(OI)(CI)RX"]
