"""Independent checks of signed files: poppler's pdfsig (NSS) and pyhanko's own validator."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NssTrust", "PdfsigSignature", "extract_text", "page_images", "pdfsig", "pyhanko_validate"]


class NssTrust:
    """An NSS database trusting the test root, for pdfsig's certificate validation.

    The CAs' current CRLs are imported too: poppler 22.12 reads NSS's last error code even
    after a successful verification, and a failed local CRL lookup would otherwise turn
    every trusted chain with CRL distribution points into "Unknown issue".
    """

    def __init__(self, directory: Path, root_der: bytes, crls: list[bytes] = ()) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        certutil = shutil.which("certutil")
        if certutil is None:
            raise FileNotFoundError("certutil not found: run scripts/setup.sh (libnss3-tools)")
        subprocess.run([certutil, "-N", "-d", f"sql:{directory}", "--empty-password"], check=True,
                       capture_output=True)
        root = directory / "root.der"
        root.write_bytes(root_der)
        subprocess.run(
            [certutil, "-A", "-d", f"sql:{directory}", "-n", "kyso-test-root", "-t", "CT,C,C", "-i", str(root)],
            check=True,
            capture_output=True,
        )
        for index, crl in enumerate(crls):
            path = directory / f"ca-{index}.crl"
            path.write_bytes(crl)
            subprocess.run(["crlutil", "-I", "-d", f"sql:{directory}", "-i", str(path), "-B"],
                           check=True, capture_output=True)

    @property
    def nssdir(self) -> str:
        return f"sql:{self.directory}"


@dataclass(frozen=True)
class PdfsigSignature:
    field: str
    signer: str
    validation: str
    certificate: str
    whole_document: bool
    hash_algorithm: str


def pdfsig(path: Path, trust: NssTrust, *, password: str | None = None) -> list[PdfsigSignature]:
    """Run `pdfsig` and parse its per-signature report."""
    secret = ["-upw", password] if password else []
    result = subprocess.run(
        ["pdfsig", "-nssdir", trust.nssdir, *secret, str(path)], capture_output=True, text=True, timeout=60
    )
    blocks = re.split(r"^Signature #\d+:\s*$", result.stdout, flags=re.MULTILINE)[1:]
    return [_parse_block(block) for block in blocks]


def _parse_block(block: str) -> PdfsigSignature:
    def field(name: str) -> str:
        match = re.search(rf"- {re.escape(name)}: (.*)$", block, flags=re.MULTILINE)
        return match.group(1).strip() if match else ""

    return PdfsigSignature(
        field=field("Signature Field Name"),
        signer=field("Signer Certificate Common Name"),
        validation=field("Signature Validation"),
        certificate=field("Certificate Validation"),
        whole_document="Total document signed" in block,
        hash_algorithm=field("Signing Hash Algorithm"),
    )


def pyhanko_validate(path: Path, root_der: bytes, other_certs: list[bytes] = (), *, password: str | None = None,
                     fetch: bool = True):
    """pyhanko's validator, called directly (not through kyso), one status per signature
    (`fetch=False`: no revocation fetching, for tests about integrity and signature values only)."""
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    async def run():
        statuses = []
        with open(path, "rb") as handle:
            reader = PdfFileReader(handle, strict=False)
            if reader.encrypted:
                reader.decrypt(password or "")
            for signature in reader.embedded_regular_signatures:
                context = ValidationContext(
                    trust_roots=[x509.Certificate.load(root_der)],
                    other_certs=[x509.Certificate.load(d) for d in other_certs],
                    allow_fetching=fetch,
                )
                try:
                    statuses.append(
                        await async_validate_pdf_signature(
                            signature, signer_validation_context=context, ts_validation_context=context
                        )
                    )
                finally:
                    await context.aclose()
        return statuses

    return asyncio.run(run())


def extract_text(path: Path) -> str:
    """Text of the whole file, as poppler extracts it (what a reader's copy-paste gives)."""
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                            check=True)
    return result.stdout


def page_images(path: Path, *, password: str | None = None, dpi: int = 40) -> list[bytes]:
    """Every page as poppler draws it (grey, `dpi`): a renderer independent of kyso's PDFium."""
    import tempfile

    secret = ["-upw", password] if password else []
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", *secret, str(path), f"{folder}/p"],
                       check=True, capture_output=True, timeout=120)
        return [page.read_bytes() for page in sorted(Path(folder).glob("p*.pgm"))]
