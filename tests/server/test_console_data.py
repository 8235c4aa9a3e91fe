"""What the console shows and does with the data: keyset pages that cover every event once, the
search without diacritics, exports of exactly what is filtered (read back), chain verification
with progress that finds tampering, uploaded exports re-verified, alerts acknowledged in the
admin log, the policy form, enrolment codes shown once."""

from __future__ import annotations

import json
import re
import secrets

import pytest

from tests.support.console import event_chain, exported_hashes, query_rows


def _event_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'href="/events/(\d+)"', html)]


def test_keyset_pages_cover_every_event_once_newest_first(console_site):
    client = console_site.client("auditor")
    expected = [row.id for row in query_rows(console_site, "SELECT id FROM events WHERE unit_id = :u AND mode = 'production' "
                                        "ORDER BY at_utc DESC, id DESC", u=console_site.unit)]
    seen, path = [], "/events"
    while path:
        page = client.get(path).text
        seen += _event_ids(page)
        found = re.search(r'href="([^"]*before=[^"]*)" rel="next"', page)
        path = found.group(1).replace("&amp;", "&") if found else None
    assert seen == expected and len(expected) > 150  # 160 events over four pages
    client.close()


def test_search_ignores_diacritics_and_combines_filters(console_site):
    site = console_site
    client = site.client("admin")
    one = site.workstations["one"]["id"]
    for typed in ("quyet dinh phe chuan", "QUYẾT ĐỊNH phê", "nguyen van duc", "Đức"):
        page = client.get("/events", params={"document": typed, "unit": site.unit}).text
        ids = _event_ids(page)
        assert ids, typed
        documents = {row.data for row in query_rows(site, "SELECT data FROM events WHERE id = ANY(:ids)", ids=ids)}
        word = "Quyết định" if "quyet" in typed.lower() or "quyết" in typed.lower() else "Đức"
        assert all(word in json.loads(data)["document"] for data in documents), typed
    october = client.get("/events", params={"workstation": one, "from": "2026-10-01", "to": "2026-10-31",
                                            "outcome": "failed"}).text
    expected = query_rows(site, "SELECT id FROM events WHERE workstation_id = :w AND mode = 'production' AND outcome = "
                     "'failed' AND at_utc >= '2026-09-30T17:00:00Z' AND at_utc < '2026-10-31T17:00:00Z'", w=one)
    assert sorted(_event_ids(october)) == sorted(row.id for row in expected) and expected
    client.close()


def test_event_detail_shows_hashes_certificate_and_level(console_site):
    client = console_site.client("auditor")
    event = console_site.workstations["one"]["events"][("production", 3)]  # a signature
    (row,) = query_rows(console_site, "SELECT id FROM events WHERE hash = :h", h=event["hash"])
    page = client.get(f"/events/{row.id}").text
    for shown in (event["hash"], event["prev_hash"], event["data"]["input_sha256"], "CN=VNPT-CA", "B-LT",
                  "SHA-256 tệp gốc", "Chứng thư số: tổ chức cấp"):
        assert shown in page, shown
    client.close()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl", "pdf"])
def test_exports_carry_exactly_the_filters(console_site, fmt):
    site = console_site
    client = site.client("auditor")
    one = site.workstations["one"]["id"]
    params = {"format": fmt, "workstation": one, "type": "sign.succeeded", "from": "2026-10-01", "to": "2026-10-20"}
    answer = client.get("/events/export", params=params)
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    expected = {row.hash for row in query_rows(site, "SELECT hash FROM events WHERE workstation_id = :w AND mode = "
                                          "'production' AND type = 'sign.succeeded' AND at_utc >= "
                                          "'2026-09-30T17:00:00Z' AND at_utc < '2026-10-20T17:00:00Z'", w=one)}
    assert expected
    assert exported_hashes(fmt, answer.content) == ({h[:16] for h in expected} if fmt == "pdf" else expected)
    client.close()


