"""Who may see and do what in the console: every page and form with every role and with none,
across units (unit B's accounts on unit A's ids, changed by hand), forms without or with a wrong
CSRF token, session fixation, lock-out, sign-out, the idle timeout. The browser never gets what
the API would refuse."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text, update

from tests.support.audit_server import ADMIN_PASSWORD
from tests.support.console import WHO, ConsoleClient, csrf_of

ALL = ("none", *WHO)
#            none admin unit_admin auditor other_auditor other_admin
PAGE = (303, 200, 200, 200, 200, 200)  # every account reads its own unit
MINE = (303, 200, 200, 200, 404, 404)  # one of unit A's objects
ADMIN_OF_A = (303, 200, 200, 403, 403, 403)
ADMIN_OF_A_OBJECT = (303, 303, 303, 403, 403, 404)  # an administrator's form on one of unit A's objects
EVERY_UNIT = (303, 200, 403, 403, 403, 403)


def _query(site, name: str, sql: str, **params):
    engine = create_engine(site.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


def _ids(site) -> dict[str, str]:
    import json

    one = site.workstations["one"]["id"]
    first = site.workstations["one"]["events"][("production", 1)]
    return {"jsonl": (json.dumps(first, ensure_ascii=False) + "\n").encode(),
        "unit": site.unit, "ws": one, "victim_ws": site.workstations["two"]["id"],
        "event": str(_query(site, "event", "SELECT min(id) FROM events WHERE chain = :c", c=one)),
        "alert": str(_query(site, "alert", "SELECT min(id) FROM alerts WHERE unit_id = :u", u=site.unit)),
    }


def _matrix(ids: dict[str, str], victim: dict[str, str], run: str):
    """(method, path, form, expected per ALL). POSTs get the caller's own CSRF token."""
    u, ws = ids["unit"], ids["ws"]
    return [
        ("GET", "/", None, PAGE),
        ("GET", f"/?unit={u}", None, (303, 200, 200, 200, 403, 403)),
        ("GET", "/events", None, PAGE),
        ("GET", f"/events?unit={u}", None, (303, 200, 200, 200, 403, 403)),
        ("GET", "/practice", None, PAGE),
        ("GET", f"/events/{ids['event']}", None, MINE),
        ("GET", f"/events/export?format=jsonl&unit={u}", None, (303, 200, 200, 200, 403, 403)),
        ("GET", "/events/export?format=csv", None, PAGE),
        ("GET", "/verification", None, PAGE),
        ("GET", f"/verification/runs/{run}", None, MINE),
        ("POST", "/verification/runs", {"workstation": ws}, (303, 303, 303, 303, 404, 404)),
        ("POST", f"/verification/runs/{run}/step", {}, (303, 303, 303, 303, 404, 404)),
        ("POST", f"/alerts/{ids['alert']}/acknowledge", {"comment": "đã xem"}, ADMIN_OF_A_OBJECT),
        ("GET", "/workstations", None, PAGE),
        ("POST", "/workstations/codes", {"unit": u, "hours": "1"}, ADMIN_OF_A),
        ("GET", f"/workstations/{ids['victim_ws']}/revoke", None, (303, 200, 200, 403, 403, 404)),
        ("GET", f"/configuration?unit={u}", None, ADMIN_OF_A),
        ("POST", "/configuration/policy", {"unit": u, "how_language": "default", "value_language": "vi"},
         (303, 303, 303, 403, 403, 403)),
        ("GET", f"/configuration/policy/1?unit={u}", None, ADMIN_OF_A),
        ("POST", "/configuration/catalogue", {"unit": u, "catalogue_text": "schema: [broken"},
         (303, 422, 422, 403, 403, 403)),
        ("GET", "/accounts", None, (303, 200, 200, 403, 403, 200)),
        ("POST", "/accounts", {"username": "new", "password": ADMIN_PASSWORD,
                               "password_again": ADMIN_PASSWORD, "role": "auditor", "unit": u},
         (303, 303, 303, 403, 403, 403)),
        ("POST", f"/accounts/{victim['id']}/unlock", {}, ADMIN_OF_A_OBJECT),
        ("POST", f"/accounts/{victim['id']}/disable", {}, ADMIN_OF_A_OBJECT),
        ("POST", f"/accounts/{victim['id']}/enable", {}, ADMIN_OF_A_OBJECT),
        ("POST", f"/accounts/{victim['id']}/password", {"password": ADMIN_PASSWORD, "password_again": ADMIN_PASSWORD},
         ADMIN_OF_A_OBJECT),
        ("GET", "/admin-log", None, EVERY_UNIT),
        ("GET", "/admin-log?verify=1", None, EVERY_UNIT),
        ("POST", f"/workstations/{ids['victim_ws']}/revoke", {}, ADMIN_OF_A_OBJECT),
        ("POST", "/verification/upload", {"_files": {"export": ("one.jsonl", ids["jsonl"], "application/x-ndjson")}},
         (303, 200, 200, 200, 200, 200)),  # the file's own chains are shown back, compared only when readable
        ("GET", "/login", None, (200,) * 6),
        ("POST", "/login", {"username": "x", "password": "y"}, (401,) * 6),  # not with a page's token
        ("GET", "/lang/en?next=/events", None, (303,) * 6),
        ("GET", "/api/v1/docs", None, (200,) * 6),
        ("GET", "/static/vendor/htmx/htmx-2.0.11.min.js", None, (200,) * 6),
        ("POST", "/logout", {}, (303,) * 6),
    ]  # logout last


