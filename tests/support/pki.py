"""A test PKI built at test time with certomancer and served on loopback.

Root → intermediate → signers (RSA-2048, RSA-3072, ECDSA P-256 and P-384, an organisation
seal, an expired, a revoked, one without revocation pointers and one without a signing key
usage), an OCSP responder, CRLs and an RFC 3161 time-stamping authority, all answered by
certomancer's Animator on 127.0.0.1 at a free port.

Keys are generated fresh for every test session with `cryptography`; nothing is committed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

__all__ = ["SIGNERS", "SignerSpec", "TestPki", "build_pki", "SeparatePki", "build_separate_pki"]


@dataclass(frozen=True)
class SignerSpec:
    """One end-entity certificate of the test PKI."""

    label: str
    common_name: str
    key: str  # "rsa2048", "rsa3072", "ec256", "ec384"
    expired: bool = False
    not_yet_valid: bool = False
    revoked: bool = False
    revinfo: str = "both"  # "both", "ocsp", "crl" or "none": pointers in the certificate
    key_usage: tuple[str, ...] = ("digital_signature", "non_repudiation")
    organisation: bool = False
    title: str | None = None  # the subject's title attribute (2.5.4.12), as some CAs issue it


SIGNERS: tuple[SignerSpec, ...] = (
    SignerSpec("signer-rsa2048", "Nguyễn Văn An", "rsa2048"),
    SignerSpec("signer-rsa3072", "Trần Thị Bình", "rsa3072"),
    SignerSpec("signer-ec256", "Lê Hoàng Cường", "ec256", title="Pho Vien truong"),
    SignerSpec("signer-ec384", "Phạm Minh Đức", "ec384"),
    SignerSpec(
        "org-seal", "Viện kiểm sát nhân dân thành phố Hà Nội", "rsa2048", organisation=True
    ),
    SignerSpec("signer-expired", "Võ Văn Hết Hạn", "rsa2048", expired=True),
    SignerSpec("signer-future", "Đỗ Thị Chưa Tới", "rsa2048", not_yet_valid=True),
    SignerSpec("signer-revoked", "Đặng Thị Thu Hồi", "rsa2048", revoked=True),
    SignerSpec("signer-norev", "Bùi Văn Không Rõ", "rsa2048", revinfo="none"),
    SignerSpec("signer-nosign", "Hồ Thị Mã Hoá", "rsa2048", key_usage=("key_encipherment",)),
    SignerSpec("signer-ocsp", "Lý Thị Trực Tuyến", "rsa2048", revinfo="ocsp"),
    SignerSpec("signer-crl", "Mai Văn Danh Sách", "rsa2048", revinfo="crl"),
)

ARCH = "kyso-test"


def _new_key(kind: str):
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    curve = {"ec256": ec.SECP256R1(), "ec384": ec.SECP384R1()}[kind]
    return ec.generate_private_key(curve)


def _write_key(path: Path, key) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _validity(start: datetime, end: datetime) -> dict:
    return {"valid-from": _ts(start), "valid-to": _ts(end)}


def _key_usage(*names: str, critical: bool = True) -> dict:
    return {
        "id": "key_usage",
        "critical": critical,
        "smart-value": {"schema": "key-usage", "params": list(names)},
    }


def _signer_cert(spec: SignerSpec, now: datetime, serial: int) -> dict:
    if spec.expired:
        validity = _validity(now - timedelta(days=730), now - timedelta(days=30))
    elif spec.not_yet_valid:
        validity = _validity(now + timedelta(days=30), now + timedelta(days=730))
    else:
        validity = _validity(now - timedelta(days=365), now + timedelta(days=730))
    extensions: list[dict] = [_key_usage(*spec.key_usage)]
    if spec.revinfo in ("both", "crl"):
        extensions.append(
            {
                "id": "crl_distribution_points",
                "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["interm"]}},
            }
        )
    if spec.revinfo in ("both", "ocsp"):
        extensions.append(
            {
                "id": "authority_information_access",
                "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": ["interm"]}},
            }
        )
    cert: dict = {"issuer": "interm", "validity": validity, "extensions": extensions,
                  "serial": serial}
    if spec.revoked:
        cert["revocation"] = {
            "revoked-since": _ts(now - timedelta(days=10)),
            "reason": "key_compromise",
        }
    return cert


def _config(now: datetime, base_url: str) -> dict:
    ca_validity = _validity(now - timedelta(days=3650), now + timedelta(days=7300))
    entities: dict = {
        "root": {"common-name": "Kyso Test Root CA"},
        "interm": {"common-name": "Kyso Test Issuing CA"},
        "ocsp": {"common-name": "Kyso Test OCSP Responder"},
        "tsa": {"common-name": "Kyso Test Time-Stamping Authority"},
    }
    keys = {name: {"path": f"{name}.key.pem"} for name in ("root", "interm", "ocsp", "tsa")}
    certs: dict = {
        "root": {
            "serial": 0x1A000,
            "subject": "root",
            "issuer": "root",
            "validity": ca_validity,
            "extensions": [
                {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
            ],
        },
        "interm": {
            "serial": 0x2A000,
            "issuer": "root",
            "validity": ca_validity,
            "extensions": [
                {
                    "id": "basic_constraints",
                    "critical": True,
                    "value": {"ca": True, "path-len-constraint": 0},
                },
                _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
                {
                    "id": "crl_distribution_points",
                    "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}},
                },
            ],
        },
        "ocsp": {
            "serial": 0x3A000,
            "issuer": "interm",
            "validity": ca_validity,
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                {"id": "ocsp_no_check"},
            ],
        },
        "tsa": {
            "serial": 0x4A000,
            "issuer": "root",
            "validity": ca_validity,
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                {
                    "id": "crl_distribution_points",
                    "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}},
                },
            ],
        },
    }
    for spec in SIGNERS:
        entity = {"common-name": spec.common_name, "country-name": "VN"}
        if spec.organisation:
            entity["organization-name"] = spec.common_name
        else:
            entity["organization-name"] = "Viện kiểm sát nhân dân tối cao"
        if spec.title:
            entity["title"] = spec.title
        entities[spec.label] = entity
        keys[spec.label] = {"path": f"{spec.label}.key.pem"}
        certs[spec.label] = _signer_cert(spec, now, serial=0x5A000 + len(certs))
    return {
        "external-url-prefix": base_url,
        "keysets": {ARCH: {"keys": keys}},
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entity-defaults": {"country-name": "VN", "organization-name": "Kyso Test PKI"},
                "entities": entities,
                "certs": certs,
                "services": {
                    "ocsp": {
                        "interm": {
                            "for-issuer": "interm",
                            "responder-cert": "ocsp",
                            "signing-key": "ocsp",
                        }
                    },
                    "crl-repo": {
                        "root": {
                            "for-issuer": "root",
                            "signing-key": "root",
                            "simulated-update-schedule": "P90D",
                        },
                        "interm": {
                            "for-issuer": "interm",
                            "signing-key": "interm",
                            "simulated-update-schedule": "P7D",
                        },
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }


class _LateBoundApp:
    """WSGI app whose target is set after the port is known (URLs live in the certificates).

    It also answers OCSP requests sent with GET (RFC 6960 A.1), as real responders do and
    as NSS (pdfsig) tries first; certomancer itself only takes POST.
    """

    def __init__(self) -> None:
        self.target = None

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        marker = f"/{ARCH}/ocsp/"
        if environ.get("REQUEST_METHOD") == "GET" and path.startswith(marker):
            environ = _ocsp_get_as_post(environ, marker)
        return self.target(environ, start_response)


def _ocsp_get_as_post(environ, marker: str) -> dict:
    import base64
    import io
    from urllib.parse import unquote

    rest = environ["PATH_INFO"][len(marker):]
    responder, _, encoded = rest.partition("/")
    if not encoded:
        return environ
    body = base64.b64decode(unquote(encoded))
    rewritten = dict(environ)
    rewritten.update(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": f"{marker}{responder}",
            "CONTENT_TYPE": "application/ocsp-request",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
    )
    return rewritten


@dataclass
class TestPki:
    """The running test PKI: certificates, key files, service URLs."""

    directory: Path
    base_url: str
    arch: object
    _server: object = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    __test__ = False  # not a pytest class

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    def cert(self, label: str) -> asn1_x509.Certificate:
        return self.arch.get_cert(label)

    def cert_der(self, label: str) -> bytes:
        return self.cert(label).dump()

    def key_path(self, label: str) -> Path:
        return self.directory / "keys" / f"{label}.key.pem"

    def trust_dir(self) -> Path:
        """A folder holding only the root certificate, as `--trust DIR` expects."""
        path = self.directory / "trust"
        path.mkdir(exist_ok=True)
        (path / "root.cer").write_bytes(self.cert_der("root"))
        return path

    def chain_ders(self, label: str) -> list[bytes]:
        return [self.cert_der(label), self.cert_der("interm"), self.cert_der("root")]

    def crls(self) -> list[bytes]:
        """The current CRLs of the root and the issuing CA, fetched from the running service."""
        import urllib.request

        found = []
        for issuer in ("root", "interm"):
            url = f"{self.base_url}/{ARCH}/crls/{issuer}/latest.crl"
            with urllib.request.urlopen(url, timeout=10) as answer:
                found.append(answer.read())
        return found

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()


def build_pki(directory: Path) -> TestPki:
    """Generate keys, configure certomancer and serve its services on 127.0.0.1."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import CertomancerConfig
    from werkzeug.serving import make_server

    key_dir = directory / "keys"
    key_dir.mkdir(parents=True, exist_ok=True)
    kinds = {"root": "rsa3072", "interm": "rsa2048", "ocsp": "rsa2048", "tsa": "rsa2048"}
    kinds.update({spec.label: spec.key for spec in SIGNERS})
    for label, kind in kinds.items():
        _write_key(key_dir / f"{label}.key.pem", _new_key(kind))

    app = _LateBoundApp()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    now = datetime.now(UTC).replace(microsecond=0)
    config = CertomancerConfig(_config(now, base_url), key_search_dir=str(key_dir))
    arch = config.get_pki_arch(ARCH)
    app.target = Animator(AnimatorArchStore({ARCH: arch}), with_web_ui=False)
    thread = threading.Thread(target=server.serve_forever, name="test-pki", daemon=True)
    thread.start()
    return TestPki(directory=directory, base_url=base_url, arch=arch, _server=server, _thread=thread)


