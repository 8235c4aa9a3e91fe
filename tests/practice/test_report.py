"""The trainer's report from practice logs handed in: two workstations' JSONL exports (the same
format the central server exports its practice events in), an edited line left out and counted,
an event handed in twice counted once, another workshop's events ignored."""

from __future__ import annotations

import json
from pathlib import Path

from app.audit.export import ExportFormat, export_log
from app.audit.opening import default_log_path
from app.audit.query import AuditFilter, AuditReader
from app.audit.wire import seal
from app.practice import PracticeSession, load_pack
from app.practice.progress import gather_events, workshop_progress

from .support import exercise, sign


def _workstation(pack_dir: Path, number: int, home: Path, monkeypatch, out: Path) -> Path:
    """Trainee `number` practises on their own workstation (own data folder), then hands in."""
    monkeypatch.setenv("KYSO_HOME", str(home))
    pack = load_pack(pack_dir)
    session = PracticeSession(pack, pack.trainee(number))
    try:
        sign(session, [exercise(pack, "01-phieu-kiem-sat.pdf")], pin=session.trainee.pin)
    finally:
        session.close()
    with AuditReader(default_log_path()) as reader:
        export_log(reader, AuditFilter(mode="practice"), format=ExportFormat.JSONL, out=out)
    return out


def test_report_from_logs_handed_in(pack_dir, tmp_path, monkeypatch):
    first = _workstation(pack_dir, 1, tmp_path / "may-1", monkeypatch, tmp_path / "nop-01.jsonl")
    second = _workstation(pack_dir, 2, tmp_path / "may-2", monkeypatch, tmp_path / "nop-02.jsonl")
    lines = second.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[-1])
    edited["data"]["exit_code"] = 0 if edited["data"].get("exit_code") else 1  # an edit: the hash no longer fits
    foreign = {key: value for key, value in json.loads(lines[0]).items() if key != "hash"}
    foreign["data"]["practice"]["workshop"], foreign["seq"] = "another-workshop", 9999
    extra = [json.dumps(edited, ensure_ascii=False), json.dumps(seal(foreign), ensure_ascii=False)]
    second.write_text("\n".join([*lines[:-1], *extra]) + "\n", encoding="utf-8")

    pack = load_pack(pack_dir)
    gathered = gather_events(pack, sources=[first, second, first], include_local=False)
    assert gathered.rejected == 1
    assert {e["data"]["practice"]["workshop"] for e in gathered.events} == {pack.id}
    assert len({(e["workstation"], e["seq"]) for e in gathered.events}) == len(gathered.events)
    rows = workshop_progress(pack, gathered.events)
    assert [row.done["ky-ca-nhan"] for row in rows[:3]] == [True, True, False]
    assert rows[0].signed == rows[1].signed == 1 and len(rows) == 30
