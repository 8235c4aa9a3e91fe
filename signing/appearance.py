"""What a signature looks like on the page, as Decree 30/2020 Appendix I prescribes.

| kind          | where                                   | shows                                   |
|---------------|-----------------------------------------|-----------------------------------------|
| invisible     | nowhere                                 | nothing                                 |
| personal      | the box given (signature block)         | the signer's handwritten signature PNG  |
| organisation  | over the left third of the personal one | the red seal PNG at its real size       |
| attachment    | top right of page 1                     | main document number + signing time     |
| copy          | top right of page 1                     | SAO Y/SAO LỤC/TRÍCH SAO, organisation, time |
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from .errors import SigningError, SigningErrorCode

__all__ = ["COPY_FORMS", "AppearanceKind", "AppearanceSpec", "Box"]

COPY_FORMS = ("SAO Y", "SAO LỤC", "TRÍCH SAO")


class AppearanceKind(Enum):
    INVISIBLE = "invisible"
    PERSONAL = "personal"
    ORGANISATION = "organisation"
    ATTACHMENT = "attachment"
    COPY = "copy"

    @property
    def has_image(self) -> bool:
        return self in (AppearanceKind.PERSONAL, AppearanceKind.ORGANISATION)

    @property
    def has_text(self) -> bool:
        return self in (AppearanceKind.ATTACHMENT, AppearanceKind.COPY)


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points, origin at the bottom left of the page."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    @classmethod
    def parse(cls, text: str) -> Box:
        """Parse "X1,Y1,X2,Y2" (PDF points)."""
        try:
            x1, y1, x2, y2 = (float(part) for part in text.split(","))
        except ValueError:
            raise SigningError(SigningErrorCode.BOX_INVALID, box=text) from None
        box = cls(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
        if box.width < 1 or box.height < 1:
            raise SigningError(SigningErrorCode.BOX_INVALID, box=text)
        return box

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.x1, self.y1, self.x2, self.y2)

    def __str__(self) -> str:
        return ",".join(f"{value:g}" for value in self.as_tuple())


@dataclass(frozen=True)
class AppearanceSpec:
    """How one signature should look. `page` is 1-based, as users count pages."""

    kind: AppearanceKind = AppearanceKind.INVISIBLE
    page: int = 1
    box: Box | None = None
    image: Path | None = None
    doc_number: str | None = None
    copy_form: str | None = None
    organisation: str | None = None

    def validate(self) -> None:
        """Refuse a spec that lacks what its kind needs, before any file is touched."""
        if self.page < 1:
            raise SigningError(SigningErrorCode.PAGE_OUT_OF_RANGE, page=self.page, pages="?")
        if self.kind.has_image:
            if self.image is None:
                raise SigningError(SigningErrorCode.IMAGE_MISSING, kind=self.kind.value)
            if not self.image.is_file():
                raise SigningError(SigningErrorCode.IMAGE_UNREADABLE, image=self.image)
        if self.kind is AppearanceKind.PERSONAL and self.box is None:
            raise SigningError(SigningErrorCode.BOX_INVALID, box="-")
        if self.kind is AppearanceKind.ATTACHMENT and not (self.doc_number or "").strip():
            raise SigningError(SigningErrorCode.TEXT_MISSING, field="doc-number")
        if self.kind is AppearanceKind.COPY:
            if (self.copy_form or "").strip().upper() not in COPY_FORMS:
                raise SigningError(SigningErrorCode.TEXT_MISSING, field="copy-form")
            if not (self.organisation or "").strip():
                raise SigningError(SigningErrorCode.TEXT_MISSING, field="organisation")

    def text_lines(self, *, signing_time: str) -> tuple[str, ...]:
        """The stamped lines for text kinds (attachment, copy)."""
        if self.kind is AppearanceKind.ATTACHMENT:
            return ((self.doc_number or "").strip(), signing_time)
        if self.kind is AppearanceKind.COPY:
            form = (self.copy_form or "").strip().upper()
            return (form, (self.organisation or "").strip(), signing_time)
        return ()
