"""Benchmark 4 — type recognition on generated documents of every shipped type.

Each type gets at least ten documents as units lay them out (tests/support/catalogue_docs.py,
VARIANTS). A
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
from tests.support.catalogue_docs import VARIANTS, applies, variant_document

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

    def add(self, doc_type, recognition) -> bool:
        """Count one document; False when it was silently misidentified."""
        self.documents += 1
        found = recognition.type
        if recognition.confidence == "high":
            if found is doc_type:
                self.identified_right += 1
                return True
            self.identified_wrong += 1
            return False
        if found is doc_type:
            self.flagged_right += 1
        else:
            self.flagged_other += 1
        return True


def main(argv=None) -> dict:
    catalogue = load_catalogue().catalogue
    tally, misidentified = Tally(), []
    by_variant = {variant: Tally() for variant in VARIANTS}
    per_type: dict[str, int] = {}
    seconds = 0.0
    with tempfile.TemporaryDirectory() as folder:
        index = 0
        for doc_type in catalogue.types:
            for variant in VARIANTS:
                if not applies(doc_type, variant):
                    continue
                index += 1
                path = variant_document(doc_type, Path(folder), variant, index)
                started = time.process_time()
                result = run_preflight(path, catalogue=catalogue, role="vien-truong")
                seconds += time.process_time() - started
                per_type[doc_type.name] = per_type.get(doc_type.name, 0) + 1
                by_variant[variant].add(doc_type, result.recognition)
                if not tally.add(doc_type, result.recognition):
                    found = result.recognition.type
                    misidentified.append((doc_type.name, variant, found.name if found else None))
    result = {"types": len(catalogue.types), "tally": tally, "misidentified": misidentified,
              "by_variant": by_variant, "fewest_per_type": min(per_type.values()),
              "seconds_per_document": seconds / max(tally.documents, 1)}
    print(f"recognition: {tally.documents} documents of {len(catalogue.types)} types "
          f"(at least {result['fewest_per_type']} per type)")
    print(f"  identified right {tally.identified_right}, wrong {tally.identified_wrong} "
          f"(precision {tally.precision:.3f}); flagged with the right proposal {tally.flagged_right}, "
          f"flagged otherwise {tally.flagged_other}; {result['seconds_per_document'] * 1000:.1f} ms CPU per document")
    for variant, counts in by_variant.items():
        print(f"  {variant:26s} {counts.documents:3d}: identified {counts.identified_right:3d}, "
              f"wrong {counts.identified_wrong}, flagged right {counts.flagged_right:3d}, other {counts.flagged_other}")
    for name, variant, found in misidentified:
        print(f"  MISIDENTIFIED {name} ({variant}) as {found}")
    return result


if __name__ == "__main__":
    main()
