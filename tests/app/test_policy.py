"""The policy's format and tiers: the server's published policy is applied below the machine's own
file, each tier validated as a whole, locks shown with who locked them and from which tier."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.policy import SETTINGS, PolicyInvalid, parse_policy, policy_problems, policy_toml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tiers(tmp_path, monkeypatch, kyso_home):
    machine = tmp_path / "machine-policy"
    machine.mkdir()
    monkeypatch.setenv("KYSO_POLICY_DIR", str(machine))
    server = kyso_home / "server"
    server.mkdir(parents=True)
    return {"machine": machine / "policy.toml", "server": server / "policy.toml"}


def test_the_policy_names_every_setting_and_only_those():
    from app.settings import Settings

    assert tuple(SETTINGS) == Settings.names()


def test_the_documented_template_is_a_valid_policy():
    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    template = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    policy = parse_policy(template, source="docs")
    assert policy["locked"]["tsa_url"] and policy["audit"]["keep_days"] == 90


@pytest.mark.parametrize(("text", "field", "code"), [
    ("[locked]\ncolour = 'red'\n", "locked.colour", "POLICY_UNKNOWN_SETTING"),
    ("[defaults]\ndefault_level = 'B-X'\n", "defaults.default_level", "POLICY_NOT_A_CHOICE"),
    ("[locked]\npkcs11_modules = 'one.dll'\n", "locked.pkcs11_modules", "POLICY_NOT_LIST"),
    ("[locked]\nlanguage = 1\n", "locked.language", "POLICY_NOT_TEXT"),
    ("[audit]\nkeep_days = -1\n", "audit.keep_days", "POLICY_NOT_DAYS"),
    ("[audit]\nkeep_days = true\n", "audit.keep_days", "POLICY_NOT_DAYS"),
    ("[audit]\nvisibility = 'some'\n", "audit.visibility", "POLICY_NOT_A_CHOICE"),
    ("[audit]\nkeep = 3\n", "audit.keep", "POLICY_UNKNOWN_KEY"),
    ("lockd = 'typo'\n", "lockd", "POLICY_UNKNOWN_KEY"),
    ("locked = 'x'\n", "locked", "POLICY_NOT_TABLE"),
    ("[locked\nx = 1\n", "(toml)", "POLICY_NOT_TOML"),
])
def test_every_kind_of_problem_is_named(text, field, code):
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(text, source="test")
    assert (caught.value.problems[0].field, caught.value.problems[0].code) == (field, code)


def test_every_problem_of_a_file_is_listed_not_just_the_first():
    problems = policy_problems({"x": 1, "locked": {"language": "fr", "nope": "1"}, "audit": {"keep_days": "3"}})
    assert {p.field for p in problems} == {"x", "locked.language", "locked.nope", "audit.keep_days"}


def test_what_the_console_writes_reads_back_the_same():
    values = {"organisation_name": 'VKSND "Hà Nội"\\ \x7f', "pkcs11_modules": ["C:\\a.dll", "b.so"]}
    text = policy_toml(locked_by="Văn phòng", defaults={"language": "en"}, locked=values,
                       audit={"keep_days": 30, "administrators": ["quantri"]}, header="phát hành\nbởi ai")
    assert parse_policy(text, source="console") == {"locked_by": "Văn phòng", "defaults": {"language": "en"},
                                                    "locked": values, "audit": {"keep_days": 30,
                                                                                "administrators": ["quantri"]}}


def test_the_server_tier_is_applied_below_the_machine_file(tiers):
    from app.paths import read_policy
    from app.settings import load_settings

    tiers["server"].write_text('locked_by = "Máy chủ VKSND Hà Nội"\n[defaults]\nunit = "VKS-HN"\n'
                               '[locked]\ntsa_url = "http://tsa.server"\nlanguage = "en"\n[audit]\nkeep_days = 30\n',
                               encoding="utf-8")
    tiers["machine"].write_text('locked_by = "Phòng CNTT"\n[defaults]\nlanguage = "vi"\nunit = "Phòng học"\n'
                                '[locked]\noutput_suffix = ".ky"\n[audit]\nkeep_days = 7\n', encoding="utf-8")
    state = load_settings()
    assert state.settings.tsa_url == "http://tsa.server" and state.settings.output_suffix == ".ky"
    assert state.settings.language == "vi"  # the machine names it too: its default decides, unlocked
    assert state.settings.unit == "Phòng học"  # the machine's default beats the server's
    assert state.locked == {"tsa_url": "Máy chủ VKSND Hà Nội", "output_suffix": "Phòng CNTT"}
    assert state.lock_sources == {"tsa_url": "server", "output_suffix": "machine"}
    assert read_policy()["audit"]["keep_days"] == 7


def test_the_machine_file_wins_a_setting_both_lock(tiers):
    from app.settings import SettingLocked, load_settings, save_settings

    tiers["server"].write_text('[locked]\ntsa_url = "http://tsa.server"\n', encoding="utf-8")
    tiers["machine"].write_text('locked_by = "Phòng CNTT"\n[locked]\ntsa_url = "http://tsa.machine"\n', encoding="utf-8")
    state = load_settings()
    assert (state.settings.tsa_url, state.lock_sources["tsa_url"], state.locked["tsa_url"]) == \
        ("http://tsa.machine", "machine", "Phòng CNTT")
    with pytest.raises(SettingLocked):
        save_settings({"tsa_url": "http://mine"})


def test_an_invalid_tier_is_rejected_whole_and_the_other_stays(tiers, caplog):
    from app.paths import load_policy
    from app.settings import load_settings

    tiers["server"].write_text('[locked]\ntsa_url = "http://tsa.server"\nlanguage = "fr"\n', encoding="utf-8")
    tiers["machine"].write_text('[locked]\noutput_suffix = ".ky"\n', encoding="utf-8")
    state = load_settings()
    assert state.locked.keys() == {"output_suffix"} and state.settings.tsa_url == ""  # nothing of the server's
    merged = load_policy()
    assert [t.source for t in merged.tiers] == ["machine"]
    assert [(r.source, [p.field for p in r.problems]) for r in merged.rejected] == [("server", ["locked.language"])]
    assert "policy server rejected" in caplog.text


def test_the_session_records_the_tiers_in_force_and_the_rejected(tiers, kyso_home):
    import hashlib
    import sqlite3

    from app.audit.session import audit_session

    content = b'[locked]\nlanguage = "vi"\n'
    tiers["server"].write_bytes(content)
    tiers["machine"].write_text("[audit]\nkeep_days = x\n", encoding="utf-8")
    with audit_session(command="check"):
        pass
    db = next((kyso_home / "audit").glob("*.sqlite3"))
    with sqlite3.connect(db) as connection:
        (data,) = connection.execute("SELECT data FROM audit_event WHERE type = 'policy.loaded'").fetchone()
    import json

    loaded = json.loads(data)
    assert loaded["tiers"] == [{"source": "server", "path": str(tiers["server"]),
                                "sha256": hashlib.sha256(content).hexdigest()}]
    assert loaded["rejected"][0]["source"] == "machine" and loaded["locked"] == ["language"]


class _Registry:
    """HKLM\\Software\\Policies\\kyso as Group Policy leaves it (the one stand-in: no registry here)."""

    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def values(self, subkey: str):
        return self.rows.get(subkey)


def test_group_policy_is_the_most_specific_tier(tiers, monkeypatch):
    from app.settings import load_settings

    tiers["server"].write_text('locked_by = "Máy chủ"\n[locked]\ntsa_url = "http://tsa.server"\nlanguage = "vi"\n',
                               encoding="utf-8")
    tiers["machine"].write_text('locked_by = "Tệp"\n[locked]\ntsa_url = "http://tsa.file"\n', encoding="utf-8")
    registry = _Registry({"": {"locked_by": "GPO"}, "Locked": {"tsa_url": "http://tsa.gpo"}})
    monkeypatch.setattr("app.group_policy.default_registry", lambda: registry)
    state = load_settings()
    assert state.settings.tsa_url == "http://tsa.gpo" and state.lock_sources == {"tsa_url": "group-policy",
                                                                                  "language": "server"}
    assert state.locked == {"tsa_url": "GPO", "language": "Máy chủ"}
    monkeypatch.setattr("app.group_policy.default_registry", lambda: _Registry({"": {}, "Audit": {"keep_days": "x"}}))
    from app.paths import load_policy

    merged = load_policy()
    assert [r.source for r in merged.rejected] == ["group-policy"] and load_settings().settings.tsa_url == "http://tsa.file"


def test_a_published_policy_may_not_name_the_server():
    from app.policy import parse_policy

    assert parse_policy('[server]\nurl = "https://kiemtoan.vks.example"\n', source="machine")["server"]
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy('[server]\nurl = "https://elsewhere.example"\n', source="server")
    assert caught.value.problems[0].field == "server"
