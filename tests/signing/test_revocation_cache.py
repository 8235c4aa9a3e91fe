"""Fresh OCSP responses and CRLs are reused; stale or damaged ones are dropped."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from signing.certcheck import RevocationStatus, check_signer_certificate
from signing.clock import now_vietnam
from signing.revocation_cache import RevocationCache
from signing.trust import TrustStore

pytestmark = pytest.mark.pki


def _check(pki, trust_dir, cache, label="signer-rsa2048"):
    return asyncio.run(check_signer_certificate(
        certificate=pki.cert_der(label), chain=[pki.cert_der("interm")],
        trust=TrustStore.load(extra_dirs=[trust_dir]), moment=now_vietnam(),
        key_bits=2048, key_type="rsa", cache=cache,
    ))


def test_evidence_is_stored_and_offered_while_fresh(pki, trust_dir, tmp_path):
    cache = RevocationCache(tmp_path / "cache")
    first = _check(pki, trust_dir, cache)
    assert first.revocation is RevocationStatus.GOOD
    assert first.ocsps and first.crls
    stored = sorted(p.parent.name for p in (tmp_path / "cache").rglob("*.der"))
    assert "ocsp" in stored and "crl" in stored
    ocsps, crls = cache.load()
    assert {c.dump() for c in crls} >= {c.dump() for c in first.crls}
    later = datetime.now(UTC) + timedelta(minutes=11)
    stale_ocsps, _ = cache.load(now=later)
    assert stale_ocsps == []  # an OCSP answer older than ten minutes is not reused
    assert list((tmp_path / "cache" / "ocsp").glob("*.der")) == []


def test_cached_revoked_status_still_refuses(pki, trust_dir, tmp_path):
    cache = RevocationCache(tmp_path / "cache")
    assert _check(pki, trust_dir, cache, "signer-revoked").revocation is RevocationStatus.REVOKED
    assert _check(pki, trust_dir, cache, "signer-revoked").revocation is RevocationStatus.REVOKED


def test_damaged_cache_files_are_ignored(pki, trust_dir, tmp_path):
    folder = tmp_path / "cache" / "crl"
    folder.mkdir(parents=True)
    (folder / "rac.der").write_bytes(b"\x30\x03rac")
    cache = RevocationCache(tmp_path / "cache")
    assert cache.load() == ([], [])
    assert _check(pki, trust_dir, cache).revocation is RevocationStatus.GOOD


def test_reused_items_are_not_renewed(pki, trust_dir, tmp_path):
    import os
    import time

    cache = RevocationCache(tmp_path / "cache")
    _check(pki, trust_dir, cache)
    crl_files = list((tmp_path / "cache" / "crl").glob("*.der"))
    old = time.time() - 23 * 3600
    for path in crl_files:
        os.utime(path, (old, old))
    _check(pki, trust_dir, cache)
    assert all(abs(path.stat().st_mtime - old) < 1 for path in crl_files if path.exists())
