"""Received signed documents in the window (issue 14, "what the user sees"): the verification is
the main status, one line per signature with the verdict in colour and words, details on demand,
the signed version and what changed since, the validation report, a folder verified into a
summary table, and signatures extended from the window. Real widgets, real signed files from the
test PKI, verdicts as the engine gives them."""

from __future__ import annotations

import asyncio
import csv
import shutil
import zipfile
from pathlib import Path

import pytest

from signing.engine import SignOptions
from signing.levels import PadesLevel
from tests.support import attacks
from tests.support.catalogue_docs import NEUTRAL_BODY
from tests.support.documents import decree30_pdf
from tests.support.signing import sign_files
from tests.support.validators import extract_text, pdfsig, pyhanko_validate

pytestmark = [pytest.mark.hsm, pytest.mark.pki]


@pytest.fixture(scope="module")
def received(tmp_path_factory, hsm, pki, trust_dir) -> dict[str, Path]:
    """A valid, an indeterminate, an invalid and a changed-after-signing document, as received."""
    work = tmp_path_factory.mktemp("received")
    plain = decree30_pdf(work / "quyet-dinh.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)

    def sign(source: Path, name: str, level: PadesLevel, key: str = "signer-rsa2048") -> Path:
        out = work / name
        out.mkdir()
        report = sign_files(hsm, [source], key=key, trust_dir=trust_dir, out_dir=out,
                            options=SignOptions(level=level, tsa_url=pki.tsa_url, allow_lower_level=False))
        assert report.outcomes[0].ok, report.outcomes[0].error_code
        return report.outcomes[0].output

    folder = work / "den"
    folder.mkdir()
    files = {}
    valid = sign(plain, "hop-le", PadesLevel.B_T)
    files["valid"] = shutil.copy(valid, folder / "1-hop-le.pdf")
    files["indeterminate"] = shutil.copy(sign(plain, "khong-ro", PadesLevel.B_B, key="signer-norev"),
                                         folder / "2-khong-xac-dinh.pdf")
    data = bytearray(valid.read_bytes())
    comment = data.index(b"\n%", 8) + 2  # the binary comment after the header: signed, not structure
    data[comment] = 0xE0 if data[comment] != 0xE0 else 0xE1
    files["invalid"] = folder / "3-khong-hop-le.pdf"
    files["invalid"].write_bytes(bytes(data))
    files["changed"] = folder / "4-bi-sua.pdf"
    files["changed"].write_bytes(attacks.content_appended(valid.read_bytes()))
    (folder / "ghi-chu.txt").write_text("không phải PDF")
    return {**files, "folder": folder}


def _open_and_verify(desk, paths) -> None:
    desk.open(list(paths))
    window = desk.window
    desk.qtbot.waitUntil(lambda: all(window.desk.verifications.get(p) is not None for p in paths), timeout=120000)


def _row(window, path) -> int:
    return next(i for i, d in enumerate(window.model.documents) if d.path == path)


def test_each_received_document_shows_its_verification_as_main_status(desk_factory, received, tmp_path):
    from ui.verify_panel import TONES

    desk = desk_factory()
    window = desk.window
    paths = [received[k] for k in ("valid", "indeterminate", "invalid", "changed")]
    _open_and_verify(desk, paths)
    expected = {
        "valid": ("✓ Hợp lệ", "HỢP LỆ", TONES["valid"][0], "Mọi chữ ký đều hợp lệ"),
        "indeterminate": ("? Không xác định", "KHÔNG XÁC ĐỊNH", TONES["warning"][0], "thiếu dữ liệu thu hồi"),
        "invalid": ("✗ Không hợp lệ", "KHÔNG HỢP LỆ", TONES["alarm"][0], "nội dung đã ký không khớp với chữ ký"),
        "changed": ("✗ Bị sửa sau khi ký", "HỢP LỆ CHO PHIÊN BẢN ĐÃ KÝ, NHƯNG VĂN BẢN ĐÃ BỊ THAY ĐỔI SAU KHI KÝ",
                    TONES["alarm"][0], "sửa nội dung trang"),
    }
    for key, (status, verdict, colour, reason) in expected.items():
        path = received[key]
        item = window.model.item(_row(window, path), 2)
        assert item.text().startswith(status) or status in item.text(), (key, item.text())
        assert "Không được ký" not in item.text()
        assert item.foreground().color().name() == colour, key
        desk.select(path)
        panel = window.signature_panel
        desk.qtbot.waitUntil(lambda panel=panel, path=path: panel.state == "done" and panel.received.path == path,
                             timeout=10000)
        assert panel.isVisible()
        shown = panel.browser.toPlainText()
        assert verdict in shown, (key, shown)
        assert reason in shown + panel.heading.text(), (key, shown)
        assert "Nguyễn Văn An" in shown or key == "indeterminate"
        assert f"color:{colour}" in panel.browser.toHtml().replace(" ", "") or colour in panel.browser.toHtml()
        details = window.details.toPlainText()
        assert "Không được ký" not in details.split("\n")[1], details
    # the time: proven by a timestamp (B-T) or only claimed (B-B), said so
    desk.select(received["valid"])
    desk.qtbot.waitUntil(lambda: window.signature_panel.received.path == received["valid"], timeout=10000)
    assert "theo dấu thời gian" in window.signature_panel.browser.toPlainText()
    assert "Mức: B-T" in window.signature_panel.browser.toPlainText()
    desk.select(received["indeterminate"])
    desk.qtbot.waitUntil(lambda: window.signature_panel.received.path == received["indeterminate"], timeout=10000)
    assert "do người ký tự khai" in window.signature_panel.browser.toPlainText()
    # in English too, the documents staying open
    window.switch_language("en")
    try:
        desk.qtbot.waitUntil(lambda: "claimed by the signer" in window.signature_panel.browser.toPlainText(),
                             timeout=10000)
        assert "INDETERMINATE" in window.signature_panel.browser.toPlainText()
        assert window.model.item(_row(window, received["changed"]), 2).text() == "✗ Changed after signing"
        assert window.menu_verify.title() == "&Verify"
    finally:
        window.switch_language("vi")


def test_details_on_demand_chain_revocation_range_and_changes(desk_factory, received):
    desk = desk_factory()
    window = desk.window
    _open_and_verify(desk, [received["changed"]])
    desk.select(received["changed"])
    panel = window.signature_panel
    desk.qtbot.waitUntil(lambda: panel.state == "done", timeout=10000)
    assert "Chuỗi chứng thư" not in panel.browser.toPlainText()
    panel.toggle_details(1)
    text = panel.browser.toPlainText()
    line = panel.received.line(1)
    assert len(line.chain) >= 2 and line.chain[0].subject == "Nguyễn Văn An"
    assert line.chain[-1].anchor  # up to the test PKI's root, deployed as a trust anchor
    for expected in ("Chuỗi chứng thư", "Nguyễn Văn An — cấp bởi", "chứng thư gốc tin cậy", "còn hiệu lực",
                     "Dữ liệu thu hồi", "Không lưu trong tệp; kyso đã tra cứu trực tuyến khi kiểm tra: chưa bị thu hồi",
                     "Dấu thời gian", "Kyso Test Time-Stamping Authority", "Phạm vi ký", "1 trang", "Thay đổi sau khi ký",
                     "phiên bản 3: sửa nội dung trang, phông chữ, tài nguyên hoặc số trang — KHÔNG được phép"):
        assert expected in text, (expected, "\n".join(text.splitlines()))
    panel.toggle_details(1)
    assert "Chuỗi chứng thư" not in panel.browser.toPlainText()


def test_the_signed_version_is_the_covered_revision_and_its_changes_are_framed(desk_factory, received):
    from ui.signed_version import SignedVersionDialog

    desk = desk_factory()
    window = desk.window
    source = received["changed"]
    before = source.read_bytes()
    _open_and_verify(desk, [source])
    desk.select(source)
    desk.qtbot.waitUntil(lambda: window.signature_panel.state == "done", timeout=10000)
    assert "Xem bản đã ký" in window.signature_panel.browser.toPlainText()
    window.signature_panel.signedVersionRequested.emit(1)
    dialog = window.signed_dialog
    assert isinstance(dialog, SignedVersionDialog)
    with desk.qtbot.waitSignal(dialog.ready, timeout=60000):
        pass
    assert dialog.error is None
    line = window.desk.verifications.get(source).line(1)
    assert dialog.signed_path.read_bytes() == before[:line.signed_length]  # exactly the covered bytes
    assert source.read_bytes() == before  # the received file is only read
    desk.qtbot.waitUntil(lambda: dialog.preview.page_count == 1, timeout=30000)
    comparison = dialog.comparison
    assert (comparison.signed_pages, comparison.current_pages) == (1, 1)
    (page,) = comparison.pages
    assert page.index == 0 and page.boxes
    # the number laid over the page by the later revision is at the top left (40, 735 in points)
    width, height = page.current.size
    scale = width / 595.0
    assert any(left <= 40 * scale + 30 and top <= height - 735 * scale and bottom >= height - 770 * scale
               for left, top, right, bottom in page.boxes), page.boxes
    assert "1 trang hiển thị khác bản đã ký" in dialog.changes_status.text()
    assert dialog.tabs.currentIndex() == 1
    dialog.close()


def test_a_signed_version_equal_to_the_file_shows_the_same_pages(received, tmp_path):
    """The comparison itself: a valid file's only signature covers all of it (no other version);
    an extension's earlier revision renders the same as the file now."""
    from app.desk.verification import compare_versions

    same = compare_versions(received["valid"], received["valid"])
    assert same.same and same.signed_pages == 1


def test_the_report_button_writes_the_validation_report(desk_factory, received, tmp_path):
    from app.verification import file_sha256

    desk = desk_factory()
    window = desk.window
    source = received["changed"]
    _open_and_verify(desk, [source])
    desk.select(source)
    desk.qtbot.waitUntil(lambda: window.signature_panel.report_button.isEnabled(), timeout=10000)
    report = tmp_path / "bao-cao.pdf"
    with desk.qtbot.waitSignal(window.reportWritten, timeout=60000):
        window.write_verification_report(report)
    text = " ".join(extract_text(report).split())
    for expected in ("BÁO CÁO KIỂM TRA CHỮ KÝ SỐ", source.name, file_sha256(source), "Nguyễn Văn An",
                     "HỢP LỆ CHO PHIÊN BẢN ĐÃ KÝ", "TOTAL-PASSED", "Tổ chức cấp chứng thư", "Tình trạng thu hồi",
                     "Phạm vi ký", "KHÔNG được phép"):
        assert expected in text, expected
    assert "Đã ghi báo cáo xác minh" in window.statusBar().currentMessage()


def test_a_folder_is_verified_into_a_summary_table(desk_factory, received, tmp_path):
    from ui.folder_verify import FolderVerifyDialog

    desk = desk_factory()
    window = desk.window
    folder = received["folder"]
    (folder / "hong.pdf").write_bytes(b"%PDF-1.7\nkhong phai pdf that\n")
    try:
        window.verify_folder(folder)
        dialog = window.folder_dialog
        assert isinstance(dialog, FolderVerifyDialog)
        with desk.qtbot.waitSignal(dialog.finished_rows, timeout=180000) as blocker:
            pass
    finally:
        (folder / "hong.pdf").unlink()
    rows = {row.path.name: row for row in blocker.args[0]}
    assert set(rows) == {"1-hop-le.pdf", "2-khong-xac-dinh.pdf", "3-khong-hop-le.pdf", "4-bi-sua.pdf", "hong.pdf"}
    assert {name: row.verdict for name, row in rows.items()} == {
        "1-hop-le.pdf": "valid", "2-khong-xac-dinh.pdf": "indeterminate", "3-khong-hop-le.pdf": "invalid",
        "4-bi-sua.pdf": "changed", "hong.pdf": "error"}
    assert rows["1-hop-le.pdf"].signer == "Nguyễn Văn An" and rows["1-hop-le.pdf"].time_proven
    assert rows["4-bi-sua.pdf"].reason == "CHANGE_CONTENT"
    assert rows["2-khong-xac-dinh.pdf"].reason == "SUBIND_TRY_LATER"
    assert rows["hong.pdf"].error_code and rows["hong.pdf"].error_code != "APP_INTERNAL"
    table = dialog.table
    assert table.rowCount() == 5
    shown = {table.item(r, 0).text(): [table.item(r, c).text() for c in range(5)] for r in range(table.rowCount())}
    assert shown["4-bi-sua.pdf"][1] == "✗ Bị sửa sau khi ký"
    assert "sửa nội dung trang" in shown["4-bi-sua.pdf"][4]
    assert shown["1-hop-le.pdf"][2] == "Nguyễn Văn An" and "/" in shown["1-hop-le.pdf"][3]
    assert "(tự khai)" in shown["2-khong-xac-dinh.pdf"][3]
    assert "Đã kiểm tra 5 tệp: 1 hợp lệ, 1 bị sửa sau khi ký, 1 không xác định, 1 không hợp lệ" in dialog.status.text()
    assert dialog.export_button.isEnabled() and not dialog.cancel_button.isEnabled()
    # exported by the same functions as `kyso verify DIR --summary`: one row per signature
    exported = dialog.export(tmp_path / "tong-hop.csv")
    assert exported == tmp_path / "tong-hop.csv" and "Đã xuất bảng tổng hợp" in dialog.status.text()
    with open(exported, encoding="utf-8-sig", newline="") as stream:
        table = list(csv.reader(stream))
    by_file = {Path(line[1]).name: line for line in table[1:]}
    assert set(by_file) == set(rows)
    assert "changed" in by_file["4-bi-sua.pdf"] and "error" in by_file["hong.pdf"]
    workbook = dialog.export(tmp_path / "tong-hop.xlsx")
    with zipfile.ZipFile(workbook) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "4-bi-sua.pdf" in sheet and "Nguyễn Văn An" in sheet
    assert dialog.export(tmp_path / "tong-hop.txt") is None  # refused, typed, in the error dialog
    desk.qtbot.waitUntil(lambda: "kyso-error" in desk.answers.names(), timeout=5000)
    dialog.close()


def test_a_folder_verification_stops_when_cancelled(desk_factory, received, tmp_path):
    desk = desk_factory()
    window = desk.window
    folder = tmp_path / "nhieu"
    folder.mkdir()
    for index in range(12):
        shutil.copy(received["valid"], folder / f"{index:02d}.pdf")
    window.verify_folder(folder)
    dialog = window.folder_dialog
    desk.qtbot.waitUntil(lambda: len(dialog.rows) >= 1, timeout=60000)
    with desk.qtbot.waitSignal(dialog.finished_rows, timeout=60000) as blocker:
        dialog.cancel_button.click()
    assert 1 <= len(blocker.args[0]) < 12
    assert "Đã dừng theo yêu cầu" in dialog.status.text()
    dialog.close()


def test_a_dropped_folder_is_verified_when_the_user_says_so(desk_factory, received):
    desk = desk_factory()
    window = desk.window
    desk.answers.on("kyso-folder-drop", lambda box: next(b for b in box.buttons() if b.text() == "Xác minh chữ ký").click())
    window.dropped([received["folder"]])
    desk.qtbot.waitUntil(lambda: window.folder_dialog is not None and not window.folder_dialog.running, timeout=180000)
    assert {row.path.name for row in window.folder_dialog.rows} >= {"1-hop-le.pdf", "4-bi-sua.pdf"}
    assert window.model.rowCount() == 0  # verified, not opened for signing
    window.folder_dialog.close()


def test_extend_from_the_window_keeps_earlier_signatures_valid(desk_factory, received, tmp_path, pki, nss, trust_dir):
    from signing.trust import TrustStore
    from signing.verify import DocumentVerdict, verify_document

    source = tmp_path / "quyet-dinh.pdf"
    source.write_bytes(received["valid"].read_bytes())
    desk = desk_factory()
    window = desk.window
    _open_and_verify(desk, [source])
    desk.select(source)
    desk.qtbot.waitUntil(lambda: window.signature_panel.extend_button.isEnabled(), timeout=10000)

    def choose(dialog):
        dialog.choose("B-LTA")
        dialog.accept()

    desk.answers.on("kyso-extend", choose)
    with desk.qtbot.waitSignal(window.extended, timeout=120000) as blocker:
        window.signature_panel.extend_button.click()
    result = blocker.args[0]
    assert not isinstance(result, BaseException), result
    output = tmp_path / "quyet-dinh.gia-han.pdf"
    assert result.output == output and output.read_bytes().startswith(source.read_bytes())
    verified = asyncio.run(verify_document(output, trust=TrustStore.load(extra_dirs=[trust_dir])))
    assert verified.verdict is DocumentVerdict.VALID
    assert [s.level for s in verified.signatures if not s.document_timestamp] == [PadesLevel.B_LTA]
    assert all(s.intact and s.valid for s in pyhanko_validate(output, pki.cert_der("root")))
    assert all(v.validation in ("Signature is Valid.", "Signature has not yet been verified.")
               for v in pdfsig(output, nss) if v.signer)
    # the copy is opened and verified in the window; the input and the output are in the audit log
    desk.qtbot.waitUntil(lambda: window.desk.verifications.get(output) is not None, timeout=120000)
    assert window.desk.verifications.get(output).verdict == "valid"
    desk.select(output)
    panel = window.signature_panel
    desk.qtbot.waitUntil(lambda: panel.state == "done" and panel.received.path == output, timeout=10000)
    panel.toggle_details(1)
    shown = panel.browser.toPlainText()
    assert "Mức: B-LTA" in shown and "Dấu thời gian văn bản 2" in shown
    assert "lưu trong kho dữ liệu xác thực (DSS) của tệp" in shown  # the evidence the extension added
    assert "OCSP của" in shown and "CRL của" in shown
    assert "phiên bản 3: bổ sung dữ liệu xác thực dài hạn (chứng thư, OCSP, CRL) — được phép" in shown
    assert "phiên bản 4: thêm dấu thời gian văn bản (" in shown and "⚠" not in shown
    from app.audit.query import AuditFilter, AuditReader

    with AuditReader(window.desk.audit.log_path) as reader:
        opened = [str(e.data) for e in reader.events(AuditFilter(types=("document.opened",)))]
        verified = [str(e.data) for e in reader.events(AuditFilter(types=("verification.done",)))]
        (extended,) = [e.data for e in reader.events(AuditFilter(types=("document.extended",)))]
    assert any(source.name in data for data in opened)
    assert extended["output"] == str(output) and extended["level"] == "B-LTA" and extended["signatures_kept"]
    assert [s["level_before"] for s in extended["signatures"] if not s["new"]] == ["B-T"]
    assert any(output.name in data for data in verified)


def test_the_panel_reads_at_1366_by_768(desk_factory, received, tmp_path):
    """At the smallest screen staff have, the verdict and each line fit the panel's width (no
    horizontal scrolling); the grab is kept for a person to look at (KYSO_SCREENSHOTS=DIR)."""
    import os

    desk = desk_factory()
    window = desk.window
    window.resize(1366, 768)
    _open_and_verify(desk, [received["changed"], received["valid"]])
    desk.select(received["changed"])
    panel = window.signature_panel
    desk.qtbot.waitUntil(lambda: panel.state == "done", timeout=10000)
    panel.toggle_details(1)
    desk.qtbot.wait(50)
    assert panel.width() >= 300
    assert panel.browser.horizontalScrollBar().maximum() == 0
    image = window.grab()
    target = Path(os.environ.get("KYSO_SCREENSHOTS") or tmp_path) / "bang-chu-ky-1366x768.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(target)) and target.stat().st_size > 10000
