"""Benchmark — verifying a folder of signed one-page documents, whole command, beside its peers.

Side by side in one run, on the same 200 documents kyso signed (B-B, SoftHSM2 token, test PKI):
`kyso verify --offline DIR` (one process: structure, cryptography, chain to the test root,
revocation from the file only, each later revision classified), `pdfsig -nocert` once per file
(poppler checks the signed bytes; its certificate check needs an NSS trust database, left out),
and pyhanko's plain validation loop in one Python process (`validate_pdf_signature` with the
test root, no difference analysis beyond pyhanko's own). Goal (issue 14): ≥ 50 documents/s.

    flock /tmp/kyso-bench.lock .venv/bin/python -m benchmarks.verify_batch [--count 200]
"""

from __future__ import annotations

import argparse
import sys

from benchmarks.env import TOKEN, build_env
from benchmarks.procs import median_run

_PYHANKO_LOOP = """
import sys, pathlib
from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
root = x509.Certificate.load(pathlib.Path(sys.argv[2]).read_bytes())
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.pdf")):
    with open(path, "rb") as f:
        for sig in PdfFileReader(f, strict=False).embedded_signatures:
            validate_pdf_signature(sig, ValidationContext(trust_roots=[root], allow_fetching=False))
"""


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    env = build_env()
    try:
        sources = env.documents(args.count, "xac-minh-goc")
        signed = env.work / "xac-minh"
        signed.mkdir()
        median_run([sys.executable, "-m", "app.cli.main", "sign", *map(str, sources), "--module", env.hsm.module,
                    "--token", TOKEN, "--key-id", "01", "--pin-stdin", "--trust", str(env.trust_dir),
                    "--out", str(signed), "--kind", "invisible", "--role", "vien-truong",
                    "--level", "B-B", "--accept-warnings"], env=env.env, stdin=env.pin + "\n", rounds=1)
        files = sorted(signed.glob("*.pdf"))
        assert len(files) == args.count, len(files)
        kyso = median_run([sys.executable, "-m", "app.cli.main", "verify", "--offline", "--json", "--trust",
                           str(env.trust_dir), str(signed)], env=env.env, rounds=args.rounds,
                          succeeded=lambda run: run.returncode in (0, 1) and '"APP_INTERNAL"' not in run.stdout)
        pdfsig = median_run(["sh", "-c", 'for f in "$0"/*.pdf; do pdfsig -nocert "$f" >/dev/null || exit 1; done',
                             str(signed)], env=env.env, rounds=args.rounds)
        root = env.work / "root.der"
        root.write_bytes(env.pki.cert_der("root"))
        pyhanko = median_run([sys.executable, "-c", _PYHANKO_LOOP, str(signed), str(root)], env=env.env,
                             rounds=args.rounds)
    finally:
        env.pki.stop()
    print(f"verify {args.count} signed one-page documents, whole command, median of {args.rounds}")
    for name, run in (("kyso verify DIR", kyso), ("pdfsig per file", pdfsig), ("pyhanko loop", pyhanko)):
        print(f"  {name:16s} {run.seconds:6.2f} s  {args.count / run.seconds:6.1f} documents/s"
              f"  peak {run.peak_mib:6.1f} MiB")
    return {"kyso": kyso, "pdfsig": pdfsig, "pyhanko": pyhanko}


if __name__ == "__main__":
    main()
