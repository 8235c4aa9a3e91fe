"""Tokens plugged in and pulled out are noticed; concurrent callers never interleave."""

from __future__ import annotations

import shutil
import threading

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.fake_pkcs11 import FakeLibrary, FakeToken, fake_module
from tests.support.signing import FixedPin
from tokens import SignatureScheme, TokenSession, load_module
from tokens.watch import TokenWatcher


def test_softhsm_token_removed_is_reported(hsm):
    module = load_module(hsm.module)
    seen = []
    watcher = TokenWatcher([module], on_event=seen.append)
    first = watcher.poll()
    assert "KYSO-PULL-1" in {event.token.label for event in first if event.kind == "inserted"}
    assert watcher.poll() == []  # nothing changed
    shutil.rmtree(hsm.softhsm.token_dir("KYSO-PULL-1"))
    removed = watcher.poll()
    assert [(event.kind, event.token.label) for event in removed] == [("removed", "KYSO-PULL-1")]
    assert seen[-1] == removed[0]
    labels = {event.token.label for event in first}
    assert {"KYSO-RSA", "KYSO-EC"} <= labels  # the other tokens are unaffected


def test_insert_and_remove_with_a_vendor_module_stand_in():
    token = FakeToken("VGCA Token", "123456", present=False)
    events = []
    watcher = TokenWatcher([fake_module(FakeLibrary(token))], on_event=events.append, interval=0.01)
    assert watcher.poll() == []
    token.present = True
    assert [(e.kind, e.token.label) for e in watcher.poll()] == [("inserted", "VGCA Token")]
    token.present = False
    assert [(e.kind, e.token.label) for e in watcher.poll()] == [("removed", "VGCA Token")]


def test_watcher_thread_reports_changes():
    token = FakeToken("VGCA Token", "123456", present=False)
    arrived = threading.Event()
    watcher = TokenWatcher([fake_module(FakeLibrary(token))], interval=0.01,
                           on_event=lambda event: arrived.set() if event.kind == "inserted" else None)
    watcher.start()
    try:
        token.present = True
        assert arrived.wait(timeout=10)
    finally:
        watcher.stop()


def test_concurrent_callers_never_interleave_on_the_module():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    library = FakeLibrary(FakeToken("VGCA Token", "123456", key_pem=pem, cert_der=_self_signed(key)))
    module = fake_module(library)
    session = TokenSession.open(module=module, prompter=FixedPin("123456"), token_label="VGCA Token")
    signer = session.key()
    errors = []

    def caller():
        try:
            for _ in range(20):
                signer.sign(b"x", scheme=SignatureScheme.RSA_PKCS1V15, hash_name="sha256")
                module.call(lambda lib: lib.get_slots(token_present=True))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    session.close()
    assert errors == []
    assert library.calls >= 8 * 20 * 2
    assert library.overlaps == 0


def _self_signed(key) -> bytes:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Thử nghiệm")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


pytestmark = pytest.mark.hsm
