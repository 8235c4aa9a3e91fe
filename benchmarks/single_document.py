"""Benchmark 2 — one document, whole process, on the same SoftHSM2 token.

Side by side in one run: `kyso sign` (B-B, including its mandatory certificate check: chain,
OCSP/CRL), pyhanko's CLI (`pyhanko sign addsig pkcs11`, no certificate check) and poppler's
`pdfsig -add-signature` (NSS with the SoftHSM module registered; no check either; its
-etsi mode fails with this NSS/SoftHSM pair, so it makes an adbe.pkcs7.detached signature). Median
wall time of several runs, each process started fresh.

    .venv/bin/python -m benchmarks.single_document [--rounds 7]
"""

from __future__ import annotations

import argparse
import sys

from benchmarks.env import LABEL, TOKEN, BenchEnv, build_env
from benchmarks.procs import median_run


def _signed(path, env) -> bool:
    import subprocess

    if not path.exists():
        return False
    report = subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True, text=True, env=env.env)
    return "Signature is Valid." in report.stdout


def main(argv=None, env: BenchEnv | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    owned = env is None
    env = env or build_env()
    try:
        source = env.documents(1, "mot")[0]
        out = env.work / "mot-out"
        out.mkdir()
        kyso = median_run(
            [sys.executable, "-m", "app.cli.main", "sign", str(source), "--module", env.hsm.module,
             "--token", TOKEN, "--key-id", "01", "--pin-stdin", "--trust", str(env.trust_dir),
             "--out", str(out), "--force", "--role", "vien-truong", "--image", str(env.signature_image), "--level", "B-B", "--accept-warnings"],
            env=env.env, stdin=env.pin + "\n", rounds=args.rounds,
        )
        pyhanko = median_run(
            [str(env.work.parents[1] / ".venv" / "bin" / "pyhanko"), "--config", str(env.pyhanko_config()),
             "sign", "addsig", "--field", "Sig1", "pkcs11", "--p11-setup", "bench", str(source),
             str(out / "pyhanko.pdf")],
            env=env.env, rounds=args.rounds,
        )
        pdfsig = median_run(
            ["pdfsig", "-add-signature", "-nssdir", f"sql:{env.nss_dir}", "-nss-pwd", env.pin,
             "-nick", f"{TOKEN}:{LABEL}", str(source), str(out / "pdfsig.pdf")],
            env=env.env, rounds=args.rounds, before=lambda: (out / "pdfsig.pdf").unlink(missing_ok=True),
            # SoftHSM 2.6 crashes in C_CloseAllSessions when NSS shuts down (exit 139) after the
            # signature is written: a run counts when the signed file is there and valid.
            succeeded=lambda run: _signed(out / "pdfsig.pdf", env),
        )
    finally:
        if owned:
            env.pki.stop()
    result = {"kyso": kyso, "pyhanko": pyhanko, "pdfsig": pdfsig}
    print(f"one one-page document, whole process, median of {args.rounds}")
    for name, run in (("kyso", kyso), ("pyhanko CLI", pyhanko), ("pdfsig", pdfsig)):
        print(f"  {name:12s} {run.seconds * 1000:7.0f} ms  ({run.seconds / pdfsig.seconds:4.1f}x pdfsig)"
              f"  peak {run.peak_mib:6.1f} MiB")
    return result


if __name__ == "__main__":
    main()
