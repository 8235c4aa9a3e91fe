"""The machine policy a silent install writes is what kyso's policy reader applies.

The registry rows come from the built MSI's Registry table, filled in with the properties of a
`msiexec /qn` line; a dict stands in for HKLM (the one part that cannot exist here). Folder,
reader, settings and locks are kyso's own code, on the path a Windows workstation takes.
"""

from __future__ import annotations

import re

import pytest

from app.deploy.machine import ENROLMENT_FILE, PolicyInvalid, deploy_machine
from app.group_policy import POLICY_KEY
from app.paths import read_policy
from app.settings import SettingLocked, load_settings, save_settings
from installer.inputs import INSTALLER

PROPERTIES = {"SERVER_URL": "https://kiemtoan.vks.example", "TSA_URL": "http://tsa.example/rfc3161",
              "OUTPUT_SUFFIX": ".da-ky", "LANGUAGE": "en", "ENROLMENT_CODE": "ABCD-EFGH"}


class StandInRegistry:
    """HKLM\\Software\\Policies\\kyso as Windows would hold it after the install."""

    def __init__(self, rows: dict[str, dict[str, object]]) -> None:
        self.rows = rows

    def values(self, subkey: str):
        return self.rows.get(subkey)


def _installed_registry(built_msi, properties: dict[str, str]) -> StandInRegistry:
    conditions = {row[0]: row[4] for row in built_msi.table("Component")}
    rows: dict[str, dict[str, object]] = {}
    for _id, _root, key, name, value, component in built_msi.table("Registry"):
        if not key.startswith(POLICY_KEY) or (conditions[component] and not properties.get(conditions[component])):
            continue
        subkey = key[len(POLICY_KEY):].lstrip("\\")
        rows.setdefault("", {})
        rows.setdefault(subkey, {})[name] = re.sub(r"\[(\w+)\]", lambda m: properties.get(m.group(1), ""), value)
    return StandInRegistry(rows)


@pytest.fixture
def machine(tmp_path, monkeypatch, kyso_home):
    folder = tmp_path / "ProgramData-kyso"
    monkeypatch.setenv("KYSO_POLICY_DIR", str(folder))
    return folder


def test_properties_and_policy_file_are_applied_and_lock_what_they_name(built_msi, machine, monkeypatch):
    registry = _installed_registry(built_msi, PROPERTIES)
    monkeypatch.setattr("app.group_policy.default_registry", lambda: registry)
    sealed = []
    deploy_machine(folder=machine, policy_file=str(INSTALLER / "policy" / "policy-template.toml"),
                   enrolment_code=PROPERTIES["ENROLMENT_CODE"], protect=lambda data: sealed.append(data) or b"sealed",
                   secure=lambda folder: folder.mkdir(parents=True, exist_ok=True))
    policy = read_policy()
    assert policy["server"]["url"] == PROPERTIES["SERVER_URL"]
    state = load_settings()
    assert state.settings.tsa_url == PROPERTIES["TSA_URL"]  # MSI property (Group Policy location) over the file's
    assert state.settings.output_suffix == ".da-ky" and state.settings.language == "en"
    assert state.locked == {"default_level": "Phòng Công nghệ thông tin"} and state.settings.default_level == "B-LT"
    with pytest.raises(SettingLocked):
        save_settings({"default_level": "B-B"})
    assert save_settings({"tsa_url": "http://other.example"}).settings.tsa_url == "http://other.example"
    assert (machine / ENROLMENT_FILE).read_bytes() == b"sealed" and sealed == [b"ABCD-EFGH"]
    assert b"ABCD-EFGH" not in b"".join(p.read_bytes() for p in machine.iterdir())


def test_properties_left_empty_write_nothing(built_msi, machine, monkeypatch):
    registry = _installed_registry(built_msi, {})
    monkeypatch.setattr("app.group_policy.default_registry", lambda: registry)
    assert read_policy() is None and load_settings().settings.tsa_url == ""


def test_group_policy_locks_win_over_the_file(machine, monkeypatch):
    machine.mkdir()
    (machine / "policy.toml").write_text('locked_by = "file"\n[locked]\ntsa_url = "http://file"\n[audit]\nvisibility = "all"\n')
    registry = StandInRegistry({"": {"locked_by": "GPO"}, "Locked": {"tsa_url": "http://gpo", "pkcs11_modules": ["a.dll", ""]},
                                "Audit": {"keep_days": 30}})
    monkeypatch.setattr("app.group_policy.default_registry", lambda: registry)
    state = load_settings()
    assert state.settings.tsa_url == "http://gpo" and state.settings.pkcs11_modules == ("a.dll",)
    assert state.locked == {"tsa_url": "GPO", "pkcs11_modules": "GPO"}
    assert read_policy()["audit"] == {"visibility": "all", "keep_days": 30}


def test_invalid_policy_file_fails_the_install_and_writes_nothing(tmp_path):
    bad = tmp_path / "policy.toml"
    bad.write_text('[locked]\ntsa_ulr = "http://typo"\n')
    folder = tmp_path / "machine"
    with pytest.raises(PolicyInvalid, match="tsa_ulr"):
        deploy_machine(folder=folder, policy_file=str(bad), secure=lambda f: f.mkdir(parents=True, exist_ok=True))
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(("file_section", "gpo_section"), [("locked", "Defaults"), ("defaults", "Locked")])
def test_group_policy_decides_a_setting_the_file_also_names(machine, monkeypatch, file_section, gpo_section):
    """Per setting, the higher source decides both the value and whether it is locked: a Group
    Policy default is not overridden by a lock in policy.toml, nor a Group Policy lock weakened."""
    machine.mkdir()
    (machine / "policy.toml").write_text(f'[{file_section}]\ntsa_url = "http://file"\n')
    registry = StandInRegistry({"": {}, gpo_section: {"tsa_url": "http://gpo"}})
    monkeypatch.setattr("app.group_policy.default_registry", lambda: registry)
    state = load_settings()
    assert state.settings.tsa_url == "http://gpo"
    assert ("tsa_url" in state.locked) == (gpo_section == "Locked")
