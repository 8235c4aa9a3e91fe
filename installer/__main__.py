"""installer/build: make dist/kyso-<version>-x64.msi; `installer/build lock` re-pins the wheels."""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .inputs import ROOT, InputRefused, load_inputs
from .lock import fetch_pinned_file, fetch_wheels, read_lock, write_lock
from .msi import build_msi
from .payload import build_kyso_wheel, stage_payload
from .runtime import extract_runtime

__all__ = ["BuildResult", "build", "kyso_version", "main"]


@dataclass(frozen=True)
class BuildResult:
    msi: Path
    version: str
    bundled_runtime: bool
    files: int
    seconds: float


def kyso_version() -> str:
    text = (ROOT / "app" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def _icon(target: Path) -> None:
    """kyso's icon (16–256 px), drawn here: a seal-red square with a white K."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 248, 248), radius=40, fill=(178, 34, 34, 255))
    draw.polygon([(72, 48), (112, 48), (112, 116), (172, 48), (220, 48), (146, 128), (224, 208), (174, 208),
                  (112, 142), (112, 208), (72, 208)], fill=(255, 255, 255, 255))
    image.save(target, sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (256, 256)])


def build(*, out_dir: Path, python_archive: Path | None, work: Path, log=print) -> BuildResult:
    started = time.monotonic()
    inputs = load_inputs()
    version = kyso_version()
    wheels = fetch_wheels(read_lock(), inputs, log=log)
    distlib = fetch_pinned_file(requirement=inputs.launchers_wheel.split("-")[0] + "==" +
                                inputs.launchers_wheel.split("-")[1], file=inputs.launchers_wheel,
                                sha256=inputs.launchers_sha256)
    runtime = extract_runtime(python_archive, work / "runtime", inputs) if python_archive else None
    kyso_wheel = build_kyso_wheel(work / "kyso-wheel")
    payload = work / "payload"
    staged = stage_payload(folder=payload, wheels=wheels, kyso_wheel=kyso_wheel, inputs=inputs,
                           distlib_wheel=distlib, runtime=runtime)
    _icon(payload / "kyso.ico")
    from .wxs import write_payload_wxs

    files = write_payload_wxs(payload, work / "payload.wxs")
    msi = build_msi(payload=payload, version=version, bundled=staged.bundled_runtime,
                    out=out_dir / f"kyso-{version}-x64.msi")
    return BuildResult(msi, version, staged.bundled_runtime, files, time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="installer/build", description=__doc__)
    parser.add_argument("command", nargs="?", choices=("msi", "lock"), default="msi")
    parser.add_argument("--python-archive", type=Path, help="the pinned Windows embeddable CPython (self-contained MSI)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, help="keep the staged payload here (default: a temporary folder)")
    args = parser.parse_args(argv)
    try:
        if args.command == "lock":
            wheels = write_lock(load_inputs())
            print(f"installer/windows.lock: {len(wheels)} wheels pinned")
            return 0
        return _build_and_say(args)
    except InputRefused as refused:
        print(f"installer/build: refused: {refused}", file=sys.stderr)
        return 2


def _build_and_say(args: argparse.Namespace) -> int:
    work = args.work or Path(tempfile.mkdtemp(prefix="kyso-msi-"))
    if args.work and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = build(out_dir=args.out, python_archive=args.python_archive, work=work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    kind = ("self-contained: CPython runtime inside" if result.bundled_runtime else
            "uses the per-machine CPython 3.12 (x64) already deployed (no --python-archive given)")
    size = result.msi.stat().st_size / 1e6
    print(f"{result.msi} — kyso {result.version}, {kind}; {result.files} files, {size:.1f} MB, "
          f"{result.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
