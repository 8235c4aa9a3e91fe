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

from benchmarks.env import TOKEN, BenchEnv, build_env
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


def durable_floor(env, source) -> float:
    """cp + fsync + hash: the floor for a signer that must flush its output to disk."""
    import os

    target = env.work / "floor-durable.pdf"
    start = time.perf_counter()
    measure(["cp", str(source), str(target)], env=env.env)
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    with open(target, "rb") as handle:
        hashlib.file_digest(handle, "sha256")
    elapsed = time.perf_counter() - start
    target.unlink()
    return elapsed


def engine_only(env, source) -> float:
    """kyso's signing of the document itself, in-process (no interpreter start, no check)."""
    from app.signing_job import SignJob, SignRequest
    from benchmarks.env import KEY_ID
    from signing.engine import SignOptions
    from tests.support.signing import AcceptAll, FixedPin

    marks: list[float] = []
    request = SignRequest(files=(source,), module_path=env.hsm.module, options=SignOptions(overwrite=True),
                          out_dir=env.work, token_label=TOKEN, key_id=KEY_ID, trust_dirs=(env.trust_dir,))
    SignJob(request, prompter=FixedPin(env.pin), acceptor=AcceptAll(),
            progress=lambda done, total, path: marks.append(time.perf_counter())).run()
    return marks[-1] - marks[0]


def main(argv=None, env: BenchEnv | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    owned = env is None
    env = env or build_env()
    try:
        source = env.work / "lon.pdf"
        pages = write_large_pdf(source, target_bytes=args.megabytes * 1024 * 1024)
        size_mb = source.stat().st_size / 1024 / 1024
        kyso_cmd = [sys.executable, "-m", "app.cli.main", "sign", str(source), "--module", env.hsm.module,
                    "--token", TOKEN, "--key-id", "01", "--pin-stdin", "--trust", str(env.trust_dir),
                    "--force", "--type", "Quyết định", "--role", "vien-truong", "--accept-warnings", "--level", "B-B",
                    "--kind", "personal", "--image", str(env.signature_image), "--box", "330,60,530,160"]
        kyso = median_run(kyso_cmd, env=env.env, stdin=env.pin + "\n", rounds=args.rounds)
        pyhanko_cmd = [str(env.work.parents[1] / ".venv" / "bin" / "pyhanko"), "--config",
                       str(env.pyhanko_config()), "sign", "addsig", "--field", "Sig1", "pkcs11",
                       "--p11-setup", "bench", str(source), str(env.work / "lon.pyhanko.pdf")]
        peer = median_run(pyhanko_cmd, env=env.env, rounds=args.rounds)
        base = floor(env, source)
        durable = durable_floor(env, source)
        engine = sorted(engine_only(env, source) for _ in range(args.rounds))[args.rounds // 2]
    finally:
        if owned:
            env.pki.stop()
    result = {"size_mb": size_mb, "pages": pages, "kyso": kyso, "pyhanko": peer, "floor": base,
              "durable_floor": durable, "engine": engine}
    print(f"signing one {size_mb:.0f} MB PDF ({pages} pages of noise images), B-B, whole process")
    for name, run in (("kyso", kyso), ("pyhanko CLI", peer), ("floor cp+hash", base)):
        print(f"  {name:14s} {run.seconds:7.2f} s  ({run.seconds / base.seconds:4.2f}x floor)"
              f"  peak {run.peak_mib:7.1f} MiB")
    print(f"  {'kyso engine':14s} {engine:7.2f} s  ({engine / base.seconds:4.2f}x floor)  in-process, the document only")
    print(f"  {'floor+fsync':14s} {durable:7.2f} s  ({durable / base.seconds:4.2f}x floor)  cp + fsync + hash")
    return result


if __name__ == "__main__":
    main()
