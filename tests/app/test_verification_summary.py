"""The folder summary table (app/verification_summary.py): both formats read back with
independent readers (the csv module, openpyxl), Vietnamese intact, no cell ever a formula, written
atomically, refusals typed."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from app.errors import AppError
from app.verification import file_sha256
from app.verification_summary import SummaryRow, check_summary_target, summary_header, summary_rows, write_summary
from signing.certcheck import RevocationStatus
from signing.errors import SigningError, SigningErrorCode
from signing.levels import PadesLevel
from signing.verify import Change, ChangeKind, DocumentVerification, Problem, SignatureVerification

FORMULA_STARTS = "=+-@\t\r"
NASTY = ("=cmd|' /C calc'!A0", "+SUM(A1:A9)", "-2+3", "@SUM(1)", "\t=1+1", "=HYPERLINK(\"http://x\")",
         "Nguyễn Văn An", "Trần Thị Bích Ngọc — Viện kiểm sát nhân dân tối cao", "  khoảng trắng  ", "a,b;\"c\"\nd")


def _signature(signer: str, *, issuer: str = "CA Ban Cơ yếu Chính phủ", problems=(), timestamp=True,
               document_timestamp: bool = False, changes=()) -> SignatureVerification:
    when = datetime(2026, 3, 20, 7, 30, 15, tzinfo=UTC)
    return SignatureVerification(
        field_name="kyso-1", document_timestamp=document_timestamp, signer=signer, signer_dn=f"CN={signer}",
        issuer=issuer, serial="01", cert_not_before=when, cert_not_after=when, signing_time=when,
        timestamp_time=when if timestamp else None, timestamp_authority="TSA Bộ Tư pháp" if timestamp else None,
        intact=True, trusted=True, cert_valid_at_signing=True, revocation=RevocationStatus.GOOD,
        level=PadesLevel.B_T if timestamp else PadesLevel.B_B, covers_whole_file=True, changes_after="none",
        problems=tuple(problems), changes=tuple(changes))


def _file(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"%PDF-1.7\n" + name.encode() + b"\n%%EOF\n")
    return path


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """`kyso verify .` names the files relative to the folder: "=cmd….pdf" is a cell's first text."""
    monkeypatch.chdir(tmp_path)


def _results(folder: Path):
    folder = Path(".")
    valid = _file(folder, "=cmd|' -c calc'!A0.pdf")
    changed = _file(folder, "Quyết định số 12-QĐ-VKSTC.pdf")
    unsigned = _file(folder, "+chua-ky.pdf")
    broken = _file(folder, "@hong.pdf")
    return [
        (valid, DocumentVerification(valid, (_signature("=cmd|' /C calc'!A0"), _signature("-Lê Văn Tâm", timestamp=False)))),
        (changed, DocumentVerification(changed, (_signature("Phạm Thị Thu Hà", problems=(Problem.MODIFIED_AFTER,), changes=(
            Change(2, ChangeKind.CONTENT, False),)),))),
        (unsigned, DocumentVerification(unsigned, ())),
        (broken, SigningError(SigningErrorCode.DAMAGED, file=broken)),
    ]


def test_rows_say_each_signature_in_words_with_codes_times_labelled(tmp_path):
    results = _results(tmp_path)
    rows = summary_rows(results)
    assert [row.number for row in rows] == [1, 2, 3, 4, 5]
    first, second, changed, unsigned, broken = rows
    assert first.file == str(results[0][0]) and first.sha256 == file_sha256(results[0][0])
    assert (first.signatures, first.index, second.index) == ("2", "1/2", "2/2")
    assert first.signer == "=cmd|' /C calc'!A0" and first.issuer == "CA Ban Cơ yếu Chính phủ"
    assert "dấu thời gian của TSA Bộ Tư pháp" in first.time_source
    assert "do người ký tự khai" in second.time_source and second.level == "B-B"
    assert (first.verdict, first.code, first.etsi) == ("HỢP LỆ", "valid", "TOTAL-PASSED")
    assert changed.code == "changed" and "ĐÃ BỊ THAY ĐỔI SAU KHI KÝ" in changed.verdict
    assert "sửa nội dung trang" in changed.reason and "KHÔNG được phép" in changed.reason
    assert (unsigned.signatures, unsigned.code, unsigned.verdict) == ("0", "unsigned", "Văn bản không có chữ ký số")
    assert (broken.code, broken.etsi) == ("error", "PDF_DAMAGED") and broken.reason


