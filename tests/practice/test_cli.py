"""The trainer's and the newcomer's commands, run as they would run them: a pack made from the
office's CSV as one archive, signing and unlocking from it, the report; `kyso practice try`
for someone with no token; clear answers for a bad list."""

from __future__ import annotations

import csv
import json
import os
import stat
import zipfile

import pytest

from app.cli.report import Reporter

pytestmark = [pytest.mark.hsm]

TRAINEES = "\ufeffSTT;Họ và tên;Chức danh\n1;Phạm Thị Thu Hà;Kiểm sát viên\n2;Đinh Văn Toàn;Kiểm tra viên\n"


def test_trainer_makes_an_archive_from_a_csv_trainees_sign_and_the_report_has_them(run_kyso, tmp_path):
    listing = tmp_path / "danh-sach.csv"
    listing.write_text(TRAINEES, encoding="utf-8")
    archive = tmp_path / "lop.zip"
    made = run_kyso("practice", "init", "--trainees", str(listing), "--out", str(archive), "--trainer", "Lê Hoa",
                    "--unit", "VKSND khu vực 2", "--json")
    assert made.returncode == 0, made.stderr
    pin_file = tmp_path / "lop.giang-vien.txt"
    assert stat.S_IMODE(os.stat(pin_file).st_mode) == 0o600
    trainer_pin = pin_file.read_text().strip()
    assert trainer_pin in made.stderr and trainer_pin.encode() not in archive.read_bytes()
    with zipfile.ZipFile(archive) as bundle:
        manifest = bundle.read(next(n for n in bundle.namelist() if n.endswith("workshop.toml"))).decode()
    pin = manifest.split('name = "Phạm Thị Thu Hà"')[1].split('pin = "')[1][:6]

    exercise = tmp_path / "bai.pdf"
    with zipfile.ZipFile(archive) as bundle:
        exercise.write_bytes(bundle.read(next(n for n in bundle.namelist() if n.endswith("01-phieu-kiem-sat.pdf"))))
    signed = run_kyso("sign", str(exercise), "--practice", str(archive), "--trainee", "1", "--pin-stdin",
                      "--out", str(tmp_path), "--json", pin=pin)
    assert signed.returncode == 0, signed.stderr
    assert json.loads(signed.stdout)["files"][0]["output"] == str(tmp_path / "bai.thuc-hanh.pdf")
    assert "THỰC HÀNH" in signed.stderr

    wrong = run_kyso("sign", str(exercise), "--practice", str(archive), "--trainee", "2", "--pin-stdin", pin="0000")
    assert wrong.returncode == 2 and "TOKEN_PIN_INCORRECT" in wrong.stderr
    unlocked = run_kyso("practice", "unlock", str(archive), "--trainee", "2", "--so-pin-stdin", pin=trainer_pin)
    assert unlocked.returncode == 0, unlocked.stderr

    report = run_kyso("practice", "report", str(archive), "--out", str(tmp_path / "ket-qua.csv"))
    assert report.returncode == 0, report.stderr
    with open(tmp_path / "ket-qua.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert [row[:3] for row in rows[1:]] == [["1", "Phạm Thị Thu Hà", "Kiểm sát viên"],
                                              ["2", "Đinh Văn Toàn", "Kiểm tra viên"]]
    header = rows[0]
    assert rows[1][header.index("Ký cá nhân")] == "●" and rows[2][header.index("Sai PIN")] == "1"


def test_options_reaching_outside_the_workshop_are_refused(run_kyso, tmp_path):
    refused = run_kyso("sign", str(tmp_path / "x.pdf"), "--practice", str(tmp_path), "--trainee", "1", "--force")
    assert refused.returncode == 2 and "PRACTICE_OPTION_NOT_ALLOWED" in refused.stderr


def test_a_newcomer_with_no_token_signs_in_practice_within_a_minute(run_kyso):
    tried = run_kyso("practice", "try", "--json")
    assert tried.returncode == 0, tried.stderr
    offer = json.loads(tried.stdout)
    signed = run_kyso("sign", offer["exercise"], "--practice", offer["pack"], "--trainee", "1", "--pin-stdin",
                      pin=offer["pin"])
    assert signed.returncode == 0, signed.stderr
    assert os.path.isfile(offer["output"])


def test_a_bad_trainee_list_names_its_line(run_kyso, tmp_path):
    listing = tmp_path / "danh-sach.csv"
    listing.write_text("Họ và tên,Chức danh\nNguyễn An,Kiểm sát viên\n,Kiểm tra viên\n", encoding="utf-8")
    made = run_kyso("practice", "init", "--trainees", str(listing), "--out", str(tmp_path / "lop"))
    assert made.returncode == 2 and "PRACTICE_TRAINEE_NAME_INVALID" in made.stderr and "Dòng 3" in made.stderr
    assert not (tmp_path / "lop").exists() or not any((tmp_path / "lop").iterdir())


def test_no_token_offers_practice_mode(capsys):
    Reporter(lang="vi", json_mode=False, command="sign").fail_code("TOKEN_NOT_PRESENT", {"module": "-"})
    assert "kyso practice try" in capsys.readouterr().err
