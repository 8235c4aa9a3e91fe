"""Benchmark 3 — signing a 500 MB PDF of incompressible page images: time and peak memory.

Side by side in one run: `kyso sign` (whole process), pyhanko's CLI on the same token, and
the floor — `cp` of the file plus Python's `hashlib.file_digest` of it (what any signer must
at least do: write a copy and hash it).

    .venv/bin/python -m benchmarks.large_file [--megabytes 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time

from benchmarks.env import TOKEN, build_env
from benchmarks.large_pdf import write_large_pdf
from benchmarks.procs import Run, measure, median_run


def floor(env, source) -> Run:
    runs = []
    for index in range(3):
        target = env.work / f"floor-copy-{index}.pdf"
        start = time.perf_counter()
        cp = measure(["cp", str(source), str(target)], env=env.env)
        with open(target, "rb") as handle:
            hashlib.file_digest(handle, "sha256")
        runs.append(Run(time.perf_counter() - start, cp.peak_mib, 0, ""))
        target.unlink()
    return sorted(runs, key=lambda run: run.seconds)[1]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    env = build_env()
    try:
        source = env.work / "lon.pdf"
        pages = write_large_pdf(source, target_bytes=args.megabytes * 1024 * 1024)
        size_mb = source.stat().st_size / 1024 / 1024
        out = env.work / "lon.signed.pdf"
        kyso_cmd = [sys.executable, "-m", "app.cli.main", "sign", str(source), "--module", env.hsm.module,
                    "--token", TOKEN, "--key-id", "01", "--pin-stdin", "--trust", str(env.trust_dir),
                    "--force"]
        kyso = median_run(kyso_cmd, env=env.env, stdin=env.pin + "\n", rounds=args.rounds)
        pyhanko_cmd = [str(env.work.parents[1] / ".venv" / "bin" / "pyhanko"), "--config",
                       str(env.pyhanko_config()), "sign", "addsig", "--field", "Sig1", "pkcs11",
                       "--p11-setup", "bench", str(source), str(env.work / "lon.pyhanko.pdf")]
        peer = median_run(pyhanko_cmd, env=env.env, rounds=args.rounds)
        base = floor(env, source)
    finally:
        env.pki.stop()
    result = {"size_mb": size_mb, "pages": pages, "kyso": kyso, "pyhanko": peer, "floor": base}
    print(f"signing one {size_mb:.0f} MB PDF ({pages} pages of noise images), B-B, whole process")
    for name, run in (("kyso", kyso), ("pyhanko CLI", peer), ("floor cp+hash", base)):
        print(f"  {name:14s} {run.seconds:7.2f} s  ({run.seconds / base.seconds:4.2f}x floor)"
              f"  peak {run.peak_mib:7.1f} MiB")
    return result


if __name__ == "__main__":
    main()
