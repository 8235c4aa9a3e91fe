"""Run every benchmark in one go and write the figures to docs/performance.md.

    .venv/bin/python -m benchmarks.run_all [--quick]

Each benchmark measures kyso side by side with its peer in the same run, on this machine.
The prose sections of docs/performance.md (what the figures mean, what is missing) live in
benchmarks/performance_notes.md and are copied under the generated tables.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import batch_signing, large_file, recognition, single_document
from benchmarks.env import build_env

ROOT = Path(__file__).resolve().parents[1]


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    softhsm = subprocess.run(["softhsm2-util", "--version"], capture_output=True, text=True).stdout.strip()
    pdfsig = subprocess.run(["pdfsig", "-v"], capture_output=True, text=True).stderr.splitlines()[0]
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"SoftHSM {softhsm}, {pdfsig}")


SECTIONS = ("signing", "cli_batch", "view_check", "recognition", "audit", "server", "server_attack", "console", "desktop",
            "installer", "practice", "verify_batch", "verify_large")
"""Sections of docs/performance.md, in order. Each is produced by a function `run(quick) -> str`
(markdown) below or in the benchmark module of the same name, and kept in
benchmarks/results/<name>.md so one area can be re-measured without re-running the others."""

RESULTS = ROOT / "benchmarks" / "results"


def run_signing(quick: bool) -> str:
    rounds = ["--rounds", "1" if quick else "3"]
    env = build_env()  # one token per process: a PKCS#11 module is initialised once
    try:
        batch = batch_signing.main(["--count", "50" if quick else "200", *rounds], env=env)
        single = single_document.main(["--rounds", "3" if quick else "7"], env=env)
        large = large_file.main(["--megabytes", "50" if quick else "500", *rounds], env=env)
    finally:
        env.pki.stop()
    return f"""## 1. Batch signing — {batch['count']} one-page PDFs, B-B, RSA-2048 on SoftHSM2, one login

| signer | documents/s | rounds |
|---|---:|---|
| kyso (SignJob, output fsynced and renamed) | **{batch['kyso_docs_per_s']:.1f}** | {', '.join(f'{v:.1f}' for v in batch['kyso_rounds'])} |
| pyhanko, plain loop with its defaults | {batch['pyhanko_docs_per_s']:.1f} | {', '.join(f'{v:.1f}' for v in batch['pyhanko_rounds'])} |

