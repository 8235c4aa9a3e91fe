"""All per-user data lives under one folder; KYSO_HOME moves it."""

from __future__ import annotations

from app.logs import log_file
from app.paths import data_home


def test_kyso_home_override(tmp_path, monkeypatch):
    monkeypatch.setenv("KYSO_HOME", str(tmp_path / "du-lieu"))
    assert data_home() == tmp_path / "du-lieu"
    assert data_home().is_dir()
    assert log_file().parent == tmp_path / "du-lieu" / "logs"


def test_default_is_the_platform_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("KYSO_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_home() == tmp_path / "xdg" / "kyso"


# --- the machine's policy folder cannot be moved by a user ------------------------------------

def test_on_windows_the_policy_folder_ignores_every_variable_a_user_can_set(tmp_path):
    from app.paths import choose_policy_dir

    env = {"KYSO_POLICY_DIR": str(tmp_path / "mine"), "PROGRAMDATA": str(tmp_path / "also-mine")}
    folder = choose_policy_dir(platform="nt", env=env, program_data=tmp_path / "ProgramData")
    assert folder == tmp_path / "ProgramData" / "kyso"


def test_elsewhere_the_override_is_honoured_only_where_the_machine_has_no_policy(tmp_path):
    from app.paths import choose_policy_dir

    system = tmp_path / "etc-kyso"
    env = {"KYSO_POLICY_DIR": str(tmp_path / "dev")}
    assert choose_policy_dir(platform="posix", env=env, system_dir=system) == tmp_path / "dev"
    system.mkdir()
    (system / "policy.toml").write_text("[settings]\n", encoding="utf-8")
    assert choose_policy_dir(platform="posix", env=env, system_dir=system) == system
    assert choose_policy_dir(platform="posix", env={}, system_dir=system) == system
