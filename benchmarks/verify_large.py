"""Benchmark — verifying one large signed PDF (500 MB of incompressible page images), whole
command, beside its peers, in one run (issue 14: ≤ 0.6× pdfsig's time, ≤ 100 MiB peak).

The file is signed by kyso (B-B, SoftHSM2 token, test PKI). Then, each the whole process:
`kyso verify --offline --json FILE` (structure, hash of the signed ranges, CMS, chain to the test
root, revisions classified, the audit event), `pdfsig -nocert FILE` (poppler: the signed bytes
only, no certificate check) and `pyhanko sign validate --trust root FILE` (pyhanko's CLI: CMS,
chain, its difference analysis; revocation fetched from the test PKI).

    flock /tmp/kyso-bench.lock .venv/bin/python -m benchmarks.verify_large [--megabytes 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from benchmarks.env import TOKEN, build_env
from benchmarks.large_pdf import write_large_pdf
from benchmarks.procs import median_run


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    env = build_env()
    try:
        source = env.work / "lon.pdf"
        write_large_pdf(source, target_bytes=args.megabytes * 1024 * 1024)
        out = env.work / "ky"
        out.mkdir()
        median_run([sys.executable, "-m", "app.cli.main", "sign", str(source), "--module", env.hsm.module,
                    "--token", TOKEN, "--key-id", "01", "--pin-stdin", "--trust", str(env.trust_dir),
                    "--out", str(out), "--kind", "invisible", "--type", "Quyết định", "--role", "vien-truong", "--level", "B-B",
                    "--accept-warnings"], env=env.env, stdin=env.pin + "\n", rounds=1)
        (signed,) = sorted(out.glob("*.pdf"))
        source.unlink()  # the page cache holds one 500 MB file, not two
        size = signed.stat().st_size
        root = env.work / "root.der"
        root.write_bytes(env.pki.cert_der("root"))
        pyhanko_cli = str(Path(sys.executable).with_name("pyhanko"))
        kyso = median_run([sys.executable, "-m", "app.cli.main", "verify", "--offline", "--json", "--trust",
                           str(env.trust_dir), str(signed)], env=env.env, rounds=args.rounds,
                          succeeded=lambda run: run.returncode in (0, 1) and '"APP_INTERNAL"' not in run.stdout)
        pdfsig = median_run(["pdfsig", "-nocert", str(signed)], env=env.env, rounds=args.rounds)
        pyhanko = median_run([pyhanko_cli, "sign", "validate", "--trust", str(root), "--trust-replace",
                              "--soft-revocation-check", str(signed)], env=env.env, rounds=args.rounds,
                             succeeded=lambda run: run.returncode in (0, 1))
    finally:
        env.pki.stop()
    load_after = os.getloadavg()
    ratio = kyso.seconds / pdfsig.seconds
    print(f"verify one signed PDF of {size / 1e6:.0f} MB, whole command, median of {args.rounds} "
          f"(load {load_before[0]:.1f} → {load_after[0]:.1f})")
    for name, run in (("kyso verify", kyso), ("pdfsig -nocert", pdfsig), ("pyhanko validate", pyhanko)):
        print(f"  {name:17s} {run.seconds:6.2f} s  peak {run.peak_mib:7.1f} MiB")
    print(f"  kyso / pdfsig = {ratio:.2f} (goal ≤ 0.6), kyso peak {kyso.peak_mib:.1f} MiB (goal ≤ 100)")
    return {"size": size, "kyso": kyso, "pdfsig": pdfsig, "pyhanko": pyhanko, "ratio": ratio,
            "load": (load_before[0], load_after[0])}


if __name__ == "__main__":
    main()


def run(quick: bool) -> str:
    """Section 12 of docs/performance.md (benchmarks/run_all.py)."""
    megabytes = 50 if quick else 500
    result = main(["--megabytes", str(megabytes), "--rounds", "1" if quick else "3"])
    kyso, pdfsig, pyhanko = result["kyso"], result["pdfsig"], result["pyhanko"]
    ratio = result["ratio"]
    return f"""## 12. Verifying one large signed file — {result['size'] / 1e6:.0f} MB (issue 14)

`flock /tmp/kyso-bench.lock .venv/bin/python -m benchmarks.verify_large` (a PDF of incompressible
page images signed by kyso at B-B, then each whole command, median of {'1' if quick else '3'}, peak RSS; load
average {result['load'][0]:.1f} → {result['load'][1]:.1f}, 2 cores):

| whole command | time | peak memory |
|---|---:|---:|
| `kyso verify --offline --json FILE` (structure, signed ranges hashed, CMS, chain, revisions, audit event) | **{kyso.seconds:.2f} s** | **{kyso.peak_mib:.1f} MiB** |
| `pdfsig -nocert FILE` (signed bytes only) | {pdfsig.seconds:.2f} s | {pdfsig.peak_mib:.1f} MiB |
| `pyhanko sign validate --trust root FILE` | {pyhanko.seconds:.2f} s | {pyhanko.peak_mib:.1f} MiB |

kyso / pdfsig = **{ratio:.2f}** — goal ≤ 0.6: **{'met' if ratio <= 0.6 else 'not met'}**; peak ≤ 100 MiB:
**{'met' if kyso.peak_mib <= 100 else 'not met'}**.
"""