def test_verification_with_progress_finds_an_edited_event(console_site, monkeypatch):
    import server.services.verification_runs as runs

    monkeypatch.setattr(runs, "STEP_EVENTS", 15)  # the server runs in this process: several steps
    site = console_site
    name = f"tamper-{secrets.token_hex(2)}"
    ident = site.enrol(name, site.unit)["id"]
    site.send(name, event_chain(ident, count=40, first=site.first_day))
    client = site.client("auditor")
    page = client.get(client.post("/verification/runs", {"workstation": ident}).headers["location"])
    run = re.search(r'action="(/verification/runs/\d+/step)"', page.text).group(1)
    assert 'hx-trigger="load' in page.text and "0 / 40" in page.text
    steps = [client.post(run, {}, headers={"HX-Request": "true"}).text for _ in range(3)]
    assert "15 / 40" in steps[0] and "30 / 40" in steps[1] and "Mọi chuỗi nguyên vẹn" in steps[2]
    assert "hx-trigger" not in steps[2]
    query_rows(site, "UPDATE events SET data = replace(data, '.pdf', '.PDF') WHERE chain = :c AND seq = 22", c=ident)
    again = client.post("/verification/runs", {"workstation": ident}).headers["location"]
    for _ in range(3):
        done = client.post(again + "/step", {}, headers={"HX-Request": "true"}).text
    assert "Sự kiện 22 bị sửa" in done
    overview = client.get("/").text
    assert "Hỏng tại sự kiện 22" in overview
    assert "chains.verified" in {row.action for row in query_rows(site, "SELECT action FROM admin_log WHERE target = :w",
                                                             w=ident)}
    client.close()


def test_uploaded_export_is_reverified_and_compared(console_site):
    site = console_site
    client = site.client("auditor")
    one = site.workstations["one"]["id"]
    exported = client.get("/events/export", params={"format": "jsonl", "workstation": one}).content
    lines = exported.decode().splitlines()
    intact = client.post("/verification/upload", {}, files={"export": ("nhat-ky.jsonl", exported)}).text
    assert f"Tệp nguyên vẹn: {len(lines)} dòng" in intact and f"{len(lines)} khớp, 0 khác" in intact
    edited = json.loads(lines[9])
    edited["data"]["document"] = "Văn bản khác.pdf"
    lines[9] = json.dumps(edited, ensure_ascii=False)
    lines.insert(3, "không phải JSON")
    lines.append(json.dumps(event_chain("ws-la-1234", count=1, first=site.first_day)[0]))
    broken = client.post("/verification/upload", {}, files={"export": ("sua.jsonl", "\n".join(lines).encode())}).text
    assert "Dòng 4: không phải JSON" in broken
    assert "Dòng 11 · Số thứ tự 10: mã băm không khớp nội dung" in broken
    assert "không so (chuỗi không thuộc đơn vị của bạn)" in broken
    client.close()


def test_alert_is_acknowledged_with_a_comment_in_the_admin_log(console_site):
    site = console_site
    name = f"alert-{secrets.token_hex(2)}"
    ident = site.enrol(name, site.unit)["id"]
    site.send(name, event_chain(ident, count=5, first=site.first_day))
    rewritten = event_chain(ident, count=1, first=site.first_day, start=3, users=("Người sửa",),
                            prev_hash=site.workstations[name]["events"][("production", 2)]["hash"])
    assert site.send(name, rewritten).status_code == 409
    (alert,) = query_rows(site, "SELECT id FROM alerts WHERE workstation_id = :w", w=ident)
    auditor, admin = site.client("auditor"), site.client("unit_admin")
    page = auditor.get("/verification").text
    assert f'id="alert-{alert.id}"' in page and f'action="/alerts/{alert.id}/acknowledge"' not in page
    comment = f"Đã liên hệ cán bộ, máy bị cài lại {secrets.token_hex(2)}"
    assert admin.post(f"/alerts/{alert.id}/acknowledge", {"comment": comment}).status_code == 303
    assert comment in admin.get("/verification").text
    (entry,) = query_rows(site, "SELECT details FROM admin_log WHERE action = 'alert.acknowledged' AND target = :a",
                     a=str(alert.id))
    assert json.loads(entry.details)["comment"] == comment
    auditor.close()
    admin.close()