def _victim_account(site) -> dict[str, str]:
    client = site.client("admin")
    name = f"victim-{secrets.token_hex(3)}"
    assert client.post("/accounts", {"username": name, "password": ADMIN_PASSWORD, "password_again": ADMIN_PASSWORD,
                                     "role": "auditor", "unit": site.unit}).status_code == 303
    client.close()
    return {"name": name, "id": str(_query(site, "a", "SELECT id FROM admin_accounts WHERE username = :n", n=name))}


def _run_of(site) -> str:
    client = site.client("auditor")
    answer = client.post("/verification/runs", {"workstation": site.workstations["one"]["id"]})
    client.close()
    return answer.headers["location"].rsplit("/", 1)[1]


def test_every_console_route_with_every_role_and_none(console_site):
    site = console_site
    ids, victim, run = _ids(site), _victim_account(site), _run_of(site)
    clients = {who: (ConsoleClient(site) if who == "none" else site.client(who)) for who in ALL}
    problems = []
    for method, path, form, expected in _matrix(ids, victim, run):
        for who, status in zip(ALL, expected, strict=True):
            client = clients[who]
            if method == "GET":
                answer = client.get(path)
            else:
                if "username" in form and path == "/accounts":  # one new account per caller
                    form = {**form, "username": f"new-{who}-{secrets.token_hex(3)}"}
                files = form.get("_files")
                answer = client.post(path, {k: v for k, v in form.items() if k != "_files"},
                                     csrf="auto" if who != "none" else "x", files=files)
            if answer.status_code != status:
                problems.append(f"{method} {path} as {who}: {answer.status_code} (expected {status})")
            if status == 303 and who == "none" and path not in ("/lang/en?next=/events",):
                assert answer.headers["location"].startswith("/login"), (path, answer.headers["location"])
            if who.startswith("other_") and answer.status_code == 200 and "/static/" not in path \
                    and path != "/verification/upload":
                leaked = [secret for secret in (ids["ws"], ids["victim_ws"], site.names["auditor"], site.unit)
                          if secret in answer.text]
                assert not leaked, f"{path} shows unit A's {leaked} to {who}"
    for client in clients.values():
        client.close()
    assert problems == [], "\n".join(problems)


