"""The Windows payload: the lock, the wheels, kyso's own wheel, the launchers, the runtime input."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from installer.inputs import ROOT, InputRefused, load_inputs, sha256_of
from installer.lock import _cached, read_lock
from installer.payload import make_launcher
from installer.runtime import check_runtime_archive, extract_runtime

WINDOWS = {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64",
           "python_version": "3.12", "python_full_version": "3.12.10", "implementation_name": "cpython",
           "platform_python_implementation": "CPython", "extra": ""}


def _requires(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as zipped:
        metadata = next(n for n in zipped.namelist() if n.endswith(".dist-info/METADATA"))
        lines = zipped.read(metadata).decode().splitlines()
    return [Requirement(line.split(":", 1)[1].strip()) for line in lines if line.startswith("Requires-Dist:")]


def _applies(requirement: Requirement) -> bool:
    return requirement.marker is None or requirement.marker.evaluate(WINDOWS)


def test_lock_is_the_closure_of_kyso_dependencies_on_windows(built_msi):
    """Every requirement (with Windows markers) is met by exactly the locked versions; nothing is
    locked that nothing needs; every cached wheel has the locked SHA-256."""
    locked = {canonicalize_name(w.name): w for w in read_lock()}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    needed, queue = set(), [Requirement(r) for r in project]
    while queue:
        requirement = queue.pop()
        if not _applies(requirement):
            continue
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement} is not locked"
        assert Version(locked[name].version) in requirement.specifier, f"{requirement} vs {locked[name].version}"
        if name not in needed:
            needed.add(name)
            wheel = _cached(locked[name].sha256, locked[name].file)
            assert sha256_of(wheel) == locked[name].sha256
            queue += [r for r in _requires(wheel) if not r.marker or _applies(r)]
    assert needed == set(locked)
    assert {"pywin32-ctypes", "tzdata"} <= needed and not {"jeepney", "secretstorage"} & needed


def test_wheels_install_into_a_clean_target_for_windows(built_msi):
    """pip put every locked distribution, at its locked version, into lib (win_amd64 builds)."""
    lib = built_msi.payload / "lib"
    installed = {}
    for dist_info in lib.glob("*.dist-info"):
        name, version = dist_info.name[: -len(".dist-info")].rsplit("-", 1)
        installed[canonicalize_name(name)] = version
        tag = (dist_info / "WHEEL").read_text()
        assert "win_amd64" in tag or "none-any" in tag, dist_info.name
    locked = {canonicalize_name(w.name): w.version for w in read_lock()}
    assert installed == {**locked, "kyso": built_msi.version}
    assert list(lib.glob("PySide6/*.pyd")) and list(lib.glob("PySide6/Qt6Core.dll"))


def test_kyso_imports_on_linux_from_the_payload(built_msi):
    lib = built_msi.payload / "lib"
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import app, app.paths, app.group_policy, app.deploy.machine;"
            " import resources; print(app.__version__, app.__file__)")
    out = subprocess.run([sys.executable, "-I", "-c", code, str(lib)], capture_output=True, text=True, check=True).stdout
    version, location = out.split()
    assert version == built_msi.version and location.startswith(str(lib))


def test_launcher_is_distlib_stub_shebang_and_start_program():
    stub = b"MZ-stub"
    launcher = make_launcher(launcher_exe=stub, interpreter="runtime\\python.exe")
    assert launcher.startswith(stub + b"#!<launcher_dir>\\runtime\\python.exe\r\n")
    with zipfile.ZipFile(__import__("io").BytesIO(launcher)) as zipped:
        assert b"--deploy-machine" in zipped.read("__main__.py") and b"from launch import main" in zipped.read("__main__.py")


def test_runtime_archive_other_than_the_pinned_one_is_refused(tmp_path):
    inputs = load_inputs()
    fake = tmp_path / inputs.runtime_file
    with zipfile.ZipFile(fake, "w") as zipped:
        zipped.writestr("python.exe", b"MZ")
    with pytest.raises(InputRefused, match="not the pinned"):
        check_runtime_archive(fake, expected_sha256=inputs.runtime_sha256, expected_name=inputs.runtime_file)
    result = subprocess.run([str(ROOT / "installer" / "build"), "--python-archive", str(fake), "--out", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "refused" in result.stderr and not list(tmp_path.glob("*.msi"))


def test_runtime_layout_isolated_and_pointing_at_lib(tmp_path):
    """The layout step itself, on an archive made here and pinned for this test only."""
    archive = tmp_path / "python-embed.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in ("python.exe", "pythonw.exe", "python312.dll", "python312.zip", "python312._pth"):
            zipped.writestr(name, b"x")
    inputs = load_inputs()
    pinned = type(inputs)(**{**inputs.__dict__, "runtime_sha256": sha256_of(archive)})
    runtime = extract_runtime(archive, tmp_path / "runtime", pinned)
    assert (runtime / "python312._pth").read_bytes() == b"python312.zip\r\n.\r\n..\\lib\r\n"


def test_a_cached_file_that_is_not_the_pinned_one_is_refused(tmp_path, monkeypatch):
    """The wheel cache lives outside the repository (~/.cache/kyso-installer) and anything may
    change a file there: every build checks each cached file against the lock before using it."""
    from installer.lock import LockedWheel, fetch_pinned_file, fetch_wheels

    monkeypatch.setenv("KYSO_INSTALLER_CACHE", str(tmp_path))
    pinned = hashlib.sha256(b"the wheel pinned in the lock").hexdigest()
    wheel = LockedWheel(name="example", version="1.0", sha256=pinned, file="example-1.0-py3-none-any.whl")
    cached = _cached(pinned, wheel.file)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"a wheel someone swapped in")
    with pytest.raises(InputRefused, match="example-1.0"):
        fetch_wheels([wheel], load_inputs(), log=lambda *_: None)
    with pytest.raises(InputRefused, match="example-1.0"):
        fetch_pinned_file(requirement="example==1.0", file=wheel.file, sha256=pinned)
