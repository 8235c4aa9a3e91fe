"""The release step of docs/installer.md, run: osslsigncode signs the built MSI (Authenticode)
with a code-signing certificate from a PKCS#12 file and an RFC 3161 timestamp from the test PKI's
TSA on loopback, then verifies signature and timestamp. What Windows shows for the signature
(SmartScreen, AppLocker rules) cannot be checked here."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from installer.inputs import ROOT


def _unit_code_signing(folder) -> tuple:
    """The unit's CA and code-signing certificate, as a PKCS#12 file with its password file."""
    now = datetime.now(UTC)

    def certificate(subject, issuer, public_key, signing_key, *extensions):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=30)))
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(signing_key, hashes.SHA256())

    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kyso Test Unit CA")])
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = certificate(ca_name, ca_name, ca_key.public_key(), ca_key, (x509.BasicConstraints(ca=True, path_length=0), True))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Viện kiểm sát nhân dân — ký mã")]),
                         ca_name, key.public_key(), ca_key,
                         (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), False))
    password = b"mat-khau"
    (folder / "don-vi.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"don-vi", key, signer, [ca], serialization.BestAvailableEncryption(password)))
    (folder / "mat-khau.txt").write_bytes(password)
    (folder / "goc-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return folder / "don-vi.p12", folder / "mat-khau.txt", folder / "goc-ca.pem"


def test_the_msi_is_signed_and_timestamped_as_the_release_steps_say(built_msi, pki, tmp_path):
    p12, password, ca = _unit_code_signing(tmp_path)
    tsa_root = tmp_path / "tsa-root.pem"
    tsa_root.write_bytes(x509.load_der_x509_certificate(pki.cert_der("root")).public_bytes(serialization.Encoding.PEM))
    signed = tmp_path / built_msi.msi.name
    subprocess.run(["osslsigncode", "sign", "-pkcs12", str(p12), "-readpass", str(password), "-h", "sha256",
                    "-n", "kyso — Ký số", "-ts", pki.tsa_url, "-in", str(built_msi.msi), "-out", str(signed)],
                   check=True, capture_output=True)
    verified = subprocess.run(["osslsigncode", "verify", "-CAfile", str(ca), "-TSA-CAfile", str(tsa_root),
                               "-in", str(signed)], capture_output=True, text=True)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Signature verification: ok" in verified.stdout and "Timestamp Server Signature verification: ok" in verified.stdout


def test_the_documented_signing_lines_use_an_rfc3161_timestamp():
    """-ts speaks RFC 3161 (tsa.ca.gov.vn and every TSA kyso itself uses); -t is Microsoft's older
    Authenticode timestamp protocol, which such a server does not answer."""
    lines = [line for line in (ROOT / "docs" / "installer.md").read_text(encoding="utf-8").splitlines()
             if "osslsigncode sign" in line or line.startswith("  -h ")]
    signing = " ".join(lines)
    assert signing.count("-ts ") >= 2 and not re.search(r"\s-t\s", signing)