Target ≥ 100 documents/s: **{'met' if batch['kyso_docs_per_s'] >= 100 else 'not met'}**
({batch['kyso_docs_per_s'] / batch['pyhanko_docs_per_s']:.1f}× pyhanko's defaults).

## 2. One document, whole process (start to exit)

| command | time | × pdfsig | peak memory |
|---|---:|---:|---:|
| `kyso sign` (with its certificate check) | {single['kyso'].seconds * 1000:.0f} ms | {single['kyso'].seconds / single['pdfsig'].seconds:.1f} | {single['kyso'].peak_mib:.0f} MiB |
| `pyhanko sign addsig pkcs11` | {single['pyhanko'].seconds * 1000:.0f} ms | {single['pyhanko'].seconds / single['pdfsig'].seconds:.1f} | {single['pyhanko'].peak_mib:.0f} MiB |
| `pdfsig -add-signature` | {single['pdfsig'].seconds * 1000:.0f} ms | 1.0 | {single['pdfsig'].peak_mib:.0f} MiB |

Target ≤ 3× pdfsig: **{'met' if single['kyso'].seconds <= 3 * single['pdfsig'].seconds else 'not met'}**.

## 3. A {large['size_mb']:.0f} MB PDF of incompressible page images ({large['pages']} pages)

| | time | × floor | peak memory |
|---|---:|---:|---:|
| `kyso sign`, whole process | {large['kyso'].seconds:.2f} s | {large['kyso'].seconds / large['floor'].seconds:.2f} | **{large['kyso'].peak_mib:.0f} MiB** |
| kyso engine, in-process (copy ∥ hash, sign, fsync, rename) | {large['engine']:.2f} s | **{large['engine'] / large['floor'].seconds:.2f}** | — |
| `pyhanko sign addsig pkcs11` | {large['pyhanko'].seconds:.2f} s | {large['pyhanko'].seconds / large['floor'].seconds:.2f} | {large['pyhanko'].peak_mib:.0f} MiB |
| floor: `cp` + `hashlib.file_digest` | {large['floor'].seconds:.2f} s | 1.00 | — |
| floor + fsync (what a durable signer cannot avoid) | {large['durable_floor']:.2f} s | {large['durable_floor'] / large['floor'].seconds:.2f} | — |

Targets ≤ 1.3× the floor and ≤ 100 MiB: memory **{'met' if large['kyso'].peak_mib <= 100 else 'not met'}**;
time **{'met' if large['kyso'].seconds <= 1.3 * large['floor'].seconds else 'met by the engine, not by the whole process' if large['engine'] <= 1.3 * large['floor'].seconds else 'not met'}**.
"""


def run_recognition(quick: bool) -> str:
    recognised = recognition.main([])
    tally = recognised["tally"]
    rows = "\n".join(
        f"| {variant} | {counts.documents} | {counts.identified_right} | **{counts.identified_wrong}** | "
        f"{counts.flagged_right} | {counts.flagged_other} |"
        for variant, counts in recognised["by_variant"].items())
    return f"""## 4. Recognising the document type — {tally.documents} generated documents of {recognised['types']} types

Every shipped type in the layouts units use, at least {recognised['fewest_per_type']} documents per type
(`benchmarks/recognition.py`, layouts in `tests/support/catalogue_docs.py`); the whole preflight of
each document (PDFium text, recognition, plan) through `run_preflight`.

| identified (high confidence) | of which wrong | precision | flagged, right type proposed | flagged, user chooses | kyso's CPU time per document |
|---:|---:|---:|---:|---:|---:|
| {tally.identified_right + tally.identified_wrong} | **{tally.identified_wrong}** | **{tally.precision:.3f}** | {tally.flagged_right} | {tally.flagged_other} | {recognised['seconds_per_document'] * 1000:.1f} ms |

| layout | documents | identified | wrong | flagged, right proposed | flagged, user chooses |
|---|---:|---:|---:|---:|---:|
{rows}

Requirement — every document of a shipped type identified or flagged for confirmation, never
silently misidentified: **{'met' if not tally.identified_wrong else 'NOT met'}**. Titles without diacritics and copies
(recognised from their file name only) are flagged: the user confirms the proposed type.
"""


def _runner(name: str):
    local = globals().get(f"run_{name}")
    if local is not None:
        return local
    import importlib

    try:
        module = importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError:
        return None
    return getattr(module, "run", None)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="re-measure these sections only")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    sections = args.only or list(SECTIONS)
    if len(sections) > 1:  # each area in a fresh process: a loaded PKCS#11 module, a QApplication
        for name in sections:  # or a server's state must not leak from one area into the next
            command = [sys.executable, "-m", "benchmarks.run_all", "--only", name, *(["--quick"] if args.quick else [])]
            subprocess.run(command, cwd=ROOT, check=True)
        write_document()
        return
    for name in sections:
        runner = _runner(name)
        if runner is None:
            continue
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        text = runner(args.quick)
        (RESULTS / f"{name}.md").write_text(f"<!-- measured {stamp}{' (quick)' if args.quick else ''} -->\n{text}",
                                             encoding="utf-8")
    write_document()


def write_document() -> None:
    parts = [f"""# Performance

Generated by `.venv/bin/python -m benchmarks.run_all` (one area: `--only NAME`) on this machine
({_machine()}). Every figure is measured side by side with its peer in the same run; each section
says when it was measured.
"""]
    for name in SECTIONS:
        path = RESULTS / f"{name}.md"
        if path.exists():
            parts.append(path.read_text(encoding="utf-8"))
    parts.append((ROOT / "benchmarks" / "performance_notes.md").read_text(encoding="utf-8"))
    (ROOT / "docs" / "performance.md").write_text("\n".join(parts), encoding="utf-8")
    print("wrote docs/performance.md")


if __name__ == "__main__":
    main()
