"""Fuzz: seeded mutations of signed and unsigned documents (tests/support/mutations.py) through
the whole commands a user runs. Every file gets a verdict or a typed error naming what is wrong,
within the command's time bound: never APP_INTERNAL, never a hang, never a modified input."""

from __future__ import annotations

import hashlib
import os
import json

import pytest

from tests.support.mutations import mutate

pytestmark = [pytest.mark.hsm, pytest.mark.pki]

_BASES = ("b-b", "b-lt", "b-lta", "two-signatures", "cert-p2-form-filled")
_PER_BASE = int(os.environ.get("KYSO_FUZZ_PER_BASE", "12"))  # 60 files: seconds per command, one process each


@pytest.fixture(scope="module")
def mutated(corpus, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    files = []
    for base in _BASES:
        data = corpus[base].read_bytes()
        for seed in range(_PER_BASE):
            path = folder / f"{base}-{seed:03d}.pdf"
            path.write_bytes(mutate(data, seed * 7919 + len(base)))
            files.append(path)
    return files


def _digests(files):
    return {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in files}


def _no_internal(result, files):
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    report = json.loads(result.stdout)
    internal = [f["file"] for f in report["files"] if f.get("error", {}).get("code") == "APP_INTERNAL"]
    assert internal == [], internal
    assert len(report["files"]) == len(files)
    return report


def test_verify_gives_every_mutated_file_a_verdict_or_a_typed_error(run_kyso, mutated, trust_dir):
    before = _digests(mutated)
    result = run_kyso("verify", "--json", "--offline", "--trust", str(trust_dir), *map(str, mutated), timeout=600)
    report = _no_internal(result, mutated)
    if os.environ.get("KYSO_FUZZ_DUMP"):
        open(os.environ["KYSO_FUZZ_DUMP"], "w").write(result.stdout)
    assert _digests(mutated) == before
    verdicts = {f.get("verdict") for f in report["files"]} - {None}
    assert verdicts  # most mutated files still parse: the test exercises the verifier, not only the parser


def test_check_gives_every_mutated_file_an_answer(run_kyso, mutated):
    before = _digests(mutated)
    result = run_kyso("check", "--json", *map(str, mutated), timeout=600)
    _no_internal(result, mutated)
    assert _digests(mutated) == before


def test_sign_answers_every_mutated_file(run_kyso, hsm, trust_dir, corpus, tmp_path):
    """Signing mutated unsigned and signed documents: a signed copy or a typed refusal each."""
    files = []
    for base in ("b-b", "cert-p2"):
        data = corpus[base].read_bytes()
        for seed in range(8):
            path = tmp_path / f"ky-{base}-{seed}.pdf"
            path.write_bytes(mutate(data, 104729 * seed + 3))
            files.append(path)
    before = _digests(files)
    result = run_kyso("sign", *map(str, files), "--module", hsm.module, "--token", "KYSO-RSA",
                      "--key-id", hsm.key_id("signer-rsa2048").hex(), "--pin-stdin", "--trust", str(trust_dir),
                      "--kind", "invisible", "--level", "B-B", "--accept-warnings", "--json",
                      pin=hsm.pin, timeout=600)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    report = json.loads(result.stdout)
    internal = [f["input"] for f in report["files"] if (f.get("error") or {}).get("code") == "APP_INTERNAL"]
    assert internal == [] and len(report["files"]) == len(files)
    assert _digests(files) == before
