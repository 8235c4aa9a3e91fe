"""A benchmark environment built like the tests': test PKI on loopback, SoftHSM2 token, NSS db.

Everything lives under benchmarks/work/ (ignored by git) and is rebuilt on every run, so each
run measures kyso and its peers on the same machine, the same token and the same files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.documents import decree30_pdf, signature_png
from tests.support.pki import SeparatePki, build_separate_pki
from tests.support.softhsm import USER_PIN, KeySpec, SoftHsm, TokenSpec

WORK = ROOT / "benchmarks" / "work"
TOKEN = "KYSO-BENCH"
KEY_ID = b"\x01"
LABEL = "signer-rsa2048"


@dataclass
class BenchEnv:
    work: Path
    pki: SeparatePki  # served by a child process: its CA work is not measured with kyso
    hsm: SoftHsm
    trust_dir: Path
    nss_dir: Path
    pin: str = USER_PIN

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, **self.hsm.env, "KYSO_HOME": str(self.work / "kyso-home"), "KYSO_LANG": "en"}

    @property
    def signature_image(self) -> Path:
        """The signer's handwritten-signature PNG that a personal signature shows."""
        path = self.work / "chu-ky.png"
        return path if path.exists() else signature_png(path)

    def pyhanko_config(self) -> Path:
        """pyhanko CLI configuration for the same token (its CLI reads the PIN from here)."""
        path = self.work / "pyhanko.yml"
        path.write_text(
            "pkcs11-setups:\n  bench:\n"
            f"    module-path: {self.hsm.module}\n"
            f"    token-criteria:\n      label: {TOKEN}\n"
            f"    cert-label: {LABEL}\n    key-label: {LABEL}\n"
            f'    user-pin: "{self.pin}"\n'
        )
        return path

    def documents(self, count: int, folder: str) -> list[Path]:
        target = self.work / folder
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        template = decree30_pdf(target / "mau.pdf")
        data = template.read_bytes()
        template.unlink()
        paths = []
        for index in range(count):
            path = target / f"van-ban-{index:04d}.pdf"
            path.write_bytes(data)
            paths.append(path)
        return paths


@contextmanager
def environment(env: BenchEnv | None = None) -> Iterator[BenchEnv]:
    """`env` when a caller shares one, else a new environment, stopped at the end."""
    if env is not None:
        yield env
        return
    env = build_env()
    try:
        yield env
    finally:
        env.pki.stop()


def build_env() -> BenchEnv:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    pki = build_separate_pki(WORK / "pki")
    hsm = SoftHsm(WORK / "softhsm")
    os.environ.update(hsm.env)
    hsm.init_token(TOKEN)
    hsm.fill_token(TokenSpec(TOKEN, (KeySpec(LABEL, KEY_ID, pki.key_path(LABEL), pki.cert_der(LABEL)),),
                             ca_certs=(pki.cert_der("interm"),)))
    nss_dir = WORK / "nss"
    _nss_with_softhsm(nss_dir, hsm)
    return BenchEnv(work=WORK, pki=pki, hsm=hsm, trust_dir=pki.trust_dir(), nss_dir=nss_dir)


def _nss_with_softhsm(directory: Path, hsm: SoftHsm) -> None:
    """An NSS database that sees the SoftHSM token, for `pdfsig -add-signature`."""
    directory.mkdir(parents=True)
    env = {**os.environ, **hsm.env}
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True,
                   capture_output=True, env=env)
    subprocess.run(["modutil", "-force", "-dbdir", f"sql:{directory}", "-add", "softhsm",
                    "-libfile", hsm.module], check=True, capture_output=True, env=env)


def peak_rss_mib(pid_usage) -> float:
    """ru_maxrss of a finished child (KiB on Linux) in MiB."""
    return pid_usage.ru_maxrss / 1024
