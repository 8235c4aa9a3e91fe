"""A whole 30-trainee workshop in one test, as it runs in a room: the pack, every trainee signing
through the real signing job on their own practice token, the rehearsed mistakes, the trainer's
unlock, and the report with one row per trainee and the right ticks — judged from the practice
audit chain, with no sleeps."""

from __future__ import annotations

import json
import sqlite3

import pytest

from app.audit.opening import default_log_path
from app.practice import PracticeSession, load_pack
from app.practice.progress import gather_events, workshop_progress
from app.practice.report import write_report
from signing.errors import SigningError
from tests.support.signing import FixedPin
from tokens import PinStatus, TokenError

from .support import exercise, sign, verify

BASE = {"mo-va-kiem-tra", "ky-ca-nhan"}
EXTRA = {1: {"sai-pin-khoa"}, 2: {"chung-thu-loi"}, 3: {"van-ban-bi-chan"}, 4: {"rut-token"}, 5: {"dong-dau"},
         6: {"sao-y"}, 7: {"xac-minh", "sua-sau-ky"}}


def test_thirty_trainee_workshop(made_pack, pack_dir, tmp_path):
    pack = load_pack(pack_dir)
    assert len(pack.trainees) == 30
    shared_pin = pack.tokens[0].pin
    first = exercise(pack, "01-phieu-kiem-sat.pdf")
    for trainee in pack.trainees:
        session = PracticeSession(pack, trainee)
        try:
            if trainee.number == 1:
                _lock_and_unlock(session, trainer_pin=made_pack.trainer_pin)
            assert sign(session, [first], pin=trainee.pin).all_ok
            _rehearse(session, trainee.number, shared_pin)
        finally:
            session.close()

    rows = workshop_progress(pack, gather_events(pack).events)
    assert [row.number for row in rows] == list(range(1, 31))
    for row in rows:
        done = {scenario for scenario, ticked in row.done.items() if ticked}
        assert done == BASE | EXTRA.get(row.number, set()), row.number
    assert rows[0].wrong_pins == 3 and all(row.wrong_pins == 0 for row in rows[1:])
    assert rows[1].refused == 1 and rows[2].refused == 2 and rows[3].failed == 1

    _report_has_thirty_rows(pack, rows, tmp_path)
    _only_the_practice_chain(pack)


def _lock_and_unlock(session, *, trainer_pin):
    """Three wrong PINs lock the token; the fourth attempt asks nothing; the trainer unlocks it."""
    wrong = FixedPin("000000", confirm_final_try=True)
    first = exercise(session.pack, "01-phieu-kiem-sat.pdf")
    codes = []
    for _ in range(4):
        with pytest.raises(TokenError) as caught:
            sign(session, [first], pin="", prompter=wrong)
        codes.append(caught.value.code.value)
    assert codes == ["TOKEN_PIN_INCORRECT", "TOKEN_PIN_INCORRECT", "TOKEN_PIN_LOCKED", "TOKEN_PIN_LOCKED"]
    assert [r.status for r in wrong.requests] == [PinStatus.OK, PinStatus.COUNT_LOW, PinStatus.FINAL_TRY]
    with session.audited("practice unlock") as run:
        with pytest.raises(TokenError, match="TOKEN_SO_PIN_INCORRECT"):
            session.unlock(session.trainee.token, so_pin="11111111", journal=run.journal)
        session.unlock(session.trainee.token, so_pin=trainer_pin, journal=run.journal)
    assert session.rack.read(session.trainee.token).tries_left == 3


def _rehearse(session, number: int, shared_pin: str) -> None:
    pack = session.pack
    if number == 2:  # an expired certificate: refused before any PIN is asked
        session.insert("het-han")
        prompter = FixedPin(shared_pin)
        with pytest.raises(SigningError, match="CERT_EXPIRED"):
            sign(session, [exercise(pack, "01-phieu-kiem-sat.pdf")], pin="", prompter=prompter,
                 token_label="THỰC HÀNH HẾT HẠN")
        assert prompter.requests == []
    elif number == 3:  # a secret-marked document and one of no catalogue type: blocked, no PIN
        report = sign(session, [exercise(pack, "05-van-ban-mat.pdf"), exercise(pack, "07-ngoai-danh-muc.pdf")],
                      pin=session.trainee.pin)
        assert [o.error_code for o in report.outcomes] == ["PREFLIGHT_STATE_SECRET", "PREFLIGHT_TYPE_UNKNOWN"]
    elif number == 4:  # the token pulled out after the first document of a batch
        files = [exercise(pack, "01-phieu-kiem-sat.pdf"), exercise(pack, "02-bao-cao-an.pdf")]
        def pull_after_first(done, total, path):
            if done == 1:
                session.pull(session.trainee.token)

        report = sign(session, files, pin=session.trainee.pin, progress=pull_after_first,
                      out_dir=_fresh(session, "rut"))
        assert [o.error_code for o in report.outcomes] == [None, "TOKEN_REMOVED"]
        session.insert(session.trainee.token)
    elif number in (5, 6):  # the records office: the unit's seal over the leader's signature, a copy
        session.insert("to-chuc")
        name, declared = ("03-quyet-dinh-da-ky-ca-nhan.pdf", None) if number == 5 else ("04-cong-van-sao-y.pdf",
                                                                                          "Bản sao y")
        report = sign(session, [exercise(pack, name)], pin=shared_pin, token_label="THỰC HÀNH TỔ CHỨC",
                      role="van-thu", declared_type=declared)
        assert report.all_ok, report.outcomes
    elif number == 7:  # verify: a good one, and one changed after it was signed
        signed = session.pack.outputs(number) / "01-phieu-kiem-sat.thuc-hanh.pdf"
        assert verify(session, signed).all_valid
        changed = verify(session, exercise(pack, "08-da-ky-bi-sua.pdf"))
        assert not changed.all_valid and not changed.signatures[0].intact


def _fresh(session, name: str):
    folder = session.pack.outputs(session.trainee.number) / name
    folder.mkdir(parents=True)
    return folder


def _report_has_thirty_rows(pack, rows, tmp_path):
    import openpyxl

    gathered = gather_events(pack)
    out = write_report(pack, rows, gathered, out=tmp_path / "ket-qua.xlsx")
    sheet = openpyxl.load_workbook(out).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 31 and values[0][0] == "Số"
    assert values[1][:2] == (1, pack.trainees[0].name) and values[1][-6] == "3/10"  # trainee 1: 3 scenarios
    assert values[7][values[0].index("Bị sửa")] == "●" and values[8][values[0].index("Bị sửa")] == "—"


def _only_the_practice_chain(pack):
    """Every event went to the practice chain, each carrying the workshop; no PIN anywhere."""
    connection = sqlite3.connect(default_log_path())
    modes = dict(connection.execute("SELECT mode, count(*) FROM audit_event GROUP BY mode").fetchall())
    datas = [json.loads(row[0]) for row in connection.execute("SELECT data FROM audit_event")]
    connection.close()
    assert set(modes) == {"practice"} and modes["practice"] > 100
    assert all(data["practice"]["workshop"] == pack.id for data in datas)
    pins = {t.pin for t in pack.trainees} | {t.pin for t in pack.tokens}
    assert not pins & set(_strings(datas))


def _strings(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value
