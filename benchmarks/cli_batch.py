"""Benchmark — `kyso sign` of a stack of one-page documents, whole command, catalogue check included.

Side by side in one run, on the same token and copies of the same files:
  * `kyso sign FILE…` as a user types it (a fresh process: imports, catalogue, preflight and
    recognition of every file, certificate check, one login, signing with the view check,
    audit log, output fsynced and renamed) — wall time from start to exit;
  * the engine alone (a SignJob without the catalogue check, the loop after login: the figure
    of section 1);
  * pyhanko's plain loop (PKCS11Signer + signers.sign_pdf, its defaults, in-process after login);
  * preflight alone, in-process, per document (inspection, recognition, plan).

    .venv/bin/python -m benchmarks.cli_batch [--count 400] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from benchmarks.batch_signing import kyso_round, pyhanko_round
from benchmarks.env import TOKEN, BenchEnv, environment
from benchmarks.procs import measure


def sign_command(env: BenchEnv, docs, out) -> list[str]:
    """`kyso sign` as a member of staff runs it on a stack: the type is recognised from each
    document, the signature placed where its plan says, the level below the catalogue's accepted."""
    return [sys.executable, "-m", "app.cli.main", "sign", *map(str, docs), "--out", str(out),
            "--module", env.hsm.module, "--token", TOKEN, "--key-id", "01", "--pin-stdin",
            "--trust", str(env.trust_dir), "--role", "vien-truong",
            "--image", str(env.signature_image), "--level", "B-B", "--accept-warnings"]


def whole_command(env: BenchEnv, count: int, round_no: int) -> tuple[float, float]:
    docs = env.documents(count, f"cli-in-{round_no}")
    out = env.work / f"cli-out-{round_no}"
    out.mkdir()
    run = measure(sign_command(env, docs, out), env=env.env, stdin=env.pin + "\n")
    signed = len(list(out.glob("*.pdf")))
    if run.returncode != 0 or signed != count:
        raise RuntimeError(f"kyso sign failed ({run.returncode}, {signed} of {count}): "
                           f"{run.stdout[-800:]} {run.stderr[-800:]}")
    return count / run.seconds, run.peak_mib


def preflight_alone(env: BenchEnv, count: int) -> float:
    """Milliseconds of kyso's own time per one-page document: inspection, recognition, plan."""
    from app.catalogue import load_catalogue
    from app.preflight import run_preflight

    catalogue = load_catalogue().catalogue
    docs = env.documents(count, "preflight-in")
    run_preflight(docs[0], catalogue=catalogue, role="vien-truong")  # imports, first font load
    start = time.perf_counter()
    for path in docs:
        result = run_preflight(path, catalogue=catalogue, role="vien-truong", requested_kind="personal")
        assert result.recognition.confidence == "high" and result.plan is not None, result.findings
    return (time.perf_counter() - start) / count * 1000


def _load() -> float:
    """Share of the machine other processes used over the last minute (1-min load / cores)."""
    return os.getloadavg()[0] / (os.cpu_count() or 1)


def main(argv=None, env: BenchEnv | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    load_before = _load()
    with environment(env) as bench:
        whole, engine, peer, peaks = [], [], [], []
        for r in range(args.rounds):  # interleaved, so a burst of load hits every signer alike
            rate, peak = whole_command(bench, args.count, r)
            whole.append(rate)
            peaks.append(peak)
            engine.append(kyso_round(bench, args.count, 100 + r))
            peer.append(pyhanko_round(bench, args.count, 100 + r))
        preflight_ms = preflight_alone(bench, min(args.count, 200))
    result = {"count": args.count, "whole": statistics.median(whole), "whole_rounds": whole,
              "peak_mib": max(peaks), "engine": statistics.median(engine), "engine_rounds": engine,
              "pyhanko": statistics.median(peer), "pyhanko_rounds": peer, "preflight_ms": preflight_ms,
              "load": (load_before + _load()) / 2}
    print(f"{args.count} one-page PDFs, RSA-2048 on SoftHSM2 (median of {args.rounds}); "
          f"machine load {result['load']:.2f} per core")
    print(f"  kyso sign, whole command  {result['whole']:7.1f} docs/s   rounds {[f'{v:.1f}' for v in whole]}"
          f"  peak {result['peak_mib']:.0f} MiB")
    print(f"  kyso engine (SignJob)     {result['engine']:7.1f} docs/s   rounds {[f'{v:.1f}' for v in engine]}")
    print(f"  pyhanko plain loop        {result['pyhanko']:7.1f} docs/s   rounds {[f'{v:.1f}' for v in peer]}")
    print(f"  preflight alone           {preflight_ms:7.2f} ms per document")
    return result


if __name__ == "__main__":
    main()


def run(quick: bool) -> str:
    """The section of docs/performance.md (benchmarks.run_all --only cli_batch)."""
    result = main(["--count", "50", "--rounds", "1"] if quick else [])
    r = result
    goal = "met" if r["whole"] >= 150 else "not met"
    return f"""## 1b. `kyso sign` of {r['count']} one-page documents — whole command, catalogue check included

`kyso sign FILE…` as a member of staff types it: a fresh process (imports, catalogue, preflight
and type recognition of every file, certificate check, one login, signing with the view check,
audit log, each output fsynced and renamed), the type recognised from each document, the
signature placed by its plan, B-B accepted below the catalogue's level. Wall time from start to
exit; the engine (a SignJob without catalogue, the loop after login) and pyhanko's plain loop
(in-process after login, no fsync) on the same token and copies of the same file, rounds
interleaved; the first round starts from a fresh KYSO_HOME (the audit log is created then).
Machine load meanwhile: **{r['load']:.1f} runnable processes per core** (other
helpers' builds and tests share the 2 cores; at load above 1 every figure here shrinks alike).

| | documents/s | rounds |
|---|---:|---|
| `kyso sign`, whole command (start to exit, peak {r['peak_mib']:.0f} MiB) | **{r['whole']:.1f}** | {', '.join(f'{v:.1f}' for v in r['whole_rounds'])} |
| kyso engine (SignJob, loop after login) | {r['engine']:.1f} | {', '.join(f'{v:.1f}' for v in r['engine_rounds'])} |
| pyhanko, plain loop with its defaults (in-process, after login) | {r['pyhanko']:.1f} | {', '.join(f'{v:.1f}' for v in r['pyhanko_rounds'])} |
| preflight alone, per one-page document (wall) | {r['preflight_ms']:.1f} ms | — |

Goal ≥ 150 documents/s for the whole command: **{goal}** ({r['whole'] / r['pyhanko']:.1f}× pyhanko's
in-process loop, which has no catalogue check, no view check, no audit log and no fsync).
"""
