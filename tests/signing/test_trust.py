"""Shipped trust anchors match their pinned fingerprints; folders load PEM and DER."""

from __future__ import annotations

import hashlib
import tomllib

from resources import resource_path
from signing.trust import TrustStore, load_certificates


def test_shipped_anchors_match_their_pins():
    pins = tomllib.loads(resource_path("trust", "anchors.toml").read_text(encoding="utf-8"))["anchor"]
    shipped = TrustStore.load().anchors
    assert len(shipped) == len(pins) >= 1
    for pin in pins:
        der = _der(resource_path("trust", pin["file"]))
        assert hashlib.sha256(der).hexdigest() == pin["sha256"]
        assert der in shipped
    assert set(load_certificates(resource_path("trust"))) == set(shipped)


def _der(path):
    from asn1crypto import pem

    data = path.read_bytes()
    return pem.unarmor(data)[2] if pem.detect(data) else data


def test_trust_dir_adds_anchors(trust_dir, pki):
    store = TrustStore.load(extra_dirs=[trust_dir])
    assert pki.cert_der("root") in store.anchors
    assert str(trust_dir) in store.sources
