"""Small evidence files for the demo: valid PDFs and PNGs of a chosen size, made from plain values.

They go through the same upload checks as a person's files (extension and first bytes), and open in a viewer.
The content is derived only from the arguments, so a replay writes the same bytes every time.
"""
from __future__ import annotations

import struct
import zlib


def pdf(title: str, size: int) -> bytes:
    """A one-page PDF naming `title` (ASCII), padded with a comment to about `size` bytes."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
         b"/Contents 4 0 R >>"),
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    padding = max(0, size - 700)
    out += b"".join(b"% demo evidence padding " + b"." * 54 + b"\n" for _ in range(padding // 80))
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(colour: tuple[int, int, int], size: int, label: str = "") -> bytes:
    """A 64×48 PNG of one colour; a text chunk carries the label and pads it to about `size` bytes."""
    width, height = 64, 48
    row = b"\x00" + bytes(colour) * width
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    pixels = _chunk(b"IDAT", zlib.compress(row * height, 9))
    base = len(header) + len(pixels) + 8 + 12
    comment = (label.encode("latin-1", "replace") + b" ").ljust(max(0, size - base - 20), b".")
    text = _chunk(b"tEXt", b"Comment\x00" + comment)
    return b"\x89PNG\r\n\x1a\n" + header + text + pixels + _chunk(b"IEND", b"")
