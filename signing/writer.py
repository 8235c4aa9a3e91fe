"""The incremental update a signature is written in: pyhanko's writer, with what real files need.

pyhanko's `IncrementalPdfFileWriter` takes three things on trust that real documents break:
- it numbers new objects from the trailer's /Size. A /Size that is too small (real producers
  write such files; viewers never look at it) makes the new objects *replace* existing ones —
  a page became the signature field in the files that showed it. New objects here are numbered
  above the highest object number present in any cross-reference section (what pypdf also does
  since its "do not rely on possibly invalid /Size" fix), hooked before the writer reads /Size;
- signing drops /NeedAppearances from the form (pyhanko's `ensure_sig_flags`), so viewers stop
  drawing the values of fields that rely on it. The update keeps the flag as the input had it
  (a later revision may change it: pyhanko's own difference analysis exempts it);
- it refreshes the document information and XMP metadata (/ModDate, /Producer). A signature
  needs neither, and unreadable XMP (or XMP under an unknown filter) made signing fail; the
  update leaves the metadata as it was.
"""

from __future__ import annotations

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

__all__ = ["SignatureUpdateWriter", "highest_object_number"]


def highest_object_number(reader) -> int:
    """The highest object number any cross-reference section of the file defines or frees."""
    xrefs = reader.xrefs
    highest = max((ref.idnum for ref in xrefs.xref_stream_refs), default=0)
    for revision in range(xrefs.total_revisions):
        data = xrefs.get_xref_data(revision)
        while data is not None:
            for table in (data.standard_xrefs, data.xrefs_in_objstm, data.freed, data.obj_streams_used):
                highest = max(highest, max(table, default=0))
            data = data.hybrid.xref_data if data.hybrid is not None else None
    return highest


class SignatureUpdateWriter(IncrementalPdfFileWriter):
    """An incremental update that never reuses an object number and changes nothing the
    signature does not need."""

    def __init__(self, reader) -> None:
        size = int(reader.trailer["/Size"])
        needed = highest_object_number(reader) + 1
        if needed > size:  # pyhanko numbers new objects from the trailer's /Size
            reader.trailer["/Size"] = generic.NumberObject(needed)
        super().__init__(reader.stream, prev=reader)
        self._need_appearances = _need_appearances(reader)

    def _update_meta(self) -> None:
        """Document information and XMP metadata stay as they are."""

    def _prep_dom_for_writing(self) -> None:
        super()._prep_dom_for_writing()
        if self._need_appearances is None:
            return
        form = self.root["/AcroForm"]
        if form.get("/NeedAppearances") != self._need_appearances:
            form["/NeedAppearances"] = self._need_appearances
            self.update_container(form)


def _need_appearances(reader):
    try:
        value = reader.root["/AcroForm"]["/NeedAppearances"]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, generic.BooleanObject) else None
