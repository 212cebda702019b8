"""Small but well-formed sample files (PDF, PNG, CSV) for seeded attachments."""

from __future__ import annotations

import random
import struct
import zlib

__all__ = ["csv_file", "pdf_file", "png_file"]


def pdf_file(title: str, lines: int) -> bytes:
    """A one-page PDF showing ``title`` followed by ``lines`` lines of statement text."""
    text = [f"BT /F1 18 Tf 50 780 Td ({_pdf_escape(title)}) Tj ET"]
    for number in range(lines):
        y = 750 - (number % 60) * 12
        text.append(
            f"BT /F1 9 Tf 50 {y} Td (Line {number + 1}: invoice INV-{1000 + number} "
            f"settled in full) Tj ET"
        )
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _pdf_escape(text: str) -> str:
    cleaned = text.encode("latin-1", "replace").decode("latin-1")
    return cleaned.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def png_file(width: int, height: int, rng: random.Random) -> bytes:
    """An RGB PNG of the given size with a gradient in random colours."""
    red, green, blue = rng.randrange(256), rng.randrange(256), rng.randrange(256)
    reds = bytes((red + x) % 256 for x in range(width))
    blues = bytes((blue + k) % 256 for k in range(width + height))
    rows = bytearray()
    row = bytearray(width * 3)
    row[0::3] = reds
    for y in range(height):
        # Channel slices instead of per-pixel work: a 256x256 image costs 256 row copies.
        row[1::3] = bytes(((green + y) % 256,)) * width
        row[2::3] = blues[y : y + width]
        rows.append(0)  # filter type None
        rows += row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + _png_chunk(b"IEND", b"")
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def csv_file(rows: int, rng: random.Random) -> bytes:
    """A CSV statement of ``rows`` invoices."""
    lines = ["invoice,issued,due,amount,currency,status"]
    for number in range(rows):
        month = 1 + number % 12
        amount = rng.randrange(1000, 500000) / 100
        status = rng.choice(("Paid", "Open", "Overdue"))
        lines.append(
            f"INV-{2000 + number},2023-{month:02d}-05,2023-{month:02d}-28,{amount:.2f},GBP,{status}"
        )
    return ("\n".join(lines) + "\n").encode()
