"""The `kyso` command as users and scripts run it: exit codes, JSON, languages, crashes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from signing.output import TEMP_PREFIX
from tests.support.documents import decree30_pdf, encrypted_pdf

pytestmark = [pytest.mark.hsm, pytest.mark.pki]


def _sign_args(hsm, trust_dir, *files, key="signer-rsa2048", level=("--level", "B-B", "--accept-warnings")):
    """B-B (no TSA needed) is below the catalogue's level for these documents: a warning accepted."""
    return ("sign", *map(str, files), "--module", hsm.module, "--token", "KYSO-RSA",
            "--key-id", hsm.key_id(key).hex(), "--pin-stdin", "--trust", str(trust_dir),
            "--kind", "invisible", "--role", "vien-truong", *level)


def test_version(run_kyso):
    result = run_kyso("--version")
    assert result.returncode == 0
    assert result.stdout.strip().startswith("kyso ")


def test_batch_with_one_bad_file_reports_each_and_exits_1(run_kyso, hsm, trust_dir, tmp_path, document):
    broken = encrypted_pdf(document, tmp_path / "bi-ma-hoa.pdf")
    other = decree30_pdf(tmp_path / "thong-bao.pdf", title="THÔNG BÁO", number="Số: 07/TB-VKSTC")
    result = run_kyso(*_sign_args(hsm, trust_dir, document, broken, other), "--json", pin=hsm.pin)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["command"] == "sign" and report["ok"] is False
    assert report["summary"] == {"total": 3, "signed": 2, "failed": 1}
    files = {entry["input"]: entry for entry in report["files"]}
    assert files[str(broken)]["error"]["code"] == "PREFLIGHT_PASSWORD_REQUIRED"  # found by preflight, before the token
    assert "mã hoá" in files[str(broken)]["error"]["message"]
    signed = files[str(document)]
    assert signed["ok"] and signed["level"] == "B-B"
    assert signed["output_sha256"] == hashlib.sha256(Path(signed["output"]).read_bytes()).hexdigest()
    assert signed["signing_time"].endswith("+07:00")
    assert "Traceback" not in result.stderr


def test_human_output_in_vietnamese_and_english(run_kyso, hsm, trust_dir, tmp_path, document):
    vietnamese = run_kyso(*_sign_args(hsm, trust_dir, document), pin=hsm.pin)
    assert vietnamese.returncode == 0, vietnamese.stderr
    assert "Đã ký 1/1 văn bản." in vietnamese.stdout
    english = run_kyso(*_sign_args(hsm, trust_dir, document), "--force", "--lang", "en", pin=hsm.pin)
    assert english.returncode == 0, english.stderr
    assert "Signed 1 of 1 documents." in english.stdout


def test_out_folder_is_created_like_mkdir_p_and_a_file_there_is_refused(run_kyso, hsm, trust_dir, tmp_path, document):
    out = tmp_path / "da-ky" / "thang-12"
    result = run_kyso(*_sign_args(hsm, trust_dir, document), "--out", str(out), "--json", pin=hsm.pin)
    assert result.returncode == 0, result.stderr
    [signed] = json.loads(result.stdout)["files"]
    assert Path(signed["output"]).parent == out and Path(signed["output"]).is_file()
    blocker = tmp_path / "la-tep"
    blocker.write_bytes(b"x")
    refused = run_kyso(*_sign_args(hsm, trust_dir, document), "--out", str(blocker), pin=hsm.pin)
    assert refused.returncode == 2
    assert "[APP_OUT_DIR_NOT_FOLDER]" in refused.stderr and "không phải thư mục" in refused.stderr
    assert blocker.read_bytes() == b"x"


def test_error_before_signing_is_one_line_with_a_code(run_kyso, hsm, trust_dir, document):
    result = run_kyso(*_sign_args(hsm, trust_dir, document, key="signer-expired"), pin=hsm.pin)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("kyso:")]  # (and the accepted warning)
    assert lines == [lines[0]] and lines[0].startswith("kyso: [CERT_EXPIRED] Chứng thư số đã hết hiệu lực")
    assert "Traceback" not in result.stderr


def test_wrong_pin_is_reported_without_the_pin(run_kyso, hsm, trust_dir, document, kyso_home):
    result = run_kyso(*_sign_args(hsm, trust_dir, document), "--json", pin="97531864")
    assert result.returncode == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "TOKEN_PIN_INCORRECT"
    assert "97531864" not in result.stdout + result.stderr
    # the next (correct) attempt is told that a wrong PIN was entered before
    ok = run_kyso(*_sign_args(hsm, trust_dir, document), pin=hsm.pin)
    assert ok.returncode == 0
    assert "đã bị nhập sai ít nhất một lần" in ok.stderr


