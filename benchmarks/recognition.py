"""Benchmark 4 — type recognition on generated documents of every shipped type.

Each type gets several documents as units write them: the canonical form, the title typed
without diacritics, a later number with another unit's code, a number not assigned yet. A
document is *identified* (high confidence), *flagged* (low confidence or unknown: the user
confirms or chooses) or *misidentified*. The requirement: no document of a shipped type is
silently misidentified (identified with high confidence as another type).

    .venv/bin/python -m benchmarks.recognition
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from app.catalogue import load_catalogue
from app.preflight import run_preflight
from benchmarks.env import ROOT  # noqa: F401 - puts the repository on sys.path
from tests.support.catalogue_docs import NEUTRAL_BODY
from tests.support.documents import decree30_pdf

VARIANTS = ("canonical", "no-diacritics", "other-unit", "not-numbered")


@dataclass
class Tally:
    documents: int = 0
    identified_right: int = 0
    identified_wrong: int = 0
    flagged_right: int = 0  # low confidence, but the right type proposed
    flagged_other: int = 0  # unknown or a wrong proposal: the user chooses

    @property
    def precision(self) -> float:
        identified = self.identified_right + self.identified_wrong
        return self.identified_right / identified if identified else 1.0


def _strip(text: str) -> str:
    from app.preflight.text import strip_marks

    return strip_marks(text).upper()


def _document(doc_type, folder: Path, variant: str, index: int) -> Path:
    abbreviation = doc_type.abbreviations[0] if doc_type.abbreviations else None
    unit = "VKS-P2" if variant == "other-unit" else "VKSTC"
    symbol = f"{abbreviation}-{unit}" if abbreviation else f"{unit}-VP"
    number = "..." if variant == "not-numbered" else f"{(index * 7) % 98 + 1:02d}"
    title = doc_type.titles[0] if doc_type.titles else ""
    if variant == "no-diacritics":
        title = _strip(title)
    stem = doc_type.file_names[0] if doc_type.file_names else "van-ban"
    return decree30_pdf(
        folder / f"{stem}-{index}.pdf",
        title=title,
        subtitle=doc_type.subtitle[0].capitalize() if doc_type.subtitle else None,
        number=f"Số: {number}/{symbol}",
        summary="V/v trả lời đơn của công dân" if doc_type.recognise_without_title else None,
        body=NEUTRAL_BODY,
    )


def main(argv=None) -> dict:
    catalogue = load_catalogue().catalogue
    tally, misidentified = Tally(), []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        index = 0
        for doc_type in catalogue.types:
            for variant in VARIANTS:
                if variant == "no-diacritics" and not doc_type.titles:
                    continue
                index += 1
                path = _document(doc_type, Path(folder), variant, index)
                result = run_preflight(path, catalogue=catalogue, role="vien-truong")
                tally.documents += 1
                found = result.recognition.type
                if result.recognition.confidence == "high":
                    if found is doc_type:
                        tally.identified_right += 1
                    else:
                        tally.identified_wrong += 1
                        misidentified.append((doc_type.name, variant, found.name if found else None))
                elif found is doc_type:
                    tally.flagged_right += 1
                else:
                    tally.flagged_other += 1
    elapsed = time.perf_counter() - started
    result = {"types": len(catalogue.types), "tally": tally, "misidentified": misidentified,
              "seconds_per_document": elapsed / max(tally.documents, 1)}
    print(f"recognition: {tally.documents} documents of {len(catalogue.types)} types")
    print(f"  identified right {tally.identified_right}, wrong {tally.identified_wrong} "
          f"(precision {tally.precision:.3f}); flagged with the right proposal {tally.flagged_right}, "
          f"flagged otherwise {tally.flagged_other}; {result['seconds_per_document'] * 1000:.0f} ms per document")
    for name, variant, found in misidentified:
        print(f"  MISIDENTIFIED {name} ({variant}) as {found}")
    return result


if __name__ == "__main__":
    main()
