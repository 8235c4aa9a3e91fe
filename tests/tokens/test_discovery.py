"""Discovery: configured modules first, then known ones; each failure reported, others still work."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from app.module_choice import pick_module
from tokens import ModuleOptions, TokenError, TokenErrorCode
from tokens.binary import process_bits
from tokens.discovery import discover, load_candidates
from tokens.registry import ModuleRegistry

pytestmark = pytest.mark.hsm

NOT_PKCS11 = next(p for p in ("/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1",
                               "/lib64/libz.so.1") if Path(p).exists())


def _wrong_arch(tmp_path) -> Path:
    header = bytearray(0x100)
    header[:2] = b"MZ"
    struct.pack_into("<I", header, 0x3C, 0x80)
    header[0x80:0x84] = b"PE\0\0"
    struct.pack_into("<H", header, 0x84, 0x014C if process_bits() == 64 else 0x8664)
    path = tmp_path / "vnptca_p11_v8.dll"
    path.write_bytes(bytes(header))
    return path


def test_every_module_gets_a_status_and_failures_do_not_stop_the_others(hsm, tmp_path):
    configured = [str(tmp_path / "khong-co.so"), str(_wrong_arch(tmp_path)), NOT_PKCS11, hsm.module]
    candidates = load_candidates(discover(configured=configured))
    by_path = {c.path: c for c in candidates}
    assert [c.path for c in candidates[:4]] == configured  # configured ones first, in order
    assert by_path[configured[0]].status == "missing"
    wrong = by_path[configured[1]]
    assert wrong.status == "wrong_architecture"
    assert wrong.error.code is TokenErrorCode.MODULE_WRONG_ARCHITECTURE
    assert wrong.entry is not None and wrong.entry.issuer == "VNPT-CA"  # known by its file name
    failed = by_path[NOT_PKCS11]
    assert failed.status == "failed" and failed.error.code is TokenErrorCode.MODULE_LOAD_FAILED
    assert failed.error.params["reason"]
    assert by_path[hsm.module].status == "loaded"
    assert by_path[hsm.module].entry.id == "softhsm2"


def test_known_modules_present_are_found(hsm):
    known = [c for c in discover() if c.source == "known"]
    assert any(Path(c.path).name == "libsofthsm2.so" for c in known)
    assert all(c.entry is not None for c in known)


def test_environment_variable_counts_as_configured(hsm, monkeypatch):
    monkeypatch.setenv("KYSO_PKCS11_MODULE", hsm.module)
    first = discover()[0]
    assert (first.path, first.source) == (hsm.module, "environment")


def test_signing_picks_the_first_module_with_the_token(hsm):
    module, options = pick_module(None, "KYSO-EC", ModuleOptions())
    assert module.path.endswith("libsofthsm2.so")
    assert not options.login_before_search
    with pytest.raises(TokenError) as caught:
        pick_module(None, "KHONG-CO", ModuleOptions())
    assert caught.value.code is TokenErrorCode.NO_TOKEN


def test_registry_lists_the_softhsm_entry():
    assert ModuleRegistry.load().entry_for("libsofthsm2.so").id == "softhsm2"