def test_pin_never_reaches_output_logs_or_files(run_kyso, hsm, trust_dir, document, kyso_home, tmp_path):
    debug = {"KYSO_DEBUG": "1"}  # the most talkative log level
    wrong = run_kyso(*_sign_args(hsm, trust_dir, document), "--json", pin="86420975", env=debug)
    signed = run_kyso(*_sign_args(hsm, trust_dir, document, key="signer-rsa3072"), "--json", "--level", "B-LT",
                      "--allow-lower-level", pin=hsm.pin, env=debug)
    verified = run_kyso("verify", str(document.with_name("quyet-dinh.signed.pdf")), "--trust", str(trust_dir),
                        env=debug)
    assert signed.returncode == 0 and verified.returncode == 0
    outputs = "".join(r.stdout + r.stderr for r in (wrong, signed, verified))
    files = [p for p in [*kyso_home.rglob("*"), *tmp_path.rglob("*")] if p.is_file()]
    assert any(p.name == "kyso.log" for p in files), "the runs write their log into KYSO_HOME"
    for pin in (hsm.pin, "86420975"):
        assert pin not in outputs
        for path in files:
            assert pin.encode() not in path.read_bytes(), path


def test_usage_error_is_coded(run_kyso):
    result = run_kyso("sign", "--level", "B-X", "a.pdf")
    assert result.returncode == 2
    assert "[APP_USAGE]" in result.stderr


def test_unknown_revocation_needs_accept_warnings(run_kyso, hsm, pki, trust_dir, tmp_path):
    # the signer block names signer-norev's holder: the only warning is the revocation status
    document = decree30_pdf(tmp_path / "quyet-dinh.pdf", signer_name="Bùi Văn Không Rõ")
    at_catalogue_level = ("--level", "B-LT", "--tsa", pki.tsa_url)
    refused = run_kyso(*_sign_args(hsm, trust_dir, document, key="signer-norev", level=at_catalogue_level),
                       pin=hsm.pin)
    assert refused.returncode == 2
    assert "[SIGN_WARNINGS_NOT_ACCEPTED]" in refused.stderr
    accepted = run_kyso(*_sign_args(hsm, trust_dir, document, key="signer-norev", level=at_catalogue_level),
                        "--accept-warnings", "--allow-lower-level", pin=hsm.pin)
    assert accepted.returncode == 0, accepted.stderr


@pytest.mark.parametrize("point", ["copied", "signed", "before-rename"])
def test_killed_mid_write_leaves_no_partial_output(point, run_kyso, hsm, trust_dir, document):
    before = hashlib.sha256(document.read_bytes()).hexdigest()
    result = run_kyso(*_sign_args(hsm, trust_dir, document), pin=hsm.pin, env={"KYSO_FAULT_POINT": point})
    assert result.returncode == -9
    assert not document.with_name("quyet-dinh.signed.pdf").exists()
    assert hashlib.sha256(document.read_bytes()).hexdigest() == before
    leftovers = [p for p in document.parent.iterdir() if p.name.startswith(TEMP_PREFIX)]
    assert len(leftovers) == 1  # hidden, never taken for a signed document
    again = run_kyso(*_sign_args(hsm, trust_dir, document), pin=hsm.pin)
    assert again.returncode == 0
    assert document.with_name("quyet-dinh.signed.pdf").exists()


def test_tokens_lists_certificates_with_cka_id(run_kyso, hsm):
    result = run_kyso("tokens", "--module", hsm.module, "--json")
    assert result.returncode == 0, result.stderr
    modules = json.loads(result.stdout)["modules"]
    tokens = {token["label"]: token for token in modules[0]["tokens"]}
    ids = {cert["key_id"] for cert in tokens["KYSO-EC"]["certificates"]}
    assert {hsm.key_id("signer-ec256").hex(), hsm.key_id("signer-ec384").hex()} <= ids
    human = run_kyso("tokens", "--module", hsm.module)
    assert "Phạm Minh Đức" in human.stdout


def test_verify_exit_codes(run_kyso, hsm, trust_dir, tmp_path, document):
    signed = run_kyso(*_sign_args(hsm, trust_dir, document), "--json", pin=hsm.pin)
    output = json.loads(signed.stdout)["files"][0]["output"]
    good = run_kyso("verify", output, "--trust", str(trust_dir), "--json")
    assert good.returncode == 0, good.stdout + good.stderr
    signature = json.loads(good.stdout)["files"][0]["signatures"][0]
    assert signature["verdict"] == "valid" and signature["signer"] == "Nguyễn Văn An"
    assert signature["issuer"] == "Kyso Test Issuing CA"
    tampered = tmp_path / "bi-sua.pdf"
    data = bytearray(Path(output).read_bytes())
    data[600] ^= 0x01  # a byte of the original content, covered by the signature
    tampered.write_bytes(bytes(data))
    bad = run_kyso("verify", str(tampered), "--trust", str(trust_dir), "--json")
    assert bad.returncode == 1
    assert "VERIFY_INTEGRITY_BROKEN" in json.loads(bad.stdout)["files"][0]["signatures"][0]["problems"]
    untrusted = run_kyso("verify", output, "--json")  # no --trust: the test root is not trusted
    assert untrusted.returncode == 1
    missing = run_kyso("verify", str(tmp_path / "khong-co.pdf"))
    assert missing.returncode == 2 and "[PDF_NOT_FOUND]" in missing.stdout
