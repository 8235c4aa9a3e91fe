"""The sync client against a real server: enrolment, passes, receipts, status, back-off,
configuration from the server, rewritten history, HTTPS with a private CA through a proxy."""

from __future__ import annotations

import json
import random
import ssl
import stat
import threading
from pathlib import Path

import pytest

from app.sync import SyncClient, SyncPhase, enroll, load_enrolment
from app.sync.backoff import CAP_SECONDS, backoff_delay
from tests.app.sync.conftest import append, kyso
from tests.support.audit_server import HTTP, ROOT, login, wait_until


def _enrol(central, store, **options):
    return enroll(url=central.url, code=central.code(), workstation_id=store.workstation_id(), **options)


def test_enroll_and_sync_from_the_command_line(central, audit_log, kyso_home):
    append(audit_log, 30)
    append(audit_log, 4, mode="practice")
    enrolled = kyso("enroll", central.url, central.code(), "--json", home=kyso_home)
    assert enrolled.returncode == 0, enrolled.stderr
    assert json.loads(enrolled.stdout)["workstation_id"] == audit_log.workstation_id()
    status = json.loads(kyso("sync", "status", "--json", home=kyso_home).stdout)
    assert status["enrolled"] is True and status["status"]["pending"] == 34
    now = kyso("sync", "now", "--json", home=kyso_home)
    assert now.returncode == 0, now.stdout + now.stderr
    assert json.loads(now.stdout)["status"]["pending"] == 0
    human = kyso("sync", "status", home=kyso_home).stdout
    assert "Events waiting to be sent: 0" in human and "Last successful sync: never" not in human
    assert kyso("sync", home=kyso_home).stdout == human  # `kyso sync` alone shows the status
    chain = audit_log.chain_workstation()
    assert len(central.stored(chain)) == 30 and len(central.stored(chain, "practice")) == 4
    assert audit_log.acknowledged_seq(mode="production") == 30  # the receipt is kept locally
    secrets_file = kyso_home / "server" / "credentials.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600  # no OS credential store here
    again = kyso("enroll", central.url, central.code(), home=kyso_home)
    assert again.returncode == 2 and "[SYNC_ALREADY_ENROLLED]" in again.stderr


def test_background_client_reports_status_and_never_blocks(central, audit_log):
    _enrol(central, audit_log)
    append(audit_log, 120)
    seen: list = []
    client = SyncClient(store=audit_log, interval=3600, batch_size=50)
    client.add_listener(seen.append)
    client.start()
    try:
        wait_until(lambda: client.status.phase is SyncPhase.IDLE and client.status.pending == 0, what="first pass")
        append(audit_log, 5)  # the log keeps being written while the client runs
        client.sync_now()
        wait_until(lambda: len(central.stored(audit_log.chain_workstation())) == 125, what="second pass")
        wait_until(lambda: client.status.pending == 0 and client.status.phase is SyncPhase.IDLE, what="idle")
    finally:
        client.stop()
    assert client.status.phase is SyncPhase.STOPPED and client.status.last_error_code is None
    assert {SyncPhase.SYNCING, SyncPhase.IDLE} <= {status.phase for status in seen}
    assert audit_log.acknowledged_seq(mode="production") == 125


def test_receipt_from_another_key_is_refused(central, audit_log, kyso_home):
    _enrol(central, audit_log)
    append(audit_log, 3)
    record = kyso_home / "server" / "enrolment.json"
    values = json.loads(record.read_text())
    values["server_key"] = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="  # pinned: not the server's key
    record.write_text(json.dumps(values))
    status = SyncClient(store=audit_log).run_once()
    assert status.last_error_code == "SYNC_RECEIPT_INVALID"
    assert audit_log.acknowledged_seq(mode="production") == 0  # nothing kept on a receipt we cannot trust


def test_rewritten_local_history_is_raised_as_an_alert(central, audit_log, kyso_home):
    from app.audit.opening import default_log_path, open_audit_log
    from app.audit.schema import file_set

    _enrol(central, audit_log)
    append(audit_log, 10)
    assert SyncClient(store=audit_log).run_once().last_error_code is None
    path = default_log_path()
    audit_log.close()
    for member in file_set(path):  # a local administrator replaces the whole log with a made-up one
        member.unlink()
    forged = open_audit_log().store
    try:
        append(forged, 12)
        status = SyncClient(store=forged).run_once()
        assert status.last_error_code == "SYNC_HISTORY_REWRITTEN"
        assert forged.acknowledged_seq(mode="production") == 0
    finally:
        forged.close()
    auditor = login(central.url, central.auditor_name)
    alerts = HTTP.get(f"{central.url}/api/v1/alerts", headers=auditor).json()["alerts"]
    assert [(a["kind"], a["workstation"], a["seq"]) for a in alerts] == [
        ("history_rewritten", forged.workstation_id(), 1)]
    assert len(central.stored(forged.chain_workstation())) == 10  # the server kept the original


