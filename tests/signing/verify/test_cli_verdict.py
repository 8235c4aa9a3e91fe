"""What a user reads: `kyso verify` words and JSON for the crafted files, `kyso check` warning
before a signature that a certification forbids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.hsm, pytest.mark.pki]


def test_verify_says_changed_after_signing_and_names_the_change(run_kyso, corpus, trust_dir):
    result = run_kyso("verify", str(corpus["isa-text-field-overlay"]), "--trust", str(trust_dir))
    assert result.returncode == 1, result.stderr
    out = result.stdout + result.stderr
    assert "HỢP LỆ CHO PHIÊN BẢN ĐÃ KÝ, NHƯNG VĂN BẢN ĐÃ BỊ THAY ĐỔI SAU KHI KÝ" in out
    assert "thêm trường biểu mẫu hoặc ô chữ ký chưa ký (so) — KHÔNG được phép" in out
    assert "Kết luận: Văn bản đã bị thay đổi sau khi ký" in out
    assert "APP_INTERNAL" not in out + result.stderr


def test_verify_json_has_the_indications_and_changes(run_kyso, corpus, trust_dir):
    result = run_kyso("verify", "--json", str(corpus["malformed-added-contents-null"]), str(corpus["b-b-norev"]),
                      "--trust", str(trust_dir))
    files = json.loads(result.stdout)["files"]
    broken, norev = files
    assert broken["verdict"] == "invalid"
    by_field = {s["field"]: s for s in broken["signatures"]}
    assert by_field["Chu ky hong"]["indication"] == "TOTAL-FAILED"
    assert by_field["Chu ky hong"]["sub_indication"] == "FORMAT_FAILURE"
    assert by_field["Chu ky hong"]["problems"] == ["VERIFY_CONTENTS_INVALID"]
    genuine = by_field["kyso-invisible-1"]
    assert genuine["verdict"] == "changed" and genuine["indication"] == "TOTAL-PASSED"
    assert genuine["changes"] == [{"revision": 2, "kind": "CHANGE_BROKEN_SIGNATURE", "permitted": False,
                                   "fields": ["Chu ky hong"]}]
    (signature,) = norev["signatures"]
    assert (signature["verdict"], signature["indication"], signature["sub_indication"]) == (
        "indeterminate", "INDETERMINATE", "TRY_LATER")


def test_verify_english(run_kyso, corpus, trust_dir):
    result = run_kyso("--lang", "en", "verify", str(corpus["b-t-norev"]), "--trust", str(trust_dir))
    out = result.stdout + result.stderr
    assert "INDETERMINATE" in out and "revocation data (OCSP/CRL) missing" in out


def test_check_warns_before_signing_a_certified_p2_document(run_kyso, corpus):
    result = run_kyso("check", "--json", str(corpus["cert-p2"]))
    codes = [f["code"] for f in json.loads(result.stdout)["files"][0]["findings"]]
    assert "PREFLIGHT_CERTIFIED_FORM_FILLING" in codes
    locked = run_kyso("check", "--json", str(corpus["cert-p1"]))
    assert "PREFLIGHT_LOCKED" in [f["code"] for f in json.loads(locked.stdout)["files"][0]["findings"]]


def test_the_report_reads_back_in_vietnamese_with_every_field(run_kyso, corpus, trust_dir, tmp_path):
    from tests.support.validators import extract_text
    from app.verification import file_sha256

    report = tmp_path / "bao-cao.pdf"
    source = corpus["isa-text-field-overlay"]
    result = run_kyso("verify", str(source), "--trust", str(trust_dir), "--report", str(report))
    assert result.returncode == 1 and report.exists(), result.stdout + result.stderr
    text = " ".join(extract_text(report).split())
    for expected in ("BÁO CÁO KIỂM TRA CHỮ KÝ SỐ", source.name, file_sha256(source), "Nguyễn Văn An",
                     "HỢP LỆ CHO PHIÊN BẢN ĐÃ KÝ", "TOTAL-PASSED", "Tổ chức cấp chứng thư", "Hiệu lực chứng thư",
                     "Tình trạng thu hồi", "Phạm vi ký", "KHÔNG được phép", "Thời điểm ký"):
        assert expected in text, expected


def test_the_signed_version_is_the_revision_the_signature_covers(run_kyso, corpus, trust_dir, tmp_path):
    import asyncio

    from signing.trust import TrustStore
    from signing.verify import DocumentVerdict, verify_document

    source = corpus["isa-content-replaced"]
    before = source.read_bytes()
    out = tmp_path / "ban-da-ky"
    out.mkdir()
    result = run_kyso("verify", str(source), "--trust", str(trust_dir), "--signed-versions", str(out))
    written = out / "isa-content-replaced.ban-da-ky-1.pdf"
    assert written.exists(), result.stdout + result.stderr
    assert source.read_bytes() == before  # the input is only read
    assert before.startswith(written.read_bytes())
    shown = asyncio.run(verify_document(written, trust=TrustStore.load(extra_dirs=[trust_dir])))
    assert shown.verdict is DocumentVerdict.VALID  # what the signer signed, with nothing after it
    again = run_kyso("verify", str(source), "--trust", str(trust_dir), "--signed-versions", str(out))
    assert again.returncode == 2 and "OUTPUT_EXISTS" in again.stdout + again.stderr  # never over an existing file


def test_a_huge_xref_index_is_refused_by_check_and_sign_too(run_kyso, hsm, corpus, trust_dir):
    path = str(corpus["xref-huge-index"])
    check = run_kyso("check", "--json", path, timeout=60)
    assert json.loads(check.stdout)["files"][0]["error"]["code"] == "PDF_DAMAGED"
    sign = run_kyso("sign", path, "--module", hsm.module, "--token", "KYSO-RSA", "--pin-stdin",
                    "--key-id", hsm.key_id("signer-rsa2048").hex(), "--trust", str(trust_dir), "--kind", "invisible",
                    "--level", "B-B", "--accept-warnings", "--json", pin=hsm.pin, timeout=60)
    codes = [(f.get("error") or {}).get("code") for f in json.loads(sign.stdout)["files"]]
    assert codes and set(codes) <= {"PDF_DAMAGED", "PREFLIGHT_DAMAGED"}, sign.stdout


def test_verify_a_folder(run_kyso, corpus, trust_dir, tmp_path):
    folder = tmp_path / "den"
    (folder / "con").mkdir(parents=True)
    (folder / "a.pdf").write_bytes(corpus["b-b"].read_bytes())
    (folder / "con" / "b.pdf").write_bytes(corpus["eof-comment"].read_bytes())
    (folder / "ghi-chu.txt").write_text("không phải PDF")
    result = run_kyso("verify", "--json", str(folder), "--trust", str(trust_dir))
    verdicts = {Path(f["file"]).name: f["verdict"] for f in json.loads(result.stdout)["files"]}
    assert verdicts == {"a.pdf": "valid", "b.pdf": "changed"}


def test_verify_a_folder_writes_the_summary_table(run_kyso, corpus, trust_dir, tmp_path):
    """`kyso verify DIR --summary`: one row per signature, the same verdicts as the JSON, both formats."""
    import csv

    import openpyxl

    from app.verification import file_sha256

    folder = tmp_path / "den"
    (folder / "con").mkdir(parents=True)
    (folder / "Quyết định.pdf").write_bytes(corpus["two-signatures"].read_bytes())
    (folder / "con" / "b.pdf").write_bytes(corpus["eof-comment"].read_bytes())
    (folder / "hong.pdf").write_bytes(b"%PDF-1.7\nkhong phai PDF\n")
    csv_out, xlsx_out = tmp_path / "tong-hop.csv", tmp_path / "tong-hop.xlsx"
    for out in (csv_out, xlsx_out):
        result = run_kyso("verify", str(folder), "--trust", str(trust_dir), "--summary", str(out))
        assert result.returncode == 2, result.stdout + result.stderr  # the damaged file
        assert "APP_INTERNAL" not in result.stdout + result.stderr and out.exists()
    with open(csv_out, encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    sheet = openpyxl.load_workbook(xlsx_out).active
    assert [[str(c.value or "") for c in line] for line in sheet.iter_rows()] == [header, *rows]
    by_file = {}
    for row in rows:
        by_file.setdefault(Path(row[1]).name, []).append(dict(zip(header, row, strict=True)))
    two = by_file["Quyết định.pdf"]
    assert [r["Chữ ký thứ"] for r in two] == ["1/2", "2/2"] and {r["Mã kết luận"] for r in two} == {"valid"}
    assert two[0]["SHA-256 của tệp"] == file_sha256(folder / "Quyết định.pdf")
    assert two[0]["Người ký"] == "Nguyễn Văn An" and "dấu thời gian của" in two[0]["Nguồn thời điểm ký"]
    assert two[0]["Kết luận"] == "HỢP LỆ" and two[0]["Kết quả ETSI / mã lỗi"] == "TOTAL-PASSED"
    (changed,) = by_file["b.pdf"]
    assert changed["Mã kết luận"] == "changed" and "KHÔNG được phép" in changed["Lý do"]
    (broken,) = by_file["hong.pdf"]
    assert broken["Mã kết luận"] == "error" and broken["Kết quả ETSI / mã lỗi"].startswith("PDF_")


def test_a_summary_kyso_cannot_write_is_refused_before_verifying(run_kyso, corpus, tmp_path):
    result = run_kyso("verify", "--json", str(corpus["b-b"]), "--summary", str(tmp_path / "tong-hop.txt"))
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == "APP_SUMMARY_FORMAT"
    assert list(tmp_path.glob("tong-hop*")) == []
