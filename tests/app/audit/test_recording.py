"""What kyso records, seen in the log of real `kyso` processes (SoftHSM token, test PKI)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.audit.opening import default_log_path
from app.audit.query import AuditFilter, AuditReader
from app.audit.verify import verify_log
from tests.support.documents import decree30_pdf, encrypted_pdf

pytestmark = [pytest.mark.hsm, pytest.mark.pki]


def sign_args(hsm, trust_dir, *files, key="signer-rsa2048"):
    return ("sign", *map(str, files), "--module", hsm.module, "--token", "KYSO-RSA",
            "--key-id", hsm.key_id(key).hex(), "--pin-stdin", "--trust", str(trust_dir),
            "--kind", "invisible", "--role", "vien-truong", "--level", "B-B", "--accept-warnings")


def logged(kyso_home: Path):
    path = kyso_home / "audit" / "audit.sqlite3"
    assert verify_log(path).ok
    with AuditReader(path) as reader:
        return list(reader.events(AuditFilter()))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_signing_batch_is_recorded_in_order(run_kyso, hsm, trust_dir, tmp_path, document, kyso_home):
    broken = encrypted_pdf(document, tmp_path / "bi-ma-hoa.pdf")
    result = run_kyso(*sign_args(hsm, trust_dir, document, broken), "--json", pin=hsm.pin)
    assert result.returncode == 1, result.stderr
    events = logged(kyso_home)
    types = [event.type for event in events]
    assert types == ["app.started", "catalogue.loaded", "document.opened", "preflight.done", "document.opened",
                     "preflight.done", "sign.requested", "sign.succeeded", "sign.refused", "app.stopped"]
    opened = events[2]
    assert opened.data["sha256"] == sha256(document) and opened.data["size"] == document.stat().st_size
    requested, succeeded, refused = events[6], events[7], events[8]
    output = Path(json.loads(result.stdout)["files"][0]["output"])
    assert requested.data["request_id"] == succeeded.data["request_id"]
    assert requested.data["certificate"]["sha256"] == succeeded.data["certificate"]["sha256"]
    assert succeeded.data["input_sha256"] == sha256(document)
    assert succeeded.data["output_sha256"] == sha256(output) and succeeded.data["output"] == str(output)
    assert succeeded.data["token"]["label"] == "KYSO-RSA" and succeeded.data["token"]["serial"]
    assert succeeded.data["level"] == "B-B" and succeeded.data["kind"] == "invisible"
    assert "CN=" in succeeded.data["certificate"]["subject"] or succeeded.data["certificate"]["subject"]
    assert succeeded.outcome == "ok" and succeeded.document == document.name
    assert refused.data["error_code"] == "PREFLIGHT_PASSWORD_REQUIRED" and refused.outcome == "refused"
    assert events[0].data["trust_list_version"] and events[0].data["catalogue_version"]
    assert events[-1].data["exit_code"] == 1
    assert all(event.at_utc.endswith("Z") and event.os_user for event in events)


def test_wrong_pin_is_recorded_and_the_pin_is_nowhere_in_the_log(run_kyso, hsm, trust_dir, document, kyso_home):
    result = run_kyso(*sign_args(hsm, trust_dir, document), pin="97531864")
    assert result.returncode == 2
    events = logged(kyso_home)
    wrong = [event for event in events if event.type == "pin.wrong"]
    assert len(wrong) == 1 and wrong[0].data["error_code"] == "TOKEN_PIN_INCORRECT"
    assert wrong[0].data["token"]["label"] == "KYSO-RSA"
    refused = [event for event in events if event.type == "sign.refused"]
    assert refused[0].data["error_code"] == "TOKEN_PIN_INCORRECT"
    assert events[-1].type == "app.stopped" and events[-1].data["error"] == "TOKEN_PIN_INCORRECT"
    for member in (kyso_home / "audit").iterdir():
        assert b"97531864" not in member.read_bytes(), member
    ok = run_kyso(*sign_args(hsm, trust_dir, document), pin=hsm.pin)
    assert ok.returncode == 0
    for member in (kyso_home / "audit").iterdir():
        assert hsm.pin.encode() not in member.read_bytes(), member


def test_verify_check_and_settings_are_recorded(run_kyso, hsm, trust_dir, tmp_path, document, kyso_home):
    signed = run_kyso(*sign_args(hsm, trust_dir, document), "--json", pin=hsm.pin)
    output = json.loads(signed.stdout)["files"][0]["output"]
    assert run_kyso("verify", output, "--trust", str(trust_dir), "--offline").returncode in (0, 1)
    assert run_kyso("check", str(document), "--role", "vien-truong").returncode in (0, 1)
    from app.audit.session import open_journal
    from app.settings import save_settings

    journal = open_journal()
    save_settings({"full_name": "Nguyễn Văn An", "tsa_url": ""}, journal=journal)
    journal.store.close()
    events = logged(kyso_home)
    verification = next(event for event in events if event.type == "verification.done")
    assert verification.data["signatures"][0]["integrity"] is True
    assert verification.document == Path(output).name
    checks = [event for event in events if event.type == "preflight.done" and event.data["path"] == str(document)]
    assert len(checks) == 2  # the signing job's and kyso check's
    changed = [event for event in events if event.type == "settings.changed"]
    assert [(event.data["name"], event.data["old"], event.data["new"]) for event in changed] == [
        ("full_name", "", "Nguyễn Văn An")]  # tsa_url did not change: nothing recorded
    assert default_log_path() == kyso_home / "audit" / "audit.sqlite3"


def test_token_watch_records_an_insertion_before_showing_it(hsm, kyso_home):
    env = {**os.environ, **hsm.env, "KYSO_HOME": str(kyso_home)}
    watch = subprocess.Popen([sys.executable, "-m", "app.cli.main", "tokens", "--module", hsm.module, "--watch",
                              "--watch-seconds", "60", "--json"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        shown = json.loads(watch.stdout.readline())  # printed only once the event is on disk
        assert shown["event"] == "inserted"
        inserted = [event for event in logged(kyso_home) if event.type == "token.inserted"]
        assert {"label": shown["label"], "serial": shown["serial"]} in [event.data["token"] for event in inserted]
    finally:
        watch.terminate()
        watch.wait(timeout=30)


def test_a_second_document_batch_continues_the_chain(run_kyso, hsm, trust_dir, tmp_path, kyso_home):
    first = decree30_pdf(tmp_path / "a.pdf")
    second = decree30_pdf(tmp_path / "b.pdf", number="Số: 16/QĐ-VKSTC")
    assert run_kyso(*sign_args(hsm, trust_dir, first), pin=hsm.pin).returncode == 0
    assert run_kyso(*sign_args(hsm, trust_dir, second), pin=hsm.pin).returncode == 0
    events = logged(kyso_home)
    assert [event.seq for event in events] == list(range(1, len(events) + 1))
    assert sum(event.type == "sign.succeeded" for event in events) == 2