def test_every_console_route_is_in_the_matrix(console_site):
    from server.console import CONSOLE_ROUTERS

    routes = {(method, route.path) for router in CONSOLE_ROUTERS for route in router.routes for method in route.methods}
    ids = {"unit": "U", "ws": "{workstation_id}", "victim_ws": "{workstation_id}", "event": "{event_id}",
           "alert": "{alert_id}", "jsonl": b""}
    covered = set()
    for method, path, _, _ in _matrix(ids, {"id": "{account_id}"}, "{run_id}"):
        path = path.split("?")[0].replace("/policy/1", "/{kind}/{revision}").replace("/lang/en", "/lang/{lang}")
        covered.add((method, path))
    assert len(routes) >= 28 and routes - covered == set()


def test_forms_without_the_right_csrf_token_do_nothing(console_site):
    site = console_site
    admin, other = site.client("admin"), site.client("unit_admin")
    name = f"csrf-{secrets.token_hex(3)}"
    form = {"username": name, "password": ADMIN_PASSWORD, "password_again": ADMIN_PASSWORD, "role": "auditor",
            "unit": site.unit}
    for token in (None, "", "0" * 64, other.csrf(), csrf_of(ConsoleClient(site).get("/login").text)):
        answer = admin.post("/accounts", form, csrf=token)
        assert answer.status_code == 403 and "mã chống giả mạo" in answer.text, token
    assert _query(site, "n", "SELECT count(*) FROM admin_accounts WHERE username = :n", n=name) == 0
    codes = _query(site, "c", "SELECT count(*) FROM enrolment_codes")
    assert admin.post("/workstations/codes", {"unit": site.unit}, csrf=other.csrf()).status_code == 403
    assert admin.post("/logout", {}, csrf=None).status_code == 403 and admin.get("/").status_code == 200
    assert _query(site, "c", "SELECT count(*) FROM enrolment_codes") == codes
    assert admin.post("/accounts", form).status_code == 303  # with its own token it works
    admin.close()
    other.close()


def test_sign_in_form_needs_its_own_token(console_site):
    client = ConsoleClient(console_site)
    answer = client.http.post("/login", data={"username": console_site.names["auditor"], "password": ADMIN_PASSWORD,
                                              "csrf": "forged", "next": ""})
    assert answer.status_code == 401 and client.session_cookie is None
    client.close()


def test_no_session_fixation(console_site):
    site = console_site
    attacker = site.client("other_auditor")
    planted = attacker.session_cookie
    victim = ConsoleClient(site)
    for value in (planted, "ka.planted-by-someone"):
        victim.http.cookies.set("__Host-kyso-session", value, domain="127.0.0.1", path="/")
        assert victim.sign_in(site.names["auditor"]).status_code == 303
        fresh = victim.session_cookie
        assert fresh not in (planted, "ka.planted-by-someone")
        assert site.names["auditor"] in victim.get("/").text
    assert site.names["other_auditor"] in attacker.get("/").text  # the planted session is still only the attacker's
    victim.http.cookies.clear()
    victim.http.cookies.set("__Host-kyso-session", "ka.planted-by-someone", domain="127.0.0.1", path="/")
    assert victim.get("/").status_code == 303
    attacker.close()
    victim.close()


def test_cookie_attributes_sign_out_and_security_headers(console_site):
    client = ConsoleClient(console_site)
    answer = client.sign_in(console_site.names["auditor"])
    cookie = answer.headers["set-cookie"].lower()
    assert "__host-kyso-session=ka." in cookie
    assert all(flag in cookie for flag in ("httponly", "secure", "samesite=strict", "path=/"))
    page = client.get("/")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    token = client.session_cookie
    assert client.post("/logout", {}).headers["location"] == "/login?ended=signed_out"
    client.http.cookies.set("__Host-kyso-session", token, domain="127.0.0.1", path="/")
    assert client.get("/").headers["location"].startswith("/login")  # the old cookie ended with the session
    assert client.get("/login?next=//evil.example/x").status_code == 200
    signed = client.sign_in(console_site.names["auditor"])
    assert signed.headers["location"] == "/"
    form = client.get("/login?next=https://evil.example/").text
    assert 'name="next" value="/"' in form  # never an open redirect
    client.close()