def test_an_indeterminate_row_gives_the_reason_and_what_would_settle_it(tmp_path):
    path = _file(tmp_path, "a.pdf")
    (row,) = summary_rows([(path, DocumentVerification(path, (_signature("An", problems=(Problem.REVOCATION_UNKNOWN,)),)))])
    assert (row.verdict, row.code, row.etsi) == ("KHÔNG XÁC ĐỊNH", "indeterminate", "INDETERMINATE/TRY_LATER")
    assert "thiếu dữ liệu thu hồi" in row.reason
    (row,) = summary_rows([(path, DocumentVerification(path, (_signature("An", problems=(Problem.REVOCATION_UNKNOWN,)),)))],
                          lang="en")
    assert row.verdict == "INDETERMINATE" and "revocation data" in row.reason


def _csv_back(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel on Windows reads UTF-8
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _shown_in_csv(value: str) -> str:
    return "'" + value if value.startswith(tuple(FORMULA_STARTS)) else value


def test_csv_reads_back_with_the_bom_diacritics_and_no_formula(tmp_path):
    rows = summary_rows(_results(tmp_path))
    out = write_summary(rows=rows, path=tmp_path / "tổng hợp.csv")
    header, *lines = _csv_back(out)
    assert header == summary_header("vi") and "Người ký" in header
    assert lines == [[_shown_in_csv(str(value)) for value in row] for row in rows]
    assert lines[0][1].startswith("'=cmd") and lines[0][6] == "'=cmd|' /C calc'!A0" and lines[1][6] == "'-Lê Văn Tâm"
    assert any("Quyết định số 12-QĐ-VKSTC.pdf" in line[1] for line in lines)


def test_xlsx_reads_back_as_text_never_formulas(tmp_path):
    rows = summary_rows(_results(tmp_path))
    out = write_summary(rows=rows, path=tmp_path / "tổng hợp.xlsx")
    sheet = openpyxl.load_workbook(out).active
    assert [cell.value for cell in sheet[1]] == summary_header("vi") and sheet.freeze_panes == "A2"
    back = [[cell.value for cell in line] for line in sheet.iter_rows(min_row=2)]
    assert back == [[value if value != "" else None for value in row] for row in rows]
    for line in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in line)
    assert sheet["B2"].value == str(rows[0].file) and sheet["G2"].value == "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_any_signer_name_round_trips_and_none_becomes_a_formula(tmp_path, suffix):
    """Generated names: every formula start, Vietnamese, separators, quotes and line breaks."""
    rng = random.Random(1402)
    alphabet = "=+-@\t\r\n,;\"' aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ|!()"
    names = list(NASTY) + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))) for _ in range(200)]
    path = _file(tmp_path, "a.pdf")
    rows = summary_rows([(path, DocumentVerification(path, tuple(_signature(name) for name in names)))])
    out = write_summary(rows=rows, path=tmp_path / f"t{suffix}")
    if suffix == ".csv":
        signers = [line[6] for line in _csv_back(out)[1:]]
        assert signers == [_shown_in_csv(name) for name in names]
    else:
        sheet = openpyxl.load_workbook(out).active
        cells = [line[6] for line in sheet.iter_rows(min_row=2)]
        assert all(cell.data_type == "s" for cell in cells)
        # what XML 1.0 can hold: a carriage return is kept, as &#13;
        assert [cell.value for cell in cells] == names


@pytest.mark.parametrize("name, code", [("bang.txt", "APP_SUMMARY_FORMAT"), ("bang", "APP_SUMMARY_FORMAT"),
                                        ("khong-co/bang.csv", "APP_OUT_DIR_MISSING"),
                                        ("thu-muc.xlsx", "APP_SUMMARY_WRITE_FAILED")])
def test_refusals_are_typed_and_leave_nothing(tmp_path, name, code):
    (tmp_path / "thu-muc.xlsx").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(AppError) as caught:
        write_summary(rows=[], path=tmp_path / name)
    assert caught.value.code_text == code
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_summary_never_overwrites_a_verified_file(tmp_path):
    source = tmp_path / "van-ban.csv"  # a file given to kyso verify by name, whatever it is called
    source.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(AppError) as caught:
        check_summary_target(source, inputs=[source])
    assert caught.value.code_text == "APP_SUMMARY_IS_INPUT" and source.read_bytes() == b"%PDF-1.7\n"


def test_a_failed_write_keeps_the_earlier_file_and_leaves_no_part(tmp_path, monkeypatch):
    out = tmp_path / "bang.csv"
    out.write_text("bản cũ", encoding="utf-8")
    rows = [SummaryRow(1, "a.pdf", "", "0", "", "", "", "", "", "", "", "x", "unsigned", "", "", "x")]

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("app.verification_summary.os.replace", full_disk)
    with pytest.raises(AppError) as caught:
        write_summary(rows=rows, path=out)
    assert caught.value.code_text == "APP_SUMMARY_WRITE_FAILED" and "No space left" in str(caught.value.params)
    assert out.read_text(encoding="utf-8") == "bản cũ" and [p.name for p in tmp_path.iterdir()] == ["bang.csv"]