@dataclass
class SeparatePki:
    """The same test PKI served by a child process: for benchmarks, so the test CA's own work
    (certomancer loads and uses its keys on every OCSP and timestamp request, holding the GIL)
    does not run inside the process being measured — a real CA is never in it either."""

    directory: Path
    base_url: str
    process: object = field(repr=False)

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    def cert_der(self, label: str) -> bytes:
        return (self.directory / "certs" / f"{label}.der").read_bytes()

    def key_path(self, label: str) -> Path:
        return self.directory / "keys" / f"{label}.key.pem"

    def trust_dir(self) -> Path:
        path = self.directory / "trust"
        path.mkdir(exist_ok=True)
        (path / "root.cer").write_bytes(self.cert_der("root"))
        return path

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def build_separate_pki(directory: Path) -> SeparatePki:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-m", "tests.support.pki", str(directory)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               cwd=Path(__file__).resolve().parents[2])
    line = process.stdout.readline().split()
    if line[:1] != ["ready"]:
        raise RuntimeError("the test PKI did not start")
    return SeparatePki(directory, line[1], process)


def _serve_until_stdin_closes(directory: Path) -> None:
    import sys

    pki = build_pki(directory)
    certs = directory / "certs"
    certs.mkdir(exist_ok=True)
    for label in ("root", "interm", "ocsp", "tsa", *(spec.label for spec in SIGNERS)):
        (certs / f"{label}.der").write_bytes(pki.cert_der(label))
    print("ready", pki.base_url, flush=True)
    sys.stdin.read()
    pki.stop()


if __name__ == "__main__":
    import sys

    _serve_until_stdin_closes(Path(sys.argv[1]))
