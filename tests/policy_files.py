"""Policy files for the importer's tests, made from text: a Word .docx and a PDF with a text layer.

Both are written by hand (a .docx is a zip of XML; a PDF is a few objects) so the tests need
no office suite: list lines ("- …") become numbered Word paragraphs, and the PDF maps one
byte per character through a ToUnicode table, the way real PDF fonts expose Arabic text.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
    'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)


def make_docx(text: str, path: Path) -> None:
    """A minimal .docx: one right-to-left paragraph per line, "- " lines as list items."""
    paras = []
    for line in text.splitlines():
        numbered = line.startswith("- ")
        num = '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>' if numbered else ""
        body = escape(line[2:] if numbered else line)
        paras.append(f'<w:p><w:pPr>{num}<w:bidi/></w:pPr><w:r><w:t xml:space="preserve">{body}</w:t></w:r></w:p>')
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>'
                + "".join(paras) + "</w:body></w:document>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("word/document.xml", document)


def _visual(line: str) -> str:
    """Glyphs in the order a PDF producer paints them: right-to-left text reversed, numbers kept."""
    return re.sub(r"[0-9/]+", lambda m: m.group(0)[::-1], line[::-1])


def make_pdf(text: str, path: Path) -> None:
    """A one-page PDF whose text layer is ``text`` (one line per text line)."""
    chars = sorted(set(text.replace("\n", "")))
    assert len(chars) < 250, "one byte per character"
    code = {ch: i + 1 for i, ch in enumerate(chars)}
    lines = [ln for ln in text.splitlines() if ln.strip()]
    ops = []
    for n, line in enumerate(lines):
        hexed = "".join(f"{code[c]:02X}" for c in _visual(line))
        ops.append(f"BT /F1 9 Tf 30 {820 - n * 14} Td <{hexed}> Tj ET")
    content = "\n".join(ops).encode("ascii")
    entries = [f"<{code[c]:02X}> <{ord(c):04X}>" for c in chars]
    blocks = "\n".join(f"{len(entries[i:i + 100])} beginbfchar\n" + "\n".join(entries[i:i + 100]) + "\nendbfchar"
                       for i in range(0, len(entries), 100))
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            f"1 begincodespacerange <00> <FF> endcodespacerange\n{blocks}\n"
            "endcmap CMapName currentdict /CMap defineresource pop end end").encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
