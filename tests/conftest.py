"""Shared fixtures: a test PKI on loopback, SoftHSM2 tokens, sample documents, a CLI runner.

The PKI and the tokens are built once per session (key generation and token set-up take a
few seconds); every test gets its own data folder (KYSO_HOME) and its own working folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.documents import decree30_pdf, seal_png, signature_png
from tests.support.pki import SIGNERS, TestPki, build_pki
from tests.support.softhsm import USER_PIN, KeySpec, SoftHsm, TokenSpec
from tests.support.validators import NssTrust

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

KEY_IDS = {spec.label: bytes([index + 1]) for index, spec in enumerate(SIGNERS)}
RSA_TOKEN = "KYSO-RSA"
EC_TOKEN = "KYSO-EC"
ALWAYS_TOKEN = "KYSO-ALWAYS"
REMOVABLE_TOKENS = ("KYSO-PULL-1", "KYSO-PULL-2", "KYSO-PULL-3")  # pulled out (folder deleted) by removal tests
_TOKENS = {
    RSA_TOKEN: ("signer-rsa2048", "signer-rsa3072", "org-seal", "signer-expired", "signer-revoked",
                "signer-norev", "signer-nosign", "signer-ocsp", "signer-crl", "signer-future"),
    EC_TOKEN: ("signer-ec256", "signer-ec384"),
    ALWAYS_TOKEN: ("signer-rsa2048",),
    **{label: ("signer-rsa2048",) for label in REMOVABLE_TOKENS},
}


@dataclass(frozen=True)
class Hsm:
    """The session's SoftHSM2 set-up, as tests need it."""

    module: str
    conf: Path
    pin: str
    softhsm: SoftHsm

    @staticmethod
    def key_id(label: str) -> bytes:
        return KEY_IDS[label]

    @property
    def env(self) -> dict[str, str]:
        return {"SOFTHSM2_CONF": str(self.conf)}


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> TestPki:
    running = build_pki(tmp_path_factory.mktemp("pki"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def hsm(tmp_path_factory, pki) -> Hsm:
    softhsm = SoftHsm(tmp_path_factory.mktemp("softhsm"))
    os.environ.update(softhsm.env)  # before any module is loaded in this process
    for label in _TOKENS:
        softhsm.init_token(label)
    ca = (pki.cert_der("interm"),)
    for label, signers in _TOKENS.items():
        keys = tuple(
            KeySpec(
                label=signer,
                key_id=KEY_IDS[signer],
                key_pem=pki.key_path(signer),
                cert_der=pki.cert_der(signer),
                always_authenticate=label == ALWAYS_TOKEN,
            )
            for signer in signers
        )
        softhsm.fill_token(TokenSpec(label, keys, ca_certs=ca))
    return Hsm(module=softhsm.module, conf=softhsm.conf, pin=USER_PIN, softhsm=softhsm)


@pytest.fixture(scope="session")
def trust_dir(pki) -> Path:
    return pki.trust_dir()


@pytest.fixture(scope="session")
def nss(tmp_path_factory, pki) -> NssTrust:
    return NssTrust(tmp_path_factory.mktemp("nss"), pki.cert_der("root"))


@pytest.fixture(scope="session")
def assets(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("assets")
    return {
        "signature": signature_png(folder / "chu-ky.png"),
        "seal": seal_png(folder / "con-dau.png"),
    }


@pytest.fixture(autouse=True)
def kyso_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "kyso-home"
    monkeypatch.setenv("KYSO_HOME", str(home))
    monkeypatch.setenv("KYSO_LANG", "vi")
    return home


def pytest_collection_modifyitems(config, items):
    """Every test that reaches PostgreSQL (through audit_server_pg, directly or through another
    fixture, or a parametrised "postgresql" database) carries the `postgres` marker: `-m "not
    postgres"` runs the rest on a machine without the server."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "audit_server_pg" in getattr(item, "fixturenames", ()) or "postgresql" in map(str, params.values()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def audit_server_pg():
    """The central audit server's PostgreSQL database for this session (kyso_test_<random>, migrated),
    dropped at the end. Tests keep apart through their own units, accounts and workstations."""
    from server.migrate import upgrade
    from tests.support.postgres import temporary_database

    with temporary_database() as url:
        upgrade(url)
        yield url


@pytest.fixture
def document(tmp_path) -> Path:
    return decree30_pdf(tmp_path / "quyet-dinh.pdf")


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_kyso(hsm, kyso_home, tmp_path):
    """Run the real `kyso` command in a child process, as a user would."""

    def run(*args: str, pin: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> CliResult:
        full_env = {**os.environ, **hsm.env, "KYSO_HOME": str(kyso_home), **(env or {})}
        completed = subprocess.run(
            [sys.executable, "-m", "app.cli.main", *args],
            input=(pin + "\n") if pin is not None else "",
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            cwd=tmp_path,
        )
        return CliResult(completed.returncode, completed.stdout, completed.stderr)

    return run
