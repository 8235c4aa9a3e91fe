"""Benchmark 1 — a batch of one-page PDFs, B-B, RSA-2048 on SoftHSM2, one login.

Side by side in one run, on the same token and the same files:
  * kyso: a SignJob (the path `kyso sign` takes), output fsynced and renamed into place;
  * pyhanko: a plain loop with pyhanko's defaults (PKCS11Signer, signers.sign_pdf) writing
    each output file (without fsync, as pyhanko's CLI does).
Documents per second are measured over the signing loop only (after login and set-up), as the
median of several rounds.

    .venv/bin/python -m benchmarks.batch_signing [--count 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarks.env import KEY_ID, TOKEN, BenchEnv, build_env


def kyso_round(env: BenchEnv, count: int, round_no: int) -> float:
    from app.signing_job import SignJob, SignRequest
    from signing.engine import SignOptions
    from tests.support.signing import AcceptAll, FixedPin

    docs = env.documents(count, f"kyso-in-{round_no}")
    out = env.work / f"kyso-out-{round_no}"
    out.mkdir()
    marks: list[float] = []
    request = SignRequest(files=tuple(docs), module_path=env.hsm.module, options=SignOptions(),
                          out_dir=out, token_label=TOKEN, key_id=KEY_ID, trust_dirs=(env.trust_dir,))
    job = SignJob(request, prompter=FixedPin(env.pin), acceptor=AcceptAll(),
                  progress=lambda done, total, path: marks.append(time.perf_counter()))
    report = job.run()
    assert report.all_ok, [o.error_code for o in report.outcomes]
    return count / (marks[-1] - marks[0])


def pyhanko_round(env: BenchEnv, count: int, round_no: int) -> float:
    import pkcs11
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import pkcs11 as pyhanko_pkcs11
    from pyhanko.sign import signers

    from tokens.module import load_module

    docs = env.documents(count, f"pyhanko-in-{round_no}")
    out = env.work / f"pyhanko-out-{round_no}"
    out.mkdir()
    module = load_module(env.hsm.module)  # pyhanko on kyso's loaded module (one dlopen per process)

    def run(lib):
        session = lib.get_token(token_label=TOKEN).open(user_pin=env.pin)
        signer = pyhanko_pkcs11.PKCS11Signer(session, key_id=KEY_ID, cert_id=KEY_ID)
        meta = signers.PdfSignatureMetadata(field_name="Signature1")
        start = time.perf_counter()
        for path in docs:
            with open(path, "rb") as inp, open(out / path.name, "wb") as output:
                signers.sign_pdf(IncrementalPdfFileWriter(inp), meta, signer=signer, output=output)
        elapsed = time.perf_counter() - start
        session.close()
        return elapsed

    del pkcs11
    return count / module.call(run)


def main(argv=None, env: BenchEnv | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    owned = env is None
    env = env or build_env()
    try:
        kyso = [kyso_round(env, args.count, r) for r in range(args.rounds)]
        peer = [pyhanko_round(env, args.count, r) for r in range(args.rounds)]
    finally:
        if owned:
            env.pki.stop()
    result = {
        "count": args.count,
        "kyso_docs_per_s": statistics.median(kyso),
        "pyhanko_docs_per_s": statistics.median(peer),
        "kyso_rounds": kyso,
        "pyhanko_rounds": peer,
    }
    print(f"batch of {args.count} one-page PDFs, B-B, RSA-2048 on SoftHSM2 (median of {args.rounds})")
    print(f"  kyso     {result['kyso_docs_per_s']:8.1f} docs/s   rounds {[f'{v:.1f}' for v in kyso]}")
    print(f"  pyhanko  {result['pyhanko_docs_per_s']:8.1f} docs/s   rounds {[f'{v:.1f}' for v in peer]}")
    return result


if __name__ == "__main__":
    main()
