"""A workshop pack made once per test session (30 trainees, as a real workshop), copied for each
test that uses it: every test gets its own PIN states, plugged-in tokens and outputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.practice.builder import MadePack, make_pack
from app.practice.trainees import generated_participants

UNIT = "Viện kiểm sát nhân dân khu vực 1 - Hà Nội"


@pytest.fixture(scope="session")
def made_pack(tmp_path_factory) -> MadePack:
    home = tmp_path_factory.mktemp("pack-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KYSO_HOME", str(home))  # the pack is made before any test's own data folder
        return make_pack(participants=generated_participants(30), out=tmp_path_factory.mktemp("made") / "lop",
                         trainer="Nguyễn Thị Hoa", unit=UNIT)


@pytest.fixture
def pack_dir(made_pack, tmp_path) -> Path:
    """This test's own copy of the session's pack (same keys and PINs, fresh state)."""
    return Path(shutil.copytree(made_pack.location, tmp_path / "lop-tap-huan"))
