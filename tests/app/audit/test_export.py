"""kyso audit verify / export: formats read back by independent readers, filters, exit codes,
the visibility policy, and the export recorded as an event."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date

import pytest

from app.audit.events import AuditActor
from app.audit.opening import default_log_path
from app.audit.query import AuditFilter, AuditReader, AuditViewer, fold, restrict, who_may_see
from app.audit.session import open_journal
from app.audit.wire import event_hash
from app.cli.main import main

AN = AuditActor("an", "Nguyễn Văn An", "vien-truong")
BINH = AuditActor("binh", "Trần Thị Bình", "van-thu")


@pytest.fixture
def log(kyso_home, tmp_path, monkeypatch):
    """A small log: two users, signatures that worked and failed, one practice event. The OS
    account running the tests administers the workstation (policy.toml), so it sees everyone's."""
    from app.audit.journal import os_user

    policy = tmp_path / "policy"
    policy.mkdir()
    (policy / "policy.toml").write_text(f'[audit]\nadministrators = ["{os_user()}"]\n', encoding="utf-8")
    monkeypatch.setenv("KYSO_POLICY_DIR", str(policy))
    journal = open_journal()
    for index, actor in enumerate([AN, BINH, AN, AN, BINH]):
        journal._actor = lambda actor=actor: actor
        journal.record("document.opened", document=f"Quyết định {index}.pdf", size=100 + index)
        journal.record("sign.succeeded" if index % 2 == 0 else "sign.failed", document=f"Quyết định {index}.pdf",
                       outcome="ok" if index % 2 == 0 else "failed")
    journal.record("document.opened", document="=cmd|' /C calc'!A0.pdf")  # a formula-looking file name
    open_journal(mode="practice").record("app.started", version="0.1.0")
    journal.store.close()
    return default_log_path()


def _export(tmp_path, fmt, *extra):
    out = tmp_path / f"audit.{fmt}"
    assert main(["audit", "export", "--format", fmt, "--out", str(out), *extra]) == 0
    return out


def test_csv_has_a_bom_and_reads_back_in_excel_order(log, tmp_path):
    out = _export(tmp_path, "csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["Số TT", "Chế độ", "Thời gian (giờ máy)"]
    assert any(row[9] == "Quyết định 0.pdf" and row[6] == "Nguyễn Văn An" for row in rows[1:])
    assert any(row[9].startswith("'=cmd") for row in rows[1:])  # never run as a formula


def test_xlsx_header_frozen_widths_and_every_row(log, tmp_path):
    import openpyxl

    out = _export(tmp_path, "xlsx", "--lang", "en")
    book = openpyxl.load_workbook(out)
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]][:2] == ["Seq", "Mode"]
    assert sheet.column_dimensions["J"].width >= 30
    with AuditReader(log) as reader:
        assert sheet.max_row == reader.count(AuditFilter()) - 1  # header; "exported" and "stopped" came after
    documents = [row[9].value for row in sheet.iter_rows(min_row=2)]
    assert "Quyết định 3.pdf" in documents and "=cmd|' /C calc'!A0.pdf" in documents


def test_jsonl_carries_hashes_anyone_can_recheck(log, tmp_path):
    out = _export(tmp_path, "jsonl", "--mode", "production")
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert events and all(event_hash(event) == event["hash"] for event in events)
    assert all(b["prev_hash"] == a["hash"] and b["seq"] == a["seq"] + 1 for a, b in zip(events, events[1:], strict=False))


def test_filters_user_type_outcome_dates(log, tmp_path):
    out = _export(tmp_path, "jsonl", "--user", "Trần Thị Bình", "--type", "sign", "--outcome", "failed",
                  "--from", date.today().isoformat(), "--to", date.today().isoformat())
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(e["user_name"], e["type"]) for e in events] == [("Trần Thị Bình", "sign.failed")]
    nothing = _export(tmp_path, "jsonl", "--to", "2000-01-01")
    assert nothing.read_text() == ""


def test_pdf_report_in_vietnamese(log, tmp_path):
    out = _export(tmp_path, "pdf")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "BÁO CÁO NHẬT KÝ KIỂM TOÁN" in text and "Quyết định 4.pdf" in text and "thành công" in text


def test_the_export_is_itself_recorded(log, tmp_path):
    _export(tmp_path, "csv", "--type", "sign")
    with AuditReader(log) as reader:
        last = reader.page(AuditFilter(types=("audit",)), limit=1).events[0]
    assert last.type == "audit.exported" and last.data["count"] == 5 and last.data["filter"]["types"] == ["sign"]


def test_verify_exit_codes_and_json(log, tmp_path, capsys):
    assert main(["audit", "verify", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and [c["mode"] for c in report["chains"]] == ["production", "practice"]
    copy = tmp_path / "copy.sqlite3"
    source = sqlite3.connect(log)
    with sqlite3.connect(copy) as target:
        source.backup(target)
    source.close()
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE audit_event SET user_name = 'Người khác' WHERE mode = 'production' AND seq = 4")
    assert main(["audit", "verify", "--db", str(copy)]) == 1
    output = capsys.readouterr().out
    assert "HỎNG tại sự kiện số 4 — bị sửa" in output
    assert main(["audit", "verify", "--db", str(tmp_path / "none.sqlite3")]) == 2
    assert "[AUDIT_DB_MISSING]" in capsys.readouterr().err
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database at all" * 100)
    assert main(["audit", "verify", "--db", str(garbage), "--lang", "en"]) == 2
    assert "[AUDIT_DB_UNREADABLE] Cannot read the audit log file" in capsys.readouterr().err


def test_visibility_policy_and_paging(log):
    own = who_may_see(AuditViewer("binh", "Trần Thị Bình"), policy={})
    assert not own.everyone
    assert who_may_see(AuditViewer("binh"), policy={"audit": {"administrators": ["BINH"]}}).everyone
    assert who_may_see(AuditViewer("binh", administrator=True), policy={}).everyone
    with AuditReader(log) as reader:
        mine = restrict(AuditFilter(), own)
        assert {e.user_name for e in reader.events(mine)} == {"Trần Thị Bình"}
        assert reader.count(restrict(AuditFilter(users=("Nguyễn Văn An",)), own)) == 0
        first = reader.page(AuditFilter(), limit=4)
        second = reader.page(AuditFilter(), before=first.next_before, limit=4)
        assert len(first) == 4 and first.ids[0] > first.ids[-1] > second.ids[0]
        assert reader.count(AuditFilter(text="quyet dinh 3")) == 2  # diacritics and case ignored
    assert fold("Quyết Định Đ") == "quyet dinh d"


def test_a_user_exports_only_their_own_events_by_default(log, tmp_path, monkeypatch):
    monkeypatch.setenv("KYSO_POLICY_DIR", str(tmp_path / "no-policy"))
    out = _export(tmp_path, "jsonl")
    from app.audit.journal import os_user

    users = {json.loads(line)["os_user"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert users == {os_user()}
