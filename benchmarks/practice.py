"""Benchmark — practice mode beside production.

1. Making a 30-trainee workshop pack (`kyso practice init --count 30`, whole process: keys,
   certificates, 36 token files, 8 exercise documents, two of them signed, the handout) beside
   its production counterpart: 30 SoftHSM2 tokens initialised with `softhsm2-util` and a
   RSA-2048 key made for each (what the same 30 signers would need on SoftHSM, without any
   certificate or document). Goal: a pack in ≤ 10 s.
2. Signing one exercise document at B-T: `kyso sign --practice PACK --trainee 1` beside
   `kyso sign --module SoftHSM --tsa …` (test PKI on loopback), whole process, and the same two
   signing jobs in process (SignJob, no start-up). Goal: practice no slower than production.

    .venv/bin/python -m benchmarks.practice [--rounds 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

from benchmarks.env import TOKEN, BenchEnv, build_env
from benchmarks.procs import median_run


def main(argv=None, env: BenchEnv | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    owned = env is None
    env = env or build_env()
    try:
        result = {"rounds": args.rounds, **_pack(env, args.rounds), **_signing(env, args.rounds)}
    finally:
        if owned:
            env.pki.stop()
    _print(result)
    return result


def _pack(env: BenchEnv, rounds: int) -> dict:
    out = env.work / "practice-pack"

    def fresh() -> None:
        shutil.rmtree(out, ignore_errors=True)

    pack = median_run([sys.executable, "-m", "app.cli.main", "practice", "init", "--count", "30", "--out", str(out)],
                      env=env.env, rounds=rounds, before=fresh)
    softhsm = [_softhsm_tokens(env, 30, round_) for round_ in range(rounds)]
    return {"pack": pack, "softhsm_tokens": statistics.median(softhsm), "pack_dir": out}


def _softhsm_tokens(env: BenchEnv, count: int, round_: int) -> float:
    """Tokens for `count` signers on SoftHSM: initialised, with a RSA-2048 key made for each."""
    import subprocess

    from cryptography.hazmat.primitives.asymmetric import rsa

    start = time.perf_counter()
    for index in range(count):
        subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", f"BENCH-{round_}-{index}",
                        "--so-pin", "12345678", "--pin", "123456"], check=True, capture_output=True, env=env.env)
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return time.perf_counter() - start


def _signing(env: BenchEnv, rounds: int) -> dict:
    from app.practice import load_pack

    pack = load_pack(_fresh_pack(env))
    trainee = pack.trainees[0]
    exercise = pack.folder / "bai-tap" / "01-phieu-kiem-sat.pdf"
    practice_out, production_out = env.work / "practice-out", env.work / "production-out"
    for folder in (practice_out, production_out):
        folder.mkdir(exist_ok=True)

    def clear() -> None:
        for folder in (practice_out, production_out):
            for path in folder.iterdir():
                path.unlink()

    practice = median_run(
        [sys.executable, "-m", "app.cli.main", "sign", str(exercise), "--practice", str(pack.folder), "--trainee",
         "1", "--pin-stdin", "--out", str(practice_out), "--level", "B-T"],
        env=env.env, stdin=trainee.pin + "\n", rounds=rounds, before=clear)
    document = env.documents(1, "practice-bench")[0]
    production = median_run(
        [sys.executable, "-m", "app.cli.main", "sign", str(document), "--module", env.hsm.module, "--token", TOKEN,
         "--key-id", "01", "--pin-stdin", "--trust", str(env.trust_dir), "--out", str(production_out),
         "--role", "vien-truong", "--image", str(env.signature_image), "--level", "B-T", "--tsa", env.pki.tsa_url],
        env=env.env, stdin=env.pin + "\n", rounds=rounds, before=clear)
    in_process = _in_process(env, pack, exercise, document, rounds)
    return {"sign_practice": practice, "sign_production": production, **in_process}


def _fresh_pack(env: BenchEnv) -> Path:
    from app.practice.builder import make_pack
    from app.practice.trainees import generated_participants

    folder = env.work / "practice-signing-pack"
    shutil.rmtree(folder, ignore_errors=True)
    return make_pack(participants=generated_participants(2), out=folder, trainer="bench", unit="bench").location


def _in_process(env: BenchEnv, pack, exercise: Path, document: Path, rounds: int) -> dict:
    """The two signing jobs in one process (after a warm-up each): what a desktop session waits for."""
    import os

    from app.practice import PracticeSession
    from app.signing_job import SignJob, SignRequest
    from signing.appearance import AppearanceKind, AppearanceSpec, Box
    from signing.engine import SignOptions
    from signing.levels import PadesLevel
    from tests.support.signing import AcceptAll, FixedPin

    os.environ.update(env.env)
    session = PracticeSession(pack, pack.trainees[0])
    out = env.work / "in-process"
    out.mkdir(exist_ok=True)
    personal = AppearanceSpec(kind=AppearanceKind.PERSONAL, box=Box(340, 190, 490, 260), image=env.signature_image)

    def practice() -> None:
        request = session.sign_request(files=[exercise], out_dir=out, appearance=personal, level="B-T")
        SignJob(request, prompter=FixedPin(pack.trainees[0].pin), acceptor=AcceptAll(),
                backend=session.backend).run()

    def production() -> None:
        request = SignRequest(files=(document,), module_path=env.hsm.module, token_label=TOKEN, key_id=b"\x01",
                              options=SignOptions(level=PadesLevel.B_T, tsa_url=env.pki.tsa_url,
                                                  appearance=personal), out_dir=out, trust_dirs=(env.trust_dir,))
        SignJob(request, prompter=FixedPin(env.pin), acceptor=AcceptAll()).run()

    timings = {}
    for name, job in (("practice", practice), ("production", production)):
        samples = []
        for _ in range(rounds + 1):
            for leftover in out.iterdir():
                leftover.unlink()
            start = time.perf_counter()
            job()
            samples.append(time.perf_counter() - start)
        timings[f"job_{name}"] = statistics.median(samples[1:])  # the first one warms the imports
    session.close()
    return timings


def _print(result: dict) -> None:
    print(f"practice mode, median of {result['rounds']}")
    print(f"  kyso practice init --count 30   {result['pack'].seconds:6.2f} s  (goal 10 s)")
    print(f"  30 SoftHSM tokens + RSA keys    {result['softhsm_tokens']:6.2f} s")
    print(f"  kyso sign --practice (B-T)      {result['sign_practice'].seconds * 1000:6.0f} ms")
    print(f"  kyso sign SoftHSM (B-T)         {result['sign_production'].seconds * 1000:6.0f} ms")
    print(f"  SignJob practice, in process    {result['job_practice'] * 1000:6.0f} ms")
    print(f"  SignJob SoftHSM, in process     {result['job_production'] * 1000:6.0f} ms")


def run(quick: bool) -> str:
    result = main(["--rounds", "2" if quick else "5"])
    pack, practice, production = result["pack"], result["sign_practice"], result["sign_production"]
    ratio = practice.seconds / production.seconds
    job_ratio = result["job_practice"] / result["job_production"]
    return f"""## 10. Practice mode — a 30-trainee workshop pack, and one practice signature beside production