def test_policy_form_publishes_and_refuses_with_problems(console_site):
    site = console_site
    admin = site.client("unit_admin")
    form = {"unit": site.unit, "locked_by": "Văn phòng VKSND", "how_tsa_url": "locked",
            "value_tsa_url": "http://tsa.vks.gov.vn", "how_pkcs11_modules": "default",
            "value_pkcs11_modules": "a.dll\nb.dll", "keep_days": "30", "visibility": "all"}
    assert admin.post("/configuration/policy", form).status_code == 303
    (row,) = query_rows(site, "SELECT content FROM unit_configs WHERE unit_id = :u AND kind = 'policy'", u=site.unit)
    from app.policy import parse_policy

    policy = parse_policy(row.content, source="test")
    assert policy["locked"] == {"tsa_url": "http://tsa.vks.gov.vn"} and policy["defaults"] == {
        "pkcs11_modules": ["a.dll", "b.dll"]}
    assert policy["audit"] == {"keep_days": 30, "visibility": "all"} and policy["locked_by"] == "Văn phòng VKSND"
    page = admin.get("/configuration").text
    assert 'value="http://tsa.vks.gov.vn"' in page  # the form shows what is published
    refused = admin.post("/configuration/policy", {**form, "keep_days": "ba mươi"})
    assert refused.status_code == 422 and "audit.keep_days" in refused.text and "số ngày nguyên" in refused.text
    admin.close()


def test_enrolment_code_is_shown_once_and_works(console_site):
    site = console_site
    admin = site.client("unit_admin")
    page = admin.post("/workstations/codes", {"unit": site.unit, "hours": "2"}).text
    code = re.search(r'id="enrolment-code">([A-Z0-9-]+)<', page).group(1)
    assert "kyso enroll https://127.0.0.1" in page and "data-print" in page
    assert code not in admin.get("/workstations").text
    assert query_rows(site, "SELECT count(*) AS n FROM enrolment_codes WHERE code_hash = :h",
                 h=__import__("hashlib").sha256(code.replace("-", "").encode()).hexdigest())[0].n == 1
    admin.close()


def test_a_deployment_code_for_many_workstations_from_the_console(console_site):
    site = console_site
    admin = site.client("unit_admin")
    page = admin.post("/workstations/codes", {"unit": site.unit, "hours": "48", "uses": "250"}).text
    code = re.search(r'id="enrolment-code">([A-Z0-9-]+)<', page).group(1)
    assert "250" in page and f"ENROLMENT_CODE={code}" in page and "msiexec /i" in page
    assert "0/250" in admin.get("/workstations").text
    assert admin.post("/workstations/codes", {"unit": site.unit, "hours": "48", "uses": "0"}).status_code == 422
    admin.close()


def test_accounts_created_and_password_reset_from_the_console(console_site):
    site = console_site
    admin = site.client("unit_admin")
    name = f"moi-{secrets.token_hex(3)}"
    weak = admin.post("/accounts", {"username": name, "password": "ngắn", "password_again": "ngắn", "role": "auditor",
                                    "unit": site.unit})
    assert weak.status_code == 422 and "Mật khẩu quá yếu" in weak.text
    every = admin.post("/accounts", {"username": name, "password": "một mật khẩu dài", "password_again":
                                     "một mật khẩu dài", "role": "administrator", "unit": ""})
    assert every.status_code == 403  # a unit's administrator makes no account of every unit
    assert admin.post("/accounts", {"username": name, "password": "một mật khẩu dài",
                                    "password_again": "một mật khẩu dài", "role": "auditor", "unit": site.unit}
                      ).status_code == 303
    user = site.client()
    assert user.sign_in(name, "một mật khẩu dài").status_code == 303
    (account,) = query_rows(site, "SELECT id FROM admin_accounts WHERE username = :n", n=name)
    assert admin.post(f"/accounts/{account.id}/password", {"password": "mật khẩu mới thật dài",
                                                           "password_again": "mật khẩu mới thật dài"}).status_code == 303
    assert user.get("/").status_code == 303  # the reset ended the account's sessions
    assert user.sign_in(name, "mật khẩu mới thật dài").status_code == 303
    admin.close()
    user.close()


def test_an_uploaded_line_too_long_is_cut_never_read_whole():
    import io

    from server.console.pages.verification import _lines

    assert list(_lines(io.BytesIO(b"a" * 25 + b"\nok\n" + b"b" * 10), longest=10)) == [b"a" * 10, b"ok\n", b"b" * 10]
