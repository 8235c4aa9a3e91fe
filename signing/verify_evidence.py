"""What a verification rests on, for the details a user asks for (the desktop's signature panel):
each signature's certificate chain with the validity of every certificate, the revocation
evidence embedded in the file and where it is (the signature itself — Adobe's revocation
archive — or the document security store), and how many pages the signed revision has.

Read-only and separate from the verdict (verify.py decides; this only describes), run after a
verification succeeded; any part that cannot be read is left out (logged), never an error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .document import open_reader
from .trust import TrustStore

__all__ = ["CertificateEntry", "RevocationEvidence", "SignatureEvidence", "signature_evidence"]

_log = logging.getLogger(__name__)
_MAX_CHAIN = 8


@dataclass(frozen=True)
class CertificateEntry:
    der: bytes
    subject: str  # common name, else the whole name
    issuer: str
    not_before: datetime
    not_after: datetime
    anchor: bool  # one of the trust anchors kyso was given


@dataclass(frozen=True)
class RevocationEvidence:
    kind: str  # "OCSP" or "CRL"
    issuer: str  # the OCSP responder's or the CRL issuer's name
    produced: datetime | None  # OCSP producedAt / CRL thisUpdate
    source: str  # "signature" (inside the CMS) or "dss" (the document security store)


@dataclass(frozen=True)
class SignatureEvidence:
    field_name: str
    chain: tuple[CertificateEntry, ...]  # the signer's certificate first, up to an anchor when found
    revocation: tuple[RevocationEvidence, ...]
    pages: int | None  # pages of the revision the signature covers


def signature_evidence(path: Path, *, trust: TrustStore) -> dict[str, SignatureEvidence]:
    """field name → its evidence, for every signature pyhanko can read in `path`."""
    found: dict[str, SignatureEvidence] = {}
    try:
        with open(path, "rb") as stream:
            reader = open_reader(stream, name=path)
            dss_certs, dss_revocation = _dss(reader)
            anchors = _certificates(trust.anchors)
            for signature in list(reader.embedded_signatures)[:500]:
                try:
                    found[str(signature.field_name)] = _evidence(signature, reader, dss_certs, dss_revocation, anchors)
                except Exception:  # one unreadable signature: the others are described
                    _log.info("evidence of %s in %s not readable", signature.field_name, path, exc_info=True)
    except Exception:  # the verdict stands; only the details are missing
        _log.info("evidence of %s not readable", path, exc_info=True)
    return found


def _evidence(signature, reader, dss_certs, dss_revocation, anchors) -> SignatureEvidence:
    signer = signature.signer_cert
    pool = list(signature.other_embedded_certs) + dss_certs
    chain = _chain(signer, pool, anchors)
    # the DSS serves every signature of the file: all of it is this signature's evidence too
    return SignatureEvidence(str(signature.field_name), chain, _archived(signature) + tuple(dss_revocation),
                             _pages(reader, signature.signed_revision))


def _chain(signer, pool, anchors) -> tuple[CertificateEntry, ...]:
    anchor_keys = {cert.subject.dump(): cert for cert in anchors}
    chain = [signer]
    current = signer
    while len(chain) < _MAX_CHAIN and current.issuer.dump() != current.subject.dump():
        if current.subject.dump() in anchor_keys and current.dump() in {a.dump() for a in anchors}:
            break
        issuer = anchor_keys.get(current.issuer.dump()) or next(
            (c for c in pool if c.subject.dump() == current.issuer.dump()), None)
        if issuer is None or any(issuer.dump() == c.dump() for c in chain):
            break
        chain.append(issuer)
        current = issuer
    anchor_ders = {a.dump() for a in anchors}
    return tuple(CertificateEntry(der=c.dump(), subject=_name(c.subject), issuer=_name(c.issuer),
                                  not_before=c.not_valid_before, not_after=c.not_valid_after,
                                  anchor=c.dump() in anchor_ders) for c in chain)


def _archived(signature) -> tuple[RevocationEvidence, ...]:
    """Adobe's revocation archive in the signed attributes (adbe-revocationInfoArchival)."""
    out: list[RevocationEvidence] = []
    try:
        for attribute in signature.signer_info["signed_attrs"]:
            if attribute["type"].native != "adobe_revocation_info_archival":
                continue
            for value in attribute["values"]:
                for crl in value["crl"] or ():
                    out.append(_crl(crl, "signature"))
                for ocsp in value["ocsp"] or ():
                    out.append(_ocsp(ocsp, "signature"))
    except Exception as exc:
        _log.debug("handled: %r", exc)
    return tuple(out)


def _dss(reader) -> tuple[list, list[RevocationEvidence]]:
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from pyhanko.pdf_utils.decode_limits import DecodePurpose
    from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return [], []
    certs = list(dss.load_certs())
    found: list[RevocationEvidence] = []
    for ref in dss.ocsps:
        found.append(_ocsp(asn1_ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE)), "dss"))
    for ref in dss.crls:
        found.append(_crl(asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL)), "dss"))
    return certs, found


def _ocsp(response, source: str) -> RevocationEvidence:
    basic = response["response_bytes"]["response"].parsed
    data = basic["tbs_response_data"]
    responder = data["responder_id"]
    if responder.name == "by_name":
        issuer = _name(responder.chosen)
    else:
        certs = basic["certs"] or ()
        issuer = _name(certs[0]["tbs_certificate"]["subject"]) if len(certs) else "?"
    return RevocationEvidence("OCSP", issuer, data["produced_at"].native, source)


def _crl(crl, source: str) -> RevocationEvidence:
    tbs = crl["tbs_cert_list"]
    return RevocationEvidence("CRL", _name(tbs["issuer"]), tbs["this_update"].native, source)


def _pages(reader, revision: int) -> int | None:
    try:
        root = reader.get_historical_resolver(revision).root
        return int(root["/Pages"]["/Count"])
    except Exception as exc:
        _log.debug("handled: %r", exc)
        return None


def _certificates(ders) -> list:
    from asn1crypto import x509

    return [x509.Certificate.load(der) for der in ders]


def _name(name) -> str:
    native = name.native
    return native.get("common_name") or name.human_friendly