def test_lockout_after_wrong_passwords_and_unlock_from_the_console(console_site):
    site = console_site
    admin = site.client("unit_admin")
    name = f"lock-{secrets.token_hex(3)}"
    admin.post("/accounts", {"username": name, "password": ADMIN_PASSWORD, "password_again": ADMIN_PASSWORD,
                             "role": "auditor", "unit": site.unit})
    user = ConsoleClient(site)
    texts = [user.sign_in(name, "sai-mat-khau-roi-nhe").text for _ in range(5)]
    assert all("Tên đăng nhập hoặc mật khẩu không đúng" in page for page in texts)
    refused = user.sign_in(name)  # the right password, but locked
    assert refused.status_code == 401 and "tạm khoá" in refused.text and user.session_cookie is None
    assert "Bị khoá đến" in admin.get("/accounts").text
    account = _query(site, "i", "SELECT id FROM admin_accounts WHERE username = :n", n=name)
    assert admin.post(f"/accounts/{account}/unlock", {}).status_code == 303
    assert user.sign_in(name).status_code == 303
    actions = _query(site, "a", "SELECT string_agg(action, ',' ORDER BY seq) FROM admin_log WHERE target = :n "
                     "OR actor = :a", n=name, a=f"admin:{name}")
    assert "account.locked" in actions and "account.unlocked" in actions
    admin.close()
    user.close()


def test_idle_sessions_end(console_site):
    from server.models import AdminSession
    from server.security import secret_hash

    client = console_site.client("auditor")
    token = client.session_cookie
    engine = create_engine(console_site.database_url)
    with engine.begin() as connection:
        used = connection.execute(select(AdminSession.last_used_at).where(
            AdminSession.token_hash == secret_hash(token))).scalar_one()
        connection.execute(update(AdminSession).where(AdminSession.token_hash == secret_hash(token))
                           .values(last_used_at=used - timedelta(minutes=31)))
    answer = client.get("/events")
    assert answer.headers["location"] == "/login?next=%2Fevents&ended=idle"
    with engine.connect() as connection:
        assert connection.execute(select(AdminSession).where(AdminSession.token_hash == secret_hash(token))).first() is None
    engine.dispose()
    assert "không hoạt động quá lâu" in client.get(answer.headers["location"]).text
    client.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pages_in_both_languages(console_site, lang):
    client = console_site.client("admin")
    client.get(f"/lang/{lang}")
    page = client.get("/events").text
    assert f'<html lang="{lang}">' in page
    assert ("Sự kiện" if lang == "vi" else "Events") in page
    assert "CONSOLE_" not in page  # every text has its message
    client.close()


def test_disable_an_account_from_the_console(console_site):
    """Its open session ends at once, its right password then answers as a wrong one, the page
    shows it disabled, the admin log has it; enabled again, it signs in."""
    site = console_site
    admin = site.client("unit_admin")
    name = f"off-{secrets.token_hex(3)}"
    admin.post("/accounts", {"username": name, "password": ADMIN_PASSWORD, "password_again": ADMIN_PASSWORD,
                             "role": "auditor", "unit": site.unit})
    user = ConsoleClient(site)
    assert user.sign_in(name).status_code == 303 and user.get("/events").status_code == 200
    account = _query(site, "i", "SELECT id FROM admin_accounts WHERE username = :n", n=name)
    assert admin.post(f"/accounts/{account}/disable", {}).status_code == 303
    assert user.get("/events").status_code == 303  # its session ended: back to the sign-in page
    stranger = ConsoleClient(site)
    right, wrong = user.sign_in(name), stranger.sign_in(name, "sai-mat-khau-roi-nhe")
    assert right.status_code == wrong.status_code == 401 and user.get("/events").status_code == 303
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in right.text
    assert "Đã vô hiệu" in admin.get("/accounts").text
    assert admin.post(f"/accounts/{account}/enable", {}).status_code == 303
    assert user.sign_in(name).status_code == 303
    actions = _query(site, "a", "SELECT string_agg(action, ',' ORDER BY seq) FROM admin_log WHERE target = :n", n=name)
    assert "account.disabled" in actions and "account.enabled" in actions
    for client in (admin, user, stranger):
        client.close()