def test_revoked_workstation_stops_at_its_next_request(central, audit_log, kyso_home):
    _enrol(central, audit_log)
    append(audit_log, 3)
    assert SyncClient(store=audit_log).run_once().last_error_code is None
    revoked = HTTP.post(f"{central.url}/api/v1/admin/workstations/{audit_log.workstation_id()}/revoke",
                        headers=central.admin)
    assert revoked.status_code == 200
    append(audit_log, 2)
    client = SyncClient(store=audit_log, interval=60)
    status = client.run_once()
    assert (status.last_error_code, status.pending) == ("SYNC_REVOKED", 2)
    assert client._delay(status) == CAP_SECONDS  # no retry storm: a retry cannot cure it
    assert len(central.stored(audit_log.chain_workstation())) == 3
    shown = kyso("sync", "status", home=kyso_home).stdout  # what the last attempt left for `kyso sync status`
    assert "Events waiting to be sent: 2" in shown and "Last error: [SYNC_REVOKED]" in shown


def test_catalogue_and_policy_from_the_server(central, audit_log, kyso_home):
    from app.catalogue import load_catalogue

    _enrol(central, audit_log)
    content = (ROOT / "resources" / "catalogue" / "default.yaml").read_text(encoding="utf-8")
    for kind, body in (("catalogue", content), ("policy", "[locked]\nlanguage = \"vi\"\n")):
        response = HTTP.put(f"{central.url}/api/v1/admin/units/{central.unit}/{kind}", json={"content": body},
                            headers=central.admin)
        assert response.status_code == 204
    assert SyncClient(store=audit_log).run_once().last_error_code is None
    fetched = kyso_home / "server" / "catalogue.yaml"
    assert fetched.read_text(encoding="utf-8") == content
    assert (kyso_home / "server" / "policy.toml").exists()
    assert load_catalogue().catalogue.info.source == "server"  # the loader's server tier
    stamp = fetched.stat().st_mtime_ns
    assert SyncClient(store=audit_log).run_once().last_error_code is None
    assert fetched.stat().st_mtime_ns == stamp  # 304: not fetched again


def test_backoff_grows_with_jitter_and_is_capped():
    rng = random.Random(7)
    delays = [backoff_delay(failures, rng=rng) for failures in range(1, 40)]
    assert all(0 < delay <= CAP_SECONDS for delay in delays)
    assert delays[0] <= 2 and max(delays) > CAP_SECONDS / 2
    late = [backoff_delay(30, rng=rng) for _ in range(200)]
    assert min(late) >= CAP_SECONDS / 2 and len({round(d, 3) for d in late}) > 150  # spread, not in step


def test_offline_then_back(central, audit_log):
    from tests.support.tcp_proxy import TcpProxy

    proxy = TcpProxy(("127.0.0.1", central.server.port))
    try:
        enroll(url=proxy.url, code=central.code(), workstation_id=audit_log.workstation_id())
        append(audit_log, 20)
        proxy.pause()
        client = SyncClient(store=audit_log, interval=3600)
        client.start()
        try:
            wait_until(lambda: client.status.last_error_code == "SYNC_UNREACHABLE"
                       and client.status.next_attempt_utc is not None, what="back-off")
            assert client.status.phase is SyncPhase.WAITING and client.status.pending == 20
            proxy.resume()
            client.sync_now()
            wait_until(lambda: client.status.last_error_code is None and client.status.pending == 0, what="recovery")
        finally:
            client.stop()
    finally:
        proxy.stop()
    assert len(central.stored(audit_log.chain_workstation())) == 20


def test_https_with_a_private_ca_through_a_proxy(tmp_path, audit_log, kyso_home, monkeypatch):
    from server.migrate import upgrade
    from tests.app.sync.conftest import make_central
    from tests.support.connect_proxy import ConnectProxy
    from tests.support.tls_certs import make_server_tls

    bundle, chain, key = make_server_tls(tmp_path)
    url = f"sqlite:///{tmp_path / 'tls.sqlite3'}"
    upgrade(url)
    central = make_central(url, tmp_path / "central", tls=(chain, key))
    proxy = ConnectProxy()
    try:
        from app.sync import SyncError

        with pytest.raises(SyncError) as untrusted:
            enroll(url=central.server.url, code="ABCD-EFGH-JKLM-NPQR", workstation_id=audit_log.workstation_id())
        assert untrusted.value.code.value == "SYNC_TLS"
        code = _code_over_tls(central, bundle)
        enroll(url=central.server.url, code=code, workstation_id=audit_log.workstation_id(), ca_bundle=str(bundle),
               proxy=proxy.url)
        append(audit_log, 7)
        assert SyncClient(store=audit_log).run_once().last_error_code is None
        assert proxy.tunnels and all(target == f"127.0.0.1:{central.server.port}" for target in proxy.tunnels)
        assert len(central.stored(audit_log.chain_workstation())) == 7
        assert load_enrolment().ca_bundle == str(bundle)
        record = kyso_home / "server" / "enrolment.json"  # no proxy given at enrolment: HTTPS_PROXY
        record.write_text(json.dumps({**json.loads(record.read_text()), "proxy": None}))
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        tunnels = len(proxy.tunnels)
        append(audit_log, 2)
        assert SyncClient(store=audit_log).run_once().last_error_code is None
        assert len(proxy.tunnels) > tunnels and len(central.stored(audit_log.chain_workstation())) == 9
    finally:
        proxy.stop()
        central.server.stop()


