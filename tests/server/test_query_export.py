"""Query filters, per-unit scope, and exports (CSV with BOM, XLSX, JSONL that re-verifies)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from app.audit import wire
from tests.support.audit_server import HTTP, sealed_chain


def _load(live):
    ws = live.workstation()
    morning = sealed_chain(ws.workstation_id, count=6, at_utc="2026-03-01T02:00:00.000000Z")
    evening = sealed_chain(ws.workstation_id, count=4, start=7, prev_hash=morning[-1]["hash"],
                           at_utc="2026-03-02T12:00:00.000000Z",
                           data={"document": "=cmd|' /C calc'!A0", "document_type": "cao-trang", "outcome": "refused"})
    practice = sealed_chain(ws.workstation_id, count=3, mode="practice")
    for batch in (morning, evening, practice):
        assert HTTP.post(f"{live.url}/api/v1/events", json={"events": batch}, headers=ws.headers).status_code == 200
    return ws, morning + evening, practice


def _count(live, who, **params) -> int:
    total, after = 0, 0
    while True:
        page = HTTP.get(f"{live.url}/api/v1/events", params={**params, "after_id": after, "limit": 4},
                        headers=live.headers(who)).json()
        total += len(page["events"])
        if page["next_after_id"] is None:
            return total
        after = page["next_after_id"]


def test_filters_and_unit_scope(live):
    ws, production, practice = _load(live)
    mine = {"workstation": ws.workstation_id}
    assert _count(live, "auditor", **mine) == 13
    assert _count(live, "auditor", **mine, mode="practice") == 3
    assert _count(live, "auditor", **mine, outcome="refused") == 4
    assert _count(live, "auditor", **mine, outcome="failed", mode="production") == 2  # seq 3 and 6
    assert _count(live, "auditor", **mine, document_type="cao-trang") == 4
    assert _count(live, "auditor", **mine, user="Nguyễn Văn An") == 13
    assert _count(live, "auditor", **mine, user="canbo", type="sign.failed") == 4
    assert _count(live, "auditor", **mine, **{"from": "2026-03-02T00:00:00Z", "to": "2026-03-03T00:00:00+07:00"}) == 4
    assert _count(live, "other_auditor", **mine) == 0  # another unit's events are not visible
    refused = HTTP.get(f"{live.url}/api/v1/events", params={**mine, "unit": live.unit},
                       headers=live.headers("other_auditor"))
    assert (refused.status_code, refused.json()["code"]) == (403, "SERVER_OTHER_UNIT")
    naive = HTTP.get(f"{live.url}/api/v1/events", params={"from": "2026-03-02T00:00:00"}, headers=live.headers("auditor"))
    assert naive.status_code == 422


def test_exports(live):
    ws, production, practice = _load(live)
    params = {"workstation": ws.workstation_id}
    csv_bytes = HTTP.get(f"{live.url}/api/v1/events/export", params={**params, "format": "csv"},
                         headers=live.headers("auditor")).content
    assert csv_bytes.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    assert len(rows) == 13 and rows[0]["user_name"] == "Nguyễn Văn An"
    assert json.loads(rows[-4]["data"].lstrip("'"))["document"].startswith("=")
    assert not any(cell.startswith("=") for row in rows for cell in row.values())  # no formula reaches Excel

    lines = HTTP.get(f"{live.url}/api/v1/events/export", params={**params, "format": "jsonl"},
                     headers=live.headers("auditor")).content.decode("utf-8").splitlines()
    exported = [json.loads(line) for line in lines]
    assert sorted((e["mode"], e["seq"]) for e in exported) == sorted(
        [(e["mode"], e["seq"]) for e in production + practice])
    assert all(wire.event_hash(e) == e["hash"] for e in exported)  # anyone can re-verify

    xlsx = HTTP.get(f"{live.url}/api/v1/events/export", params={**params, "format": "xlsx"},
                    headers=live.headers("admin"))
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
        strings = book.read("xl/sharedStrings.xml").decode("utf-8") if "xl/sharedStrings.xml" in book.namelist() else ""
    assert sheet.count("<row ") == 14 and "<pane " in sheet  # header + 13, frozen header
    assert "<f>" not in sheet and ("Nguyễn Văn An" in sheet or "Nguyễn Văn An" in strings)
    total = HTTP.get(f"{live.url}/api/v1/admin/log/verify", headers=live.headers("admin")).json()["entries"]
    log = HTTP.get(f"{live.url}/api/v1/admin/log", params={"after_seq": max(0, total - 20), "limit": 20},
                   headers=live.headers("admin")).json()["entries"]
    assert sum(entry["action"] == "events.exported" for entry in log) >= 3  # every export is recorded


def test_export_never_crosses_units(live):
    _load(live)
    for fmt in ("csv", "jsonl"):
        other = HTTP.get(f"{live.url}/api/v1/events/export", params={"format": fmt}, headers=live.headers("other_auditor"))
        assert other.status_code == 200 and live.unit not in other.text
        mine = HTTP.get(f"{live.url}/api/v1/events/export", params={"format": fmt}, headers=live.headers("auditor"))
        assert live.other_unit not in mine.text and live.unit in mine.text if fmt == "csv" else True
