"""`kyso tokens`, `--watch` and `--diagnose` as an administrator runs them."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys

import pytest

from tokens.binary import process_bits

pytestmark = pytest.mark.hsm


def test_listing_names_the_ca_from_the_chain(run_kyso, hsm):
    result = run_kyso("tokens", "--module", hsm.module, "--json")
    assert result.returncode == 0, result.stderr
    modules = json.loads(result.stdout)["modules"]
    assert [m["path"] for m in modules] == [hsm.module]
    tokens = {token["label"]: token for token in modules[0]["tokens"]}
    cert = next(c for c in tokens["KYSO-EC"]["certificates"] if not c["is_ca"])
    assert cert["issuer_ca"] == "Kyso Test PKI"  # from the certificate, never "SoftHSM project"
    assert tokens["KYSO-RSA"]["pin_length"] == {"min": 4, "max": 255}


def test_diagnose_reports_each_module_and_why(run_kyso, hsm, tmp_path):
    header = bytearray(0x100)
    header[:2] = b"MZ"
    struct.pack_into("<I", header, 0x3C, 0x80)
    header[0x80:0x84] = b"PE\0\0"
    struct.pack_into("<H", header, 0x84, 0x014C if process_bits() == 64 else 0x8664)
    dll = tmp_path / "fptca_v4.dll"
    dll.write_bytes(bytes(header))
    result = run_kyso("tokens", "--diagnose", "--module", str(dll), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["system"]["process_bits"] == process_bits()
    by_path = {m["path"]: m for m in report["modules"]}
    assert by_path[str(dll)]["status"] == "wrong_architecture"
    assert by_path[str(dll)]["error"]["code"] == "TOKEN_MODULE_WRONG_ARCHITECTURE"
    assert by_path[str(dll)]["issuer"] == "FPT-CA"
    softhsm = next(m for m in report["modules"] if m["path"].endswith("libsofthsm2.so"))
    rsa = next(t for t in softhsm["tokens"] if t["label"] == "KYSO-RSA")
    assert "CKM_SHA256_RSA_PKCS" in rsa["mechanism_names"]
    assert any(m["status"] == "missing" for m in report["modules"])  # every place looked at is listed
    human = run_kyso("tokens", "--diagnose", "--module", str(dll))
    assert "FPT" in human.stdout and "32" in human.stdout


def test_watch_prints_a_pulled_token(hsm, kyso_home):
    env = {**os.environ, **hsm.env, "KYSO_HOME": str(kyso_home)}
    watch = subprocess.Popen([sys.executable, "-m", "app.cli.main", "tokens", "--module", hsm.module, "--watch",
                              "--watch-seconds", "60", "--json"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        seen = []
        while not any(e["label"] == "KYSO-PULL-3" for e in seen):
            seen.append(json.loads(watch.stdout.readline()))
        assert all(e["event"] == "inserted" for e in seen)  # what is there at the start
        shutil.rmtree(hsm.softhsm.token_dir("KYSO-PULL-3"))
        event = json.loads(watch.stdout.readline())  # blocks until the watcher prints something
        while event["event"] == "inserted":  # the rest of what was there at the start
            event = json.loads(watch.stdout.readline())
        assert (event["event"], event["label"]) == ("removed", "KYSO-PULL-3")
    finally:
        watch.terminate()
        watch.wait(timeout=30)
