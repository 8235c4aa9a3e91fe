"""What marks a certificate, a timestamp or a PDF as made for practice (training), never for real.

kyso's practice certificates carry a certificate policy of ours, `PRACTICE_POLICY_OID`, under an
arc made from a UUID (ITU-T X.667: `2.25.<UUID as an integer>`, which needs no registration).
Production refuses a certificate with it before any PIN is asked; verification in production
says such a signature is a practice signature and not valid. Practice timestamps carry
`PRACTICE_TSA_POLICY_OID` as their TSA policy.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "PRACTICE_ARC",
    "PRACTICE_MARK_TEXT",
    "PRACTICE_POLICY_OID",
    "PRACTICE_TSA_POLICY_OID",
    "is_practice_certificate",
]

PRACTICE_ARC = "2.25.32254896422277885828098759689744967403"  # UUID 1844112c-a1be-484b-b167-92d7ccf066eb
PRACTICE_POLICY_OID = PRACTICE_ARC + ".1"  # "a practice certificate: no legal value"
PRACTICE_TSA_POLICY_OID = PRACTICE_ARC + ".2"  # the practice time-stamping authority's policy
PRACTICE_MARK_TEXT = "BẢN THỰC HÀNH — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"


def is_practice_certificate(certificate: Any) -> bool:
    """True when the certificate (DER bytes or an asn1crypto Certificate) carries our practice
    policy. A certificate that cannot be read is not one (it fails elsewhere, loudly)."""
    from asn1crypto import x509

    try:
        cert = x509.Certificate.load(certificate) if isinstance(certificate, bytes | bytearray) else certificate
        policies = cert.certificate_policies_value
    except (ValueError, TypeError):
        return False
    if policies is None:
        return False
    return any(policy["policy_identifier"].dotted == PRACTICE_POLICY_OID for policy in policies)