| | time | peak memory |
|---|---:|---:|
| `kyso practice init --count 30` (keys, certificates, 36 tokens, 8 documents — 2 signed, handout) | **{pack.seconds:.2f} s** | {pack.peak_mib:.0f} MiB |
| production counterpart: 30 SoftHSM tokens initialised + a RSA-2048 key each (no certificate, no document) | {result['softhsm_tokens']:.2f} s | — |

Goal ≤ 10 s: **{'met' if pack.seconds <= 10 else 'not met'}**.

| one exercise document at B-T | whole process | in process (SignJob) |
|---|---:|---:|
| practice: `kyso sign --practice PACK --trainee 1` (simulated EC P-256 token, in-process OCSP and TSA) | {practice.seconds * 1000:.0f} ms | {result['job_practice'] * 1000:.0f} ms |
| production: `kyso sign --module SoftHSM` (RSA-2048, OCSP and TSA on loopback) | {production.seconds * 1000:.0f} ms | {result['job_production'] * 1000:.0f} ms |

Goal — practice no slower than production: **{'met' if ratio <= 1.05 and job_ratio <= 1.05 else 'not met'}**
(× {ratio:.2f} whole process, × {job_ratio:.2f} in process). Median of {result['rounds']} runs.
"""


if __name__ == "__main__":
    main()
