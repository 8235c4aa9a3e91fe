"""installer/windows.lock: every wheel of the Windows payload, pinned by SHA-256, and the cache.

One line per wheel: `name==version --hash=sha256:HEX  # file: WHEEL-FILE-NAME`. pip reads it
as a requirements file (--require-hashes); the file name lets the cache find a wheel without
asking any index. Wheels are cached in ~/.cache/kyso-installer/wheels/<sha256>/, fetched with
`pip download --require-hashes` only when missing, and checked against the lock on every build.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .inputs import INSTALLER, ROOT, BuildInputs, InputRefused, cache_dir, sha256_of

__all__ = ["LOCK_FILE", "LockedWheel", "fetch_wheels", "fetch_pinned_file", "pip_platform_args", "read_lock",
           "write_lock"]

LOCK_FILE = INSTALLER / "windows.lock"
_LINE = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+) --hash=sha256:(?P<sha256>[0-9a-f]{64})"
                   r"\s+# file: (?P<file>\S+\.whl)$")


@dataclass(frozen=True)
class LockedWheel:
    name: str
    version: str
    sha256: str
    file: str


def read_lock(path: Path = LOCK_FILE) -> list[LockedWheel]:
    wheels = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _LINE.match(line.strip())
        if match is None:
            raise InputRefused(f"{path.name}:{number}: not 'name==version --hash=sha256:… # file: ….whl'")
        wheels.append(LockedWheel(**match.groupdict()))
    return wheels


def pip_platform_args(inputs: BuildInputs) -> list[str]:
    return ["--platform", inputs.platform, "--python-version", inputs.python, "--implementation", "cp",
            "--abi", inputs.abi, "--abi", "abi3", "--abi", "none", "--only-binary=:all:"]


def _cached(sha256: str, file: str) -> Path:
    return cache_dir() / "wheels" / sha256 / file


def fetch_wheels(wheels: list[LockedWheel], inputs: BuildInputs, *, log=print) -> list[Path]:
    """The locked wheels from the cache, downloading (hash-checked by pip) only the missing ones."""
    missing = [wheel for wheel in wheels if not _cached(wheel.sha256, wheel.file).is_file()]
    if missing:
        log(f"kyso installer: downloading {len(missing)} of {len(wheels)} wheels into {cache_dir()}")
        with tempfile.TemporaryDirectory() as folder:
            requirements = Path(folder) / "missing.lock"
            requirements.write_text("".join(f"{w.name}=={w.version} --hash=sha256:{w.sha256}\n" for w in missing))
            _pip("download", "--no-deps", "--require-hashes", "--quiet", *pip_platform_args(inputs),
                 "-d", folder, "-r", str(requirements))
            for wheel in missing:
                _store(Path(folder) / wheel.file, wheel.sha256, wheel.file)
    return [_verified(w.sha256, w.file) for w in wheels]


def fetch_pinned_file(*, requirement: str, file: str, sha256: str) -> Path:
    """A pinned pure-Python wheel (the launchers' distlib), from the cache or PyPI."""
    target = _cached(sha256, file)
    if not target.is_file():
        with tempfile.TemporaryDirectory() as folder:
            _pip("download", "--no-deps", "--quiet", "-d", folder, requirement)
            _store(Path(folder) / file, sha256, file)
    return _verified(sha256, file)


def _verified(sha256: str, file: str) -> Path:
    """The cached file, checked against its pin on every build: the cache is outside the
    repository, and pip installs these files with --no-index and no hashes of its own."""
    path = _cached(sha256, file)
    if sha256_of(path) != sha256:
        raise InputRefused(f"{file}: the cached file ({path}) is not the one pinned; delete it and build again")
    return path


def _store(downloaded: Path, sha256: str, file: str) -> None:
    if not downloaded.is_file() or sha256_of(downloaded) != sha256:
        raise InputRefused(f"{file}: not downloaded, or its SHA-256 is not the one pinned")
    target = _cached(sha256, file)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(downloaded), target)


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args, "--disable-pip-version-check"], check=True)


def write_lock(inputs: BuildInputs, *, path: Path = LOCK_FILE) -> list[LockedWheel]:
    """Resolve kyso's dependencies for Windows and pin the exact wheels.

    pip evaluates environment markers for the machine it runs on (Linux), even with --platform,
    so it would take jeepney and SecretStorage and leave out pywin32-ctypes and tzdata; uv
    resolves for another platform properly (--python-platform). pip then names the exact file
    and its SHA-256 for each pin."""
    with tempfile.TemporaryDirectory() as folder:
        pins = Path(folder) / "pins.txt"
        subprocess.run([str(Path(sys.executable).with_name("uv")), "pip", "compile", str(ROOT / "pyproject.toml"),
                        "--python-platform", "x86_64-pc-windows-msvc", "--python-version", inputs.python,
                        "--only-binary", ":all:", "--no-header", "--no-annotate", "--quiet", "-o", str(pins)],
                       check=True)
        report = Path(folder) / "report.json"
        _pip("install", "--dry-run", "--ignore-installed", "--no-deps", "--quiet", "--report", str(report),
             *pip_platform_args(inputs), "--target", str(Path(folder) / "t"), "-r", str(pins))
        installs = json.loads(report.read_text())["install"]
    wheels = sorted((_locked(item) for item in installs), key=lambda w: w.name.lower())
    lines = [f"{w.name}=={w.version} --hash=sha256:{w.sha256}  # file: {w.file}" for w in wheels]
    header = (f"# kyso's Windows payload: every wheel for CPython {inputs.python} ({inputs.platform}), pinned by SHA-256.\n"
              "# Made by `installer/build lock` (uv resolves for Windows; pip names each file). Not edited by hand.\n")
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return wheels


def _locked(item: dict) -> LockedWheel:
    info = item["download_info"]
    return LockedWheel(name=item["metadata"]["name"], version=item["metadata"]["version"],
                       sha256=info["archive_info"]["hashes"]["sha256"], file=info["url"].rsplit("/", 1)[-1])
