"""Each key type and mechanism produces a PDF signature both validators accept."""

from __future__ import annotations

import pytest

from signing.engine import SignOptions
from tests.support.signing import sign_files
from tests.support.validators import pdfsig, pyhanko_validate
from tokens import ModuleOptions

pytestmark = [pytest.mark.hsm, pytest.mark.pki]


@pytest.mark.parametrize(
    ("token", "key", "pss", "host_hash", "algorithm", "digest", "pdfsig_hash"),
    [
        ("KYSO-RSA", "signer-rsa2048", False, False, "sha256_rsa", "sha256", "SHA-256"),
        ("KYSO-RSA", "signer-rsa2048", False, True, "sha256_rsa", "sha256", "SHA-256"),
        ("KYSO-RSA", "signer-rsa3072", False, False, "sha256_rsa", "sha256", "SHA-256"),
        ("KYSO-RSA", "signer-rsa3072", True, False, "rsassa_pss", "sha256", "SHA-256"),
        ("KYSO-RSA", "signer-rsa2048", True, True, "rsassa_pss", "sha256", "SHA-256"),
        ("KYSO-EC", "signer-ec256", False, False, "sha256_ecdsa", "sha256", "SHA-256"),
        ("KYSO-EC", "signer-ec384", False, False, "sha384_ecdsa", "sha384", "SHA-384"),
        ("KYSO-ALWAYS", "signer-rsa2048", False, False, "sha256_rsa", "sha256", "SHA-256"),
    ],
)
def test_algorithm(token, key, pss, host_hash, algorithm, digest, pdfsig_hash,
                   hsm, pki, trust_dir, nss, tmp_path, document):
    second = document.with_name("thu-hai.pdf")
    second.write_bytes(document.read_bytes())
    report = sign_files(hsm, [document, second], key=key, token=token, trust_dir=trust_dir,
                        options=SignOptions(use_pss=pss),
                        module_options=ModuleOptions(host_hash=host_hash))
    assert report.all_ok, [o.error_code for o in report.outcomes]
    for outcome in report.outcomes:
        status = pyhanko_validate(outcome.output, pki.cert_der("root"))[0]
        assert status.bottom_line
        signer_info = _signer_info(outcome.output)
        assert signer_info["signature_algorithm"]["algorithm"].native == algorithm
        assert signer_info["digest_algorithm"]["algorithm"].native == digest
        view = pdfsig(outcome.output, nss)[0]
        assert view.validation == "Signature is Valid."
        assert view.hash_algorithm == pdfsig_hash


def _signer_info(path):
    from pyhanko.pdf_utils.reader import PdfFileReader

    with open(path, "rb") as handle:
        return PdfFileReader(handle).embedded_signatures[0].signer_info
