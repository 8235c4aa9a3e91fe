"""Workstations follow the server's receipt-key rotation without re-enrolling (issue 16).

The whole journey against a real server on loopback and the real `kyso-server admin
rotate-receipt-key`: enrol, sync, rotate, sync again (receipts and the sealed catalogue and policy
accepted under the new key, the pin moved, `server.key_followed` in the audit log, the earlier
receipts still verifiable), two rotations while the workstation is away, and a key the pinned one
never endorsed refused loudly (SYNC_SERVER_KEY_NOT_ENDORSED) with nothing of it kept. Plus every
way an endorsement chain can be forged, against the chain walker itself."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.sync import SyncClient, SyncError, enroll, load_enrolment
from app.sync.key_rotation import follow_endorsements
from app.sync.retention import verified_seq
from tests.app.sync.conftest import append, kyso, make_central
from tests.support.audit_server import HTTP, ROOT, ThreadServer

CATALOGUE = (ROOT / "resources" / "catalogue" / "default.yaml").read_text(encoding="utf-8")


def _rotate(database_url: str, key_file: Path) -> str:
    """The administrator's command, as run on the server machine."""
    env = {**os.environ, "KYSO_SERVER_RECEIPT_KEY_FILE": str(key_file), "KYSO_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "server.cli", "admin", "rotate-receipt-key", "--db", database_url],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return _key_id(key_file)


def _key_id(key_file: Path) -> str:
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class _Server:
    """The central server, restartable on the same port (the workstation knows its URL)."""

    def __init__(self, tmp_path: Path) -> None:
        from server.migrate import upgrade

        self.database_url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
        upgrade(self.database_url)
        self.key_file = tmp_path / "keys" / "receipt-key.pem"
        self.data_dir = tmp_path / "central"
        self.central = make_central(self.database_url, self.data_dir, receipt_key_file=self.key_file)
        self.port = self.central.server.port

    def restart(self) -> None:
        self.central.server.stop()
        self.central.server = ThreadServer(self.database_url, data_dir=self.data_dir, port=self.port,
                                           receipt_key_file=self.key_file)

    def publish(self, kind: str, body: str) -> None:
        answer = HTTP.put(f"{self.central.url}/api/v1/admin/units/{self.central.unit}/{kind}",
                          json={"content": body}, headers=self.central.admin)
        assert answer.status_code == 204, answer.text


@pytest.fixture
def server(tmp_path):
    made = _Server(tmp_path)
    yield made
    made.central.server.stop()


def _followed(store) -> list[dict]:
    return [event["data"] for event in store.events_after(mode="production", after_seq=0, limit=10_000)
            if event["type"] == "server.key_followed"]


def _receipt_keys(store) -> set[str]:
    return {receipt["key_id"] for receipt in store.receipts(mode="production")}


def test_a_workstation_follows_rotations_and_refuses_a_key_never_endorsed(server, audit_log, kyso_home):
    central = server.central
    first = _key_id(server.key_file)
    enroll(url=central.url, code=central.code(), workstation_id=audit_log.workstation_id())
    assert load_enrolment().key_id == first
    server.publish("catalogue", CATALOGUE)
    server.publish("policy", '[locked]\nlanguage = "vi"\n')
    append(audit_log, 3)
    client = SyncClient(store=audit_log)
    assert client.run_once().last_error_code is None
    assert audit_log.acknowledged_seq(mode="production") == 3

    # one rotation, the server restarted: receipts and the sealed files come under the new key
    second = _rotate(server.database_url, server.key_file)
    server.restart()
    server.publish("catalogue", CATALOGUE + "\n# phiên bản 2\n")
    server.publish("policy", '[locked]\nlanguage = "en"\n')
    append(audit_log, 2)
    status = client.run_once()
    assert status.last_error_code is None, status.last_error_params
    pinned = load_enrolment()
    assert (pinned.key_id, set(pinned.earlier_keys)) == (second, {first})
    assert (kyso_home / "server" / "policy.toml").read_text() == '[locked]\nlanguage = "en"\n'
    assert (kyso_home / "server" / "catalogue.yaml").read_text(encoding="utf-8").endswith("# phiên bản 2\n")
    assert [(e["from_key_id"], e["to_key_id"], e["through"]) for e in _followed(audit_log)] == [(first, second, [])]
    assert audit_log.acknowledged_seq(mode="production") == audit_log.head(mode="production")[0]
    assert {first, second} <= _receipt_keys(audit_log)
    assert verified_seq(audit_log, enrolment=pinned, mode="production") == audit_log.head(mode="production")[0]

    # two rotations while the workstation is away: the chain is walked through the key in between
    server.central.server.stop()
    third = _rotate(server.database_url, server.key_file)
    fourth = _rotate(server.database_url, server.key_file)
    server.central.server = ThreadServer(server.database_url, data_dir=server.data_dir, port=server.port,
                                         receipt_key_file=server.key_file)
    server.publish("policy", '[locked]\nlanguage = "vi"\n')
    append(audit_log, 1)
    status = client.run_once()
    assert status.last_error_code is None, status.last_error_params
    assert load_enrolment().key_id == fourth and set(load_enrolment().earlier_keys) == {first, second, third}
    assert _followed(audit_log)[-1] == {"from_key_id": second, "to_key_id": fourth, "through": [third],
                                        "outcome": "ok"}
    assert (kyso_home / "server" / "policy.toml").read_text() == '[locked]\nlanguage = "vi"\n'
    held = audit_log.acknowledged_seq(mode="production")
    assert verified_seq(audit_log, enrolment=load_enrolment(), mode="production") == held

    # someone else's key in the server's place, with an "endorsement" it signed itself
    server.central.server.stop()
    stranger = Ed25519PrivateKey.generate()
    server.key_file.write_bytes(stranger.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    endorsements = server.key_file.with_name(server.key_file.name + ".endorsements.json")
    forged = _endorsement(stranger, previous_id=fourth, new=stranger)
    endorsements.write_text(json.dumps([*json.loads(endorsements.read_text()), forged]))
    server.central.server = ThreadServer(server.database_url, data_dir=server.data_dir, port=server.port,
                                         receipt_key_file=server.key_file)
    server.publish("policy", '[locked]\nlanguage = "en"\n')
    append(audit_log, 2)
    status = client.run_once()
    assert status.last_error_code == "SYNC_SERVER_KEY_NOT_ENDORSED"
    assert status.last_error_params["pinned"] == fourth
    assert load_enrolment().key_id == fourth  # the pin did not move
    assert audit_log.acknowledged_seq(mode="production") == held  # no receipt of that key kept
    assert _key_id(server.key_file) not in _receipt_keys(audit_log)
    assert (kyso_home / "server" / "policy.toml").read_text() == '[locked]\nlanguage = "vi"\n'
    loud = kyso("sync", "now", home=kyso_home)
    assert loud.returncode != 0 and "[SYNC_SERVER_KEY_NOT_ENDORSED]" in loud.stderr, loud.stderr
    assert "has not endorsed" in loud.stderr


def _endorsement(signer: Ed25519PrivateKey, *, previous_id: str, new: Ed25519PrivateKey, **changes) -> dict:
    raw = new.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    body = {"v": 1, "purpose": "kyso-key-endorsement", "previous_key_id": previous_id,
            "key_id": hashlib.sha256(raw).hexdigest()[:16], "public_key": base64.b64encode(raw).decode(),
            "endorsed_at": "2026-12-03T00:00:00.000000Z", **changes}
    body["signature"] = base64.b64encode(signer.sign(rfc8785.dumps(body))).decode()
    return body


def _public(key: Ed25519PrivateKey) -> tuple[str, str]:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16], base64.b64encode(raw).decode()


def test_every_forged_link_is_refused():
    """A chain is followed only link by link, each signed by the key already trusted: a link
    signed by anyone else, naming another key than it carries, with another purpose, a broken
    signature, a loop, or a gap is SYNC_SERVER_KEY_NOT_ENDORSED."""
    pinned, middle, last, stranger = (Ed25519PrivateKey.generate() for _ in range(4))
    (pin_id, pin_key), (middle_id, _), (last_id, _) = _public(pinned), _public(middle), _public(last)
    good = [_endorsement(pinned, previous_id=pin_id, new=middle), _endorsement(middle, previous_id=middle_id, new=last)]
    assert [link["key_id"] for link in follow_endorsements(list(reversed(good)), pinned_id=pin_id,
                                                           pinned_key=pin_key, target=last_id)] == [middle_id, last_id]
    broken = dict(good[1], signature=base64.b64encode(b"\0" * 64).decode())
    forgeries = {
        "signed by a stranger": [good[0], _endorsement(stranger, previous_id=middle_id, new=last)],
        "signed by the new key itself": [good[0], _endorsement(last, previous_id=middle_id, new=last)],
        "names another key": [good[0], _endorsement(middle, previous_id=middle_id, new=last, key_id=_public(stranger)[0])],
        "carries another key": [good[0], dict(good[1], public_key=_public(stranger)[1])],
        "another purpose": [good[0], _endorsement(middle, previous_id=middle_id, new=last, purpose="kyso-config")],
        "broken signature": [good[0], broken],
        "a gap": [good[1]],
        "nothing": [],
        "not a list": {"0": good[0]},
        "a loop": [good[0], _endorsement(middle, previous_id=middle_id, new=pinned)],
    }
    for name, chain in forgeries.items():
        with pytest.raises(SyncError) as refused:
            follow_endorsements(chain, pinned_id=pin_id, pinned_key=pin_key, target=last_id)
        assert refused.value.code.value == "SYNC_SERVER_KEY_NOT_ENDORSED", name
        assert refused.value.params == {"key_id": last_id, "pinned": pin_id}, name
