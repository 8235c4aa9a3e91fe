"""PAdES baseline levels (ETSI EN 319 142-1)."""

from __future__ import annotations

from enum import Enum

__all__ = ["PadesLevel"]


class PadesLevel(Enum):
    B_B = "B-B"  # signature with signed attributes
    B_T = "B-T"  # + RFC 3161 signature timestamp
    B_LT = "B-LT"  # + certificates and revocation data in the DSS
    B_LTA = "B-LTA"  # + a document timestamp over all of it

    @property
    def rank(self) -> int:
        return list(PadesLevel).index(self)

    @property
    def needs_timestamp(self) -> bool:
        return self.rank >= PadesLevel.B_T.rank

    @property
    def needs_revocation_data(self) -> bool:
        return self.rank >= PadesLevel.B_LT.rank

    def __lt__(self, other: PadesLevel) -> bool:
        return self.rank < other.rank

    def __le__(self, other: PadesLevel) -> bool:
        return self.rank <= other.rank

    @classmethod
    def parse(cls, text: str) -> PadesLevel:
        normalised = text.strip().upper().replace("_", "-")
        if not normalised.startswith("B-"):
            normalised = "B-" + normalised
        return cls(normalised)
