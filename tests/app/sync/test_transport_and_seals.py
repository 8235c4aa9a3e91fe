"""Issue 16 on the workstation: no plain HTTP except to loopback (or a loud --insecure-http), and
the unit's catalogue and policy put in force only under the server's seal, checked with the key
pinned at enrolment — an on-path rewrite, a stripped seal, another unit's or kind's seal, or an
older version replayed is refused with its code and the last good file stays in force."""

from __future__ import annotations

import base64
import json

import pytest

from app.sync import SyncClient, SyncError, enroll, load_enrolment
from app.sync.transport import check_transport
from tests.app.sync.conftest import append, kyso
from tests.support.audit_server import HTTP, ROOT
from tests.support.tamper_proxy import TamperProxy

CATALOGUE = (ROOT / "resources" / "catalogue" / "default.yaml").read_text(encoding="utf-8")
POLICY_1, POLICY_2 = '[locked]\nlanguage = "vi"\n', '[locked]\nlanguage = "en"\n'


@pytest.mark.parametrize("url", ["http://192.0.2.2:8443", "http://kyso.vks.gov.vn", "HTTP://10.0.0.1/",
                                 "ftp://kyso.vks.gov.vn", "http://[fd00::2]:80", "kyso.vks.gov.vn", "https://", ""])
def test_plain_http_and_other_schemes_are_refused(url):
    with pytest.raises(SyncError) as refused:
        check_transport(url)
    assert refused.value.code.value == "SYNC_PLAIN_HTTP"


@pytest.mark.parametrize("url", ["https://kyso.vks.gov.vn", "http://127.0.0.1:8443", "http://localhost:1",
                                 "http://[::1]:8443", "http://127.8.9.10"])
def test_https_and_loopback_are_taken(url):
    check_transport(url)


def test_enroll_refuses_plain_http_and_insecure_http_is_loud(kyso_home, tmp_path):
    refused = kyso("enroll", "http://192.0.2.2:9/", "ABCD-EFGH-JKLM-NPQR", home=kyso_home)
    assert refused.returncode == 2 and "[SYNC_PLAIN_HTTP]" in refused.stderr
    lab = kyso("enroll", "http://192.0.2.2:9/", "ABCD-EFGH-JKLM-NPQR", "--insecure-http", home=kyso_home)
    assert "WARNING: --insecure-http" in lab.stderr and "in CLEAR" in lab.stderr
    assert "[SYNC_PLAIN_HTTP]" not in lab.stderr and lab.returncode == 2  # it went on, to a closed port


def test_sync_refuses_an_enrolment_edited_to_plain_http(central, audit_log, kyso_home):
    enroll(url=central.url, code=central.code(), workstation_id=audit_log.workstation_id())
    record = kyso_home / "server" / "enrolment.json"
    record.write_text(json.dumps({**json.loads(record.read_text()), "server_url": "http://192.0.2.2:9"}))
    append(audit_log, 2)
    status = SyncClient(store=audit_log).run_once()
    assert status.last_error_code == "SYNC_PLAIN_HTTP" and status.pending == 2


def _publish(central, kind: str, body: str) -> None:
    answer = HTTP.put(f"{central.url}/api/v1/admin/units/{central.unit}/{kind}", json={"content": body},
                      headers=central.admin)
    assert answer.status_code == 204, answer.text


def _seal(headers: dict[str, str]) -> dict:
    return json.loads(base64.urlsafe_b64decode(headers["x-kyso-config-seal"]))


def _reseal(headers: dict[str, str], **changes) -> dict[str, str]:
    seal = {**_seal(headers), **changes}
    return {**headers, "x-kyso-config-seal": base64.urlsafe_b64encode(json.dumps(seal).encode()).decode()}


def test_configuration_is_put_in_force_only_under_the_servers_seal(central, audit_log, kyso_home):
    proxy = TamperProxy(central.url)
    try:
        enroll(url=proxy.url, code=central.code(), workstation_id=audit_log.workstation_id())
        _publish(central, "catalogue", CATALOGUE)
        _publish(central, "policy", POLICY_1)
        assert SyncClient(store=audit_log).run_once().last_error_code is None
        policy = kyso_home / "server" / "policy.toml"
        catalogue = kyso_home / "server" / "catalogue.yaml"
        assert policy.read_text() == POLICY_1 and catalogue.read_text(encoding="utf-8") == CATALOGUE
        genuine_v1 = proxy.seen["policy"]
        _publish(central, "policy", POLICY_2)
        forged = CATALOGUE.replace("Quyết định", "Quyết định giả", 1).encode()
        attacks = {
            "rewritten body, seal kept": (lambda kind, body, h: (forged, h) if kind == "catalogue" else (body, h),
                                          "SYNC_CONFIG_SIGNATURE_INVALID"),
            "seal stripped": (lambda kind, body, h: (body, {k: v for k, v in h.items() if k != "x-kyso-config-seal"}),
                              "SYNC_CONFIG_UNSIGNED"),
            "seal edited": (lambda kind, body, h: (body, _reseal(h, revision=99)), "SYNC_CONFIG_SIGNATURE_INVALID"),
            "seal of the other kind": (lambda kind, body, h: (body, proxy.seen["catalogue"][1]) if kind == "policy"
                                       else (body, h), "SYNC_CONFIG_SIGNATURE_INVALID"),
            "older version replayed": (lambda kind, body, h: genuine_v1 if kind == "policy" else (body, h),
                                       "SYNC_CONFIG_SIGNATURE_INVALID"),
            "garbage seal": (lambda kind, body, h: (body, {**h, "x-kyso-config-seal": "%%%"}),
                             "SYNC_CONFIG_SIGNATURE_INVALID"),
        }
        for name, (rewrite, code) in attacks.items():
            _forget_etags(kyso_home)  # each attack on a fresh fetch (not a 304)
            proxy.rewrite = rewrite
            status = SyncClient(store=audit_log).run_once()
            assert status.last_error_code == code, name
            assert catalogue.read_text(encoding="utf-8") == CATALOGUE, name  # the last good one stays
            assert policy.read_text() in (POLICY_1, POLICY_2), name
        proxy.rewrite = None
        assert SyncClient(store=audit_log).run_once().last_error_code is None
        assert policy.read_text() == POLICY_2
        # the "older version replayed" case above came after v2 was taken: v1 must never come back
        proxy.rewrite = lambda kind, body, h: genuine_v1 if kind == "policy" else (body, h)
        _forget_etags(kyso_home)
        assert SyncClient(store=audit_log).run_once().last_error_code == "SYNC_CONFIG_SIGNATURE_INVALID"
        assert policy.read_text() == POLICY_2
    finally:
        proxy.stop()


def test_another_units_seal_is_refused(central, audit_log, kyso_home):
    """A seal the server really made, for the same kind of another unit, does not pass."""
    proxy = TamperProxy(central.url)
    try:
        enroll(url=proxy.url, code=central.code(), workstation_id=audit_log.workstation_id())
        _publish(central, "policy", POLICY_1)
        assert SyncClient(store=audit_log).run_once().last_error_code is None
        mine = proxy.seen["policy"]
        proxy.rewrite = lambda kind, body, h: (body, _reseal(h, unit="VKS-KHAC"))
        _forget_etags(kyso_home)
        assert SyncClient(store=audit_log).run_once().last_error_code == "SYNC_CONFIG_SIGNATURE_INVALID"
        assert _seal(mine[1])["unit"] == load_enrolment().unit
    finally:
        proxy.stop()


def _forget_etags(home) -> None:
    (home / "server" / "etags.json").unlink(missing_ok=True)
