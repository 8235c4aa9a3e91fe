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
