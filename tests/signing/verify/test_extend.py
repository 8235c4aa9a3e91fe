"""Keeping signatures valid: B-B → B-LT → B-LTA → renewed B-LTA with `kyso extend`, every earlier
signature still valid for kyso, pyhanko and pdfsig; a signature whose revocation data cannot be
had is a typed refusal, and nothing is written."""

from __future__ import annotations

import asyncio
import json

import pytest

from signing.levels import PadesLevel
from signing.trust import TrustStore
from signing.verify import DocumentVerdict, verify_document
from tests.support.validators import pdfsig, pyhanko_validate

pytestmark = [pytest.mark.hsm, pytest.mark.pki]


def _verify(path, trust_dir):
    return asyncio.run(verify_document(path, trust=TrustStore.load(extra_dirs=[trust_dir])))


def _extend(run_kyso, pki, trust_dir, path, level, out_dir):
    result = run_kyso("extend", str(path), "--level", level, "--tsa", pki.tsa_url, "--trust", str(trust_dir),
                      "--out-dir", str(out_dir), "--json")
    return result, json.loads(result.stdout)


def test_b_b_to_b_lt_to_b_lta_and_renewed(run_kyso, pki, trust_dir, nss, corpus, tmp_path):
    source = tmp_path / "quyet-dinh.pdf"
    source.write_bytes(corpus["two-signatures"].read_bytes())  # B-T + B-T, two signers
    steps = [("B-LT", PadesLevel.B_LT), ("B-LTA", PadesLevel.B_LTA), ("B-LTA", PadesLevel.B_LTA)]
    current = source
    for index, (level, expected) in enumerate(steps):
        out = tmp_path / f"buoc-{index}"
        out.mkdir()
        result, report = _extend(run_kyso, pki, trust_dir, current, level, out)
        assert result.returncode == 0, result.stdout + result.stderr
        (entry,) = report["files"]
        assert entry["signatures"] >= 2 and entry["renewed"] is (index == 2)
        extended = out / "quyet-dinh.gia-han.pdf" if index == 0 else out / f"{current.stem}.gia-han.pdf"
        assert extended.read_bytes().startswith(current.read_bytes())  # an incremental update only
        verified = _verify(extended, trust_dir)
        assert verified.verdict is DocumentVerdict.VALID, [(s.field_name, s.problems, s.unpermitted_changes) for s in verified.signatures]
        regular = [s for s in verified.signatures if not s.document_timestamp]
        assert [s.level for s in regular] == [expected, expected]
        assert all(s.intact and s.valid for s in pyhanko_validate(extended, pki.cert_der("root")))
        views = [v for v in pdfsig(extended, nss) if v.signer]
        assert all(v.validation in ("Signature is Valid.", "Signature has not yet been verified.") for v in views)
        current = extended


def test_no_revocation_data_is_a_typed_refusal_and_nothing_is_written(run_kyso, pki, trust_dir, corpus, tmp_path):
    result, report = _extend(run_kyso, pki, trust_dir, corpus["b-b-norev"], "B-LT", tmp_path)
    assert result.returncode == 2
    assert report["files"][0]["error"]["code"] == "SIGN_REVINFO_UNAVAILABLE"
    assert list(tmp_path.glob("*.pdf")) == []


def test_each_extension_is_recorded_with_its_own_event(run_kyso, pki, trust_dir, corpus, tmp_path, kyso_home):
    """`document.extended`: levels before and after per signature, every earlier signature kept,
    the output's SHA-256 — and a refused file gets the same type with its error (docs/audit.md)."""
    import hashlib

    from tests.app.audit.test_recording import logged

    source = tmp_path / "quyet-dinh.pdf"
    source.write_bytes(corpus["two-signatures"].read_bytes())
    out = tmp_path / "ra"
    out.mkdir()
    result, report = _extend(run_kyso, pki, trust_dir, source, "B-LTA", out)
    assert result.returncode == 0, result.stdout + result.stderr
    refused, _ = _extend(run_kyso, pki, trust_dir, corpus["b-b-norev"], "B-LT", tmp_path)
    assert refused.returncode == 2
    events = [e for e in logged(kyso_home) if e.type == "document.extended"]
    assert len(events) == 2
    done, failed = events
    output = out / "quyet-dinh.gia-han.pdf"
    assert done.data["outcome"] == "ok" and done.data["document"] == "quyet-dinh.pdf"
    assert done.data["output"] == str(output) and done.data["level"] == "B-LTA"
    assert done.data["output_sha256"] == hashlib.sha256(output.read_bytes()).hexdigest() == report["files"][0]["output_sha256"]
    assert done.data["input_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert done.data["output_size"] == output.stat().st_size
    assert done.data["signatures_kept"] is True
    assert (done.data["signatures_before"], done.data["signatures_after"]) == (2, 3)
    signed = [s for s in done.data["signatures"] if not s["document_timestamp"]]
    assert [(s["level_before"], s["level_after"], s["verdict_after"]) for s in signed] == [("B-T", "B-LTA", "valid")] * 2
    (stamp,) = [s for s in done.data["signatures"] if s["document_timestamp"]]
    assert stamp["new"] is True and stamp["level_before"] is None
    assert failed.data["outcome"] == "failed" and failed.data["error_code"] == "SIGN_REVINFO_UNAVAILABLE"
    assert failed.data["document"] == corpus["b-b-norev"].name and failed.data["output"] is None
