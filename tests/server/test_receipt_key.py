"""Issue 16, secrets at rest: the receipt-signing key kept in a file outside the database (created
0600), an existing database key moved out of the database into it (the same key: workstations keep
the one they pinned), and a server that cannot find the file refuses to start rather than signing
with a new key. Each backend on a database of its own (the key row is the database's)."""

from __future__ import annotations

import contextlib
import stat

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def own_db(request, tmp_path):
    from server.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
        upgrade(url)
        yield url
        return
    from tests.support.postgres import temporary_database

    with temporary_database() as url:
        upgrade(url)
        yield url


def _db_key(url: str) -> bytes | None:
    from server.db import Database
    from server.models import ReceiptKey

    database = Database(url)
    with contextlib.closing(database.read_session()) as session:
        row = session.get(ReceiptKey, 1)
        found = None if row is None else row.private_key
    database.dispose()
    return found


def test_the_database_key_moves_into_a_private_file(own_db, tmp_path):
    from server.db import Database
    from server.errors import ServerError
    from server.receipts import load_signer

    database = Database(own_db)
    before = load_signer(database=database, key_file=None)  # an installation of yesterday: key in the database
    assert len(_db_key(own_db)) == 32
    key_file = tmp_path / "keys" / "receipt-key.pem"
    moved = load_signer(database=database, key_file=key_file)
    assert moved.key_id == before.key_id  # the key every workstation pinned
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert _db_key(own_db) == b""  # no longer in the database, nor in its backups
    assert load_signer(database=database, key_file=key_file).key_id == before.key_id  # next start
    # a process without the file (or told to use the database) does not make a key of its own
    for elsewhere in (None, tmp_path / "other" / "receipt-key.pem"):
        with pytest.raises(ServerError) as missing:
            load_signer(database=database, key_file=elsewhere)
        assert missing.value.code.value == "SERVER_RECEIPT_KEY_MISSING"
    assert not (tmp_path / "other" / "receipt-key.pem").exists()
    database.dispose()


def test_a_fresh_installation_makes_its_key_in_a_file(own_db, tmp_path):
    from server.db import Database
    from server.errors import ServerError
    from server.receipts import load_signer

    database = Database(own_db)
    key_file = tmp_path / "receipt-key.pem"
    made = load_signer(database=database, key_file=key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and _db_key(own_db) == b""
    assert load_signer(database=database, key_file=key_file).key_id == made.key_id
    with pytest.raises(ServerError):
        load_signer(database=database, key_file=None)
    database.dispose()


def test_a_key_file_that_is_not_the_database_key_is_refused(own_db, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from server.db import Database
    from server.errors import ServerError
    from server.receipts import load_signer

    database = Database(own_db)
    pinned = load_signer(database=database, key_file=None)
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with pytest.raises(ServerError) as refused:
        load_signer(database=database, key_file=stranger)
    assert refused.value.code.value == "SERVER_RECEIPT_KEY_MISMATCH"
    assert len(_db_key(own_db)) == 32  # the database's key stays where it was
    assert load_signer(database=database, key_file=None).key_id == pinned.key_id
    database.dispose()


def test_rotation_keeps_earlier_receipts_verifiable(own_db, tmp_path, capsys, monkeypatch):
    """`kyso-server admin rotate-receipt-key`: a new key in the same 0600 file, the old private key
    gone, its public half published beside the new one (`GET /api/v1/server-key`, `previous`), so a
    receipt signed before is checked by the key it names."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from fastapi.testclient import TestClient

    from server.api.main import create_app
    from server.config import ServerSettings
    from server.db import Database
    from server.receipts import load_signer, receipt_body
    from tests.server.test_admin import _cli

    key_file = tmp_path / "receipt-key.pem"
    database = Database(own_db)
    old = load_signer(database=database, key_file=key_file)
    receipt = old.sign(workstation="ws-1", mode="production", seq=3, hash="ab" * 32)
    monkeypatch.setenv("KYSO_SERVER_RECEIPT_KEY_FILE", str(key_file))
    code, out, err = _cli(capsys, monkeypatch, "admin", "rotate-receipt-key", db=own_db)
    assert code == 0, err
    assert old.key_id in out
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    new = load_signer(database=database, key_file=key_file)
    assert new.key_id != old.key_id and new.key_id in out
    app = create_app(ServerSettings(database_url=own_db, data_dir=tmp_path, receipt_key_file=key_file))
    with TestClient(app) as client:
        published = client.get("/api/v1/server-key").json()
    assert published["key_id"] == new.key_id
    [earlier] = [k for k in published["previous"] if k["key_id"] == receipt["key_id"]]
    Ed25519PublicKey.from_public_bytes(base64.b64decode(earlier["public_key"])).verify(
        base64.b64decode(receipt["signature"]), receipt_body(receipt))
    assert earlier["retired_at"]
    # the old key endorsed the new one before it was destroyed: a workstation walks from its pin
    from app.sync.key_rotation import follow_endorsements

    [link] = published["endorsements"]
    assert (link["previous_key_id"], link["key_id"], link["public_key"]) == (old.key_id, new.key_id, new.public_key_b64)
    assert follow_endorsements(published["endorsements"], pinned_id=old.key_id, pinned_key=old.public_key_b64,
                               target=new.key_id) == [link]
    endorsements = key_file.with_name(key_file.name + ".endorsements.json")
    assert "PRIVATE" not in endorsements.read_text()  # public data, kept beside the key file
    assert _cli(capsys, monkeypatch, "admin", "rotate-receipt-key", db=own_db)[0] == 0
    third = load_signer(database=database, key_file=key_file)
    with TestClient(create_app(ServerSettings(database_url=own_db, data_dir=tmp_path,
                                              receipt_key_file=key_file))) as client:
        chain = client.get("/api/v1/server-key").json()["endorsements"]
    assert [link["key_id"] for link in follow_endorsements(chain, pinned_id=old.key_id, pinned_key=old.public_key_b64,
                                                           target=third.key_id)] == [new.key_id, third.key_id]
    database.dispose()
    monkeypatch.delenv("KYSO_SERVER_RECEIPT_KEY_FILE")
    code, _, err = _cli(capsys, monkeypatch, "admin", "rotate-receipt-key", db=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert code == 2 and "receipt_key_file" in err  # only a key kept in a file is rotated
