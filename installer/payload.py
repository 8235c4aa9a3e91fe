"""The folder the MSI installs: kyso and every dependency for Windows, the launchers, the notices.

Layout (the installation folder, C:\\Program Files\\kyso):
  lib\\            every wheel of windows.lock and kyso's own, installed by pip for win_amd64
  runtime\\        the embeddable CPython (self-contained MSI only)
  kyso.exe, kyso-gui.exe   launchers (self-contained MSI only); kyso-start.py otherwise
  licences\\       THIRD-PARTY-NOTICES.txt (every distribution, the runtime, fonts)
  policy\\         the policy template and the Group Policy ADMX/ADML, for the unit's IT
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .inputs import INSTALLER, ROOT, BuildInputs
from .lock import pip_platform_args
from .notices import write_notices

__all__ = ["Payload", "EXCLUDED_DIRS", "build_kyso_wheel", "install_wheels", "make_launcher", "stage_payload"]

# Never shipped: caches, tests of kyso, pip's Linux scripts for the packages' entry points, and
# the central server's package (the workstation never runs it).
EXCLUDED_DIRS = {"__pycache__", ".pytest_cache", "bin", "server", "tests"}
EXCLUDED_SUFFIXES = {".pyc", ".pyo"}
_LAUNCHER_SOURCE = INSTALLER / "launcher" / "kyso_start.py"


@dataclass(frozen=True)
class Payload:
    folder: Path
    bundled_runtime: bool


def build_kyso_wheel(out: Path) -> Path:
    """kyso's wheel from the files git tracks (never .venv, caches or untracked files), with the
    desktop's translations compiled."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "translations.py"), "compile"], check=True,
                   stdout=subprocess.DEVNULL)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "kyso"
        for name in filter(None, tracked.decode().split("\0")):
            if name.startswith(("tests/", "benchmarks/", "installer/", "docs/", ".")) or not (ROOT / name).is_file():
                continue
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
        for compiled in (ROOT / "resources" / "translations").glob("*.qm"):
            shutil.copy2(compiled, source / "resources" / "translations" / compiled.name)
        built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                                "--disable-pip-version-check", "-w", str(out), str(source)], capture_output=True, text=True)
        if built.returncode:
            raise RuntimeError(f"kyso's wheel could not be built:\n{built.stderr}")
    return next(out.glob("kyso-*.whl"))


def install_wheels(wheels: list[Path], target: Path, inputs: BuildInputs) -> None:
    """pip installs the wheels into `target` as they would be on Windows (no compile: the .pyc
    of this Linux interpreter would be the wrong version)."""
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--no-index", "--no-compile", "--target", str(target), *pip_platform_args(inputs),
                    *map(str, wheels)], check=True)


def _prune(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        relative = path.relative_to(folder).parts
        if path.is_dir() and (path.name in EXCLUDED_DIRS and _excluded_dir(relative)):
            shutil.rmtree(path)
        elif path.is_file() and path.suffix in EXCLUDED_SUFFIXES:
            path.unlink()


def _excluded_dir(relative: tuple[str, ...]) -> bool:
    name = relative[-1]
    if name in ("bin", "server"):
        return len(relative) == 1  # lib/bin (pip's scripts), lib/server (kyso-server): top level only
    return True


def make_launcher(*, launcher_exe: bytes, interpreter: str) -> bytes:
    """A Windows launcher: distlib's stub, a shebang naming the interpreter relative to the
    launcher's folder, and a zip whose __main__.py is kyso_start.py (what pip does on Windows)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("__main__.py", _LAUNCHER_SOURCE.read_text(encoding="utf-8"))
    shebang = f"#!<launcher_dir>\\{interpreter}\r\n".encode()
    return launcher_exe + shebang + archive.getvalue()


def _launcher_stubs(distlib_wheel: Path) -> tuple[bytes, bytes]:
    with zipfile.ZipFile(distlib_wheel) as zipped:
        return zipped.read("distlib/t64.exe"), zipped.read("distlib/w64.exe")


def stage_payload(*, folder: Path, wheels: list[Path], kyso_wheel: Path, inputs: BuildInputs,
                  distlib_wheel: Path, runtime: Path | None) -> Payload:
    """Fill `folder` with everything the MSI installs. `runtime`: the extracted embeddable
    CPython (self-contained) or None (the MSI uses a deployed Python)."""
    install_wheels([*wheels, kyso_wheel], folder / "lib", inputs)
    _prune(folder / "lib")
    if runtime is not None:
        shutil.copytree(runtime, folder / "runtime")
        console, gui = _launcher_stubs(distlib_wheel)
        (folder / "kyso.exe").write_bytes(make_launcher(launcher_exe=console, interpreter="runtime\\python.exe"))
        (folder / "kyso-gui.exe").write_bytes(make_launcher(launcher_exe=gui, interpreter="runtime\\pythonw.exe"))
    else:
        shutil.copy2(_LAUNCHER_SOURCE, folder / "kyso-start.py")
    _copy_policy_templates(folder / "policy")
    write_notices(folder, runtime_included=runtime is not None)
    return Payload(folder, runtime is not None)


def _copy_policy_templates(target: Path) -> None:
    shutil.copytree(INSTALLER / "policy", target)