def _code_over_tls(central, bundle) -> str:
    import httpx

    from tests.support.audit_server import ADMIN_PASSWORD

    with httpx.Client(verify=ssl.create_default_context(cafile=str(bundle)), base_url=central.server.url) as client:
        token = client.post("/api/v1/auth/login", json={"username": central.admin_name, "password": ADMIN_PASSWORD})
        answer = client.post("/api/v1/admin/enrolment-codes", json={"unit": central.unit},
                             headers={"Authorization": f"Bearer {token.json()['token']}"})
    return answer.json()["code"]


def test_credential_in_the_os_store_when_there_is_one(central, audit_log, kyso_home):
    import keyring

    from tests.support.memory_keyring import MemoryKeyring

    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    _enrol(central, audit_log)
    assert not (kyso_home / "server" / "credentials.json").exists()
    assert any(name.startswith("credential:") for (_, name) in backend.values)
    append(audit_log, 2)
    assert SyncClient(store=audit_log).run_once().last_error_code is None


def test_status_listener_errors_do_not_stop_sync(central, audit_log):
    _enrol(central, audit_log)
    append(audit_log, 3)
    client = SyncClient(store=audit_log)
    calls = threading.Event()

    def broken(_status) -> None:
        calls.set()
        raise RuntimeError("a listener's bug")

    client.add_listener(broken)
    assert client.run_once().last_error_code is None and calls.is_set()


def test_an_extension_event_syncs_and_the_server_names_it(central, audit_log, kyso_home):
    """`document.extended` (kyso extend) goes to the server as any event does, keeps its outcome
    and data, is searchable by type and named in both languages in the console."""
    from app.audit.journal import AuditJournal
    from app.i18n import message
    from server.console.pages.events import EVENT_TYPES

    journal = AuditJournal(audit_log)
    journal.document_extended(path=Path("/ho-so/Quyết định 12.pdf"), level="B-LTA",
                              output=Path("/ho-so/Quyết định 12.gia-han.pdf"),
                              details={"input_sha256": "a" * 64, "output_sha256": "b" * 64, "output_size": 123456,
                                       "renewed": False, "signatures_before": 1, "signatures_after": 2,
                                       "signatures_kept": True,
                                       "signatures": [{"field": "kyso-1", "document_timestamp": False,
                                                       "level_before": "B-T", "level_after": "B-LTA",
                                                       "verdict_after": "valid", "new": False}]})
    journal.document_extended(path=Path("/ho-so/khong-thu-hoi.pdf"), level="B-LT",
                              error_code="SIGN_REVINFO_UNAVAILABLE", error_params={"level": "B-LT", "url": "-"})
    _enrol(central, audit_log)
    client = SyncClient(store=audit_log, interval=3600)
    client.start()
    try:
        wait_until(lambda: client.status.pending == 0 and client.status.phase is SyncPhase.IDLE, what="synced")
    finally:
        client.stop()
    page = HTTP.get(f"{central.url}/api/v1/events", params={"type": "document.extended"}, headers=central.admin)
    assert page.status_code == 200, page.text
    events = page.json()["events"]
    assert sorted((e["event"]["data"]["document"], e["outcome"]) for e in events) == [
        ("Quyết định 12.pdf", "ok"), ("khong-thu-hoi.pdf", "failed")]
    done = next(e["event"] for e in events if e["outcome"] == "ok")
    assert done["type"] == "document.extended" and done["data"]["output_sha256"] == "b" * 64
    assert done["data"]["signatures"][0]["level_after"] == "B-LTA"
    assert "document.extended" in EVENT_TYPES
    for lang in ("vi", "en"):
        assert message("CONSOLE_EVENT_DOCUMENT_EXTENDED", lang) != "CONSOLE_EVENT_DOCUMENT_EXTENDED"
        assert message("AUDIT_EVENT_DOCUMENT_EXTENDED", lang) != "AUDIT_EVENT_DOCUMENT_EXTENDED"
