"""The crafted corpus, made once per session from documents kyso signs (tests/support/attacks.py):
kyso's own signatures at each level, a prepared shadow document, certified documents, every
attack variant and the legitimate controls, all in one folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from signing.engine import SignOptions
from signing.levels import PadesLevel
from tests.support import attacks
from tests.support import pdf_shapes as shapes
from tests.support.documents import decree30_pdf
from tests.support.signing import sign_files


@dataclass(frozen=True)
class Corpus:
    folder: Path
    files: dict[str, Path]

    def __getitem__(self, name: str) -> Path:
        return self.files[name]


# legitimate later revisions and kyso's own signatures: never an alarm
CONTROLS_VALID = ("b-b", "b-t", "b-lt", "b-lta", "two-signatures", "cert-p2-form-filled",
                  "cert-p2-prepared-field-signed", "cert-p3-form-filled", "b-lt-then-signed",
                  "cert-p2-kyso-new-field")  # an invisible new signature field: P2 permits it
# kyso's own signatures whose certificate has no revocation pointer: "cannot tell yet", never invalid
CONTROLS_INDETERMINATE = ("b-b-norev", "b-t-norev")
# certification attacks: the certifying signature must be flagged
CERTIFICATION_ATTACKS = ("cert-p1-later-signature", "cert-p2-annotation", "cert-p2-unsigned-field",
                         "cert-p2-sneaky-signature", "cert-p2-content", "cert-p3-content")


def _kyso_sign(hsm, pki, trust_dir, source: Path, out: Path, level: PadesLevel, key: str = "signer-rsa2048") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    token = "KYSO-EC" if key.startswith("signer-ec") else "KYSO-RSA"
    report = sign_files(hsm, [source], key=key, token=token, trust_dir=trust_dir, out_dir=out,
                        options=SignOptions(level=level, tsa_url=pki.tsa_url, allow_lower_level=False))
    outcome = report.outcomes[0]
    assert outcome.ok, outcome.error_code
    return outcome.output


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, hsm, pki, trust_dir) -> Corpus:
    folder = tmp_path_factory.mktemp("corpus")
    work = folder / "work"
    work.mkdir()
    files: dict[str, Path] = {}

    def put(name: str, data: bytes) -> Path:
        path = folder / f"{name}.pdf"
        path.write_bytes(data)
        files[name] = path
        return path

    plain = decree30_pdf(work / "quyet-dinh.pdf")
    for level in PadesLevel:
        name = level.value.lower()
        put(name, _kyso_sign(hsm, pki, trust_dir, plain, work / name, level).read_bytes())
    for level in (PadesLevel.B_B, PadesLevel.B_T):
        name = level.value.lower() + "-norev"
        put(name, _kyso_sign(hsm, pki, trust_dir, plain, work / name, level, key="signer-norev").read_bytes())
    put("two-signatures", _kyso_sign(hsm, pki, trust_dir, files["b-t"], work / "two", PadesLevel.B_T,
                                     key="signer-rsa3072").read_bytes())
    put("b-lt-then-signed", _kyso_sign(hsm, pki, trust_dir, files["b-lt"], work / "lt2", PadesLevel.B_LT,
                                       key="signer-ec256").read_bytes())
    prepared = work / "shadow-prepared.pdf"
    prepared.write_bytes(attacks.hidden_overlay_pdf(plain.read_bytes()))
    put("shadow", _kyso_sign(hsm, pki, trust_dir, prepared, work / "shadow", PadesLevel.B_B).read_bytes())

    _certified(pki, hsm, trust_dir, work, put)
    for attack in attacks.ATTACKS:
        put(attack.name, attack.build(files[attack.base].read_bytes()))
    return Corpus(folder, files)


def _certified(pki, hsm, trust_dir, work: Path, put) -> None:
    certifier = dict(key_pem=pki.key_path("signer-rsa3072"), cert_der=pki.cert_der("signer-rsa3072"),
                     chain=(pki.cert_der("interm"),))
    other = dict(key_pem=pki.key_path("signer-ec256"), cert_der=pki.cert_der("signer-ec256"),
                 chain=(pki.cert_der("interm"),))
    form = shapes.need_appearances_form_pdf(work / "form.pdf", values=("", ""))
    base = form.read_bytes()
    p1 = put("cert-p1", attacks.certify(base, permission=1, **certifier))
    p2 = put("cert-p2", attacks.certify(base, permission=2, empty_field="Chu ky 2", **certifier))
    p3 = put("cert-p3", attacks.certify(base, permission=3, **certifier))
    put("cert-p2-form-filled", attacks.fill_text_field(p2.read_bytes(), name="field0", value="Nguyen Van An"))
    put("cert-p3-form-filled", attacks.fill_text_field(p3.read_bytes(), name="field1", value="Tran Thi Binh"))
    put("cert-p2-prepared-field-signed", attacks.sign_into_field(p2.read_bytes(), field="Chu ky 2", **other))
    put("cert-p1-later-signature", attacks.sign_into_field(p1.read_bytes(), field="Sau", new_box=(320, 300, 540, 360),
                                                           **other))
    put("cert-p2-annotation", attacks.annotation_overlay("/FreeText")(p2.read_bytes()))
    put("cert-p2-unsigned-field", attacks.unsigned_signature_field(p2.read_bytes()))
    put("cert-p2-sneaky-signature", attacks.sign_into_field(p2.read_bytes(), field="Len", new_box=(60, 480, 320, 540),
                                                            **other))
    put("cert-p2-content", attacks.content_appended(p2.read_bytes()))
    put("cert-p3-content", attacks.content_replaced(p3.read_bytes()))
    put("cert-p2-kyso-new-field", _kyso_sign(hsm, pki, trust_dir, p2, work / "p2k", PadesLevel.B_B).read_bytes())
