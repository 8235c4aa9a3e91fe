"""Write a large PDF of incompressible page images, streaming (never held in memory).

Each A4 page carries one 300 dpi greyscale JPEG of random noise (JPEG cannot compress noise,
so the file is as large as its images). A handful of distinct images are cycled through.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

A4_POINTS = (595.28, 841.89)


def _noise_jpeg(seed: int, size=(2480, 3508)) -> bytes:
    from PIL import Image

    noise = os.urandom(size[0] * size[1])
    image = Image.frombytes("L", size, noise)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95, dpi=(300, 300))
    del seed
    return buffer.getvalue()


def write_large_pdf(path: Path, *, target_bytes: int, distinct_images: int = 6) -> int:
    """Write a valid PDF of at least `target_bytes`; returns its page count."""
    images = [_noise_jpeg(seed) for seed in range(distinct_images)]
    per_page = len(images[0]) + 400
    pages = max(1, -(-target_bytes // per_page))
    offsets: list[int] = []
    with open(path, "wb") as out:

        def obj(number: int, body: bytes) -> None:
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        kids = b" ".join(b"%d 0 R" % (3 + 3 * i) for i in range(pages))
        obj(2, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, kids))
        for index in range(pages):
            page, content, image = 3 + 3 * index, 4 + 3 * index, 5 + 3 * index
            data = images[index % len(images)]
            obj(page, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] "
                      b"/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
                      % (*A4_POINTS, image, content))
            draw = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % A4_POINTS
            obj(content, b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"\nendstream")
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n<< /Type /XObject /Subtype /Image /Width 2480 /Height 3508 "
                      b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode "
                      b"/Length %d >>\nstream\n" % (image, len(data)))
            out.write(data)
            out.write(b"\nendstream\nendobj\n")
        xref = out.tell()
        count = len(offsets) + 1
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
        out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
        out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, xref))
    return pages
