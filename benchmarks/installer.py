"""The Windows installer: MSI size and build time beside the wheel payload it carries.

    .venv/bin/python -m benchmarks.installer      (or run_all --only installer)

The build is installer/build's own code with the wheels already cached (as on a release
machine or CI after its first run); the cold download of the wheels is timed apart.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from installer.__main__ import build
from installer.inputs import load_inputs
from installer.lock import _cached, fetch_wheels, read_lock


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run(quick: bool = False) -> str:
    wheels = read_lock()
    with tempfile.TemporaryDirectory() as cold:
        import os

        previous = os.environ.get("KYSO_INSTALLER_CACHE")
        os.environ["KYSO_INSTALLER_CACHE"] = cold
        started = time.monotonic()
        fetch_wheels(wheels, load_inputs(), log=lambda *_: None)
        download = time.monotonic() - started
        if previous is None:
            os.environ.pop("KYSO_INSTALLER_CACHE")
        else:
            os.environ["KYSO_INSTALLER_CACHE"] = previous
    fetch_wheels(wheels, load_inputs(), log=lambda *_: None)
    compressed = sum(_cached(w.sha256, w.file).stat().st_size for w in wheels)
    with tempfile.TemporaryDirectory() as folder:
        result = build(out_dir=Path(folder) / "dist", python_archive=None, work=Path(folder) / "work",
                       log=lambda *_: None)
        msi = result.msi.stat().st_size
        installed = _folder_size(Path(folder) / "work" / "payload")
        files = result.files
        seconds = result.seconds
    ratio = msi / compressed
    return f"""## 9. Windows installer — dist/kyso-{result.version}-x64.msi (no runtime inside)

| | size | time |
|---|---:|---:|
| the {len(wheels)} locked win_amd64 wheels (compressed payload) | {compressed / 1e6:.1f} MB | download (cold cache): {download:.0f} s |
| the MSI (wixl, MSZIP cabinet), {files} files | **{msi / 1e6:.1f} MB** ({ratio:.2f}× the wheels) | build (wheels cached): **{seconds:.0f} s** |
| installed on the workstation | {installed / 1e6:.0f} MB | — |

Targets: MSI ≤ 1.2× the compressed payload: **{'met' if ratio <= 1.2 else 'not met'}**; build ≤ 3 min: **{'met' if seconds <= 180 else 'not met'}**.
The self-contained MSI adds the embeddable CPython 3.12.10 (about 11 MB); the cold start of the
installed application can only be measured on Windows and is not measured here.
"""


if __name__ == "__main__":
    print(run())
