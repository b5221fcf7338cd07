"""A policy file's text: plain text or Markdown, Word (.docx) or a PDF with a text layer.

Word files are read with the standard library (a .docx is a zip of XML; paragraphs and
tabs are all the extractor needs), so no Word library is a dependency. PDFs go through
pypdf; a scanned PDF has no text to read, and is refused with a clear message rather than
turned into an empty association.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from pypdf import PdfReader
from pypdf.errors import PdfReadError

__all__ = ["PolicyReadError", "read_policy"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
#: fewer letters than this in a whole PDF means there is no text layer (a scan)
_MIN_LETTERS = 40


class PolicyReadError(Exception):
    """The file cannot be read as a policy; the message says why and what to do."""


def _docx_text(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise PolicyReadError(f"{path.name}: not a readable .docx file ({exc})") from None
    root = ElementTree.fromstring(xml)  # noqa: S314 - a local file the admin chose, parsed without entities
    lines: list[str] = []
    for para in root.iter(f"{_W}p"):
        parts: list[str] = []
        for node in para.iter():
            if node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
        numbered = para.find(f"{_W}pPr/{_W}numPr") is not None
        text = "".join(parts)
        lines.append(f"- {text}" if numbered and text.strip() else text)
    return "\n".join(lines)


def _pdf_text(path: Path) -> str:
    try:
        reader = PdfReader(path)
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError) as exc:
        raise PolicyReadError(f"{path.name}: not a readable PDF ({exc})") from None
    text = "\n".join(pages)
    if len(re.findall(r"[^\W\d_]", text)) < _MIN_LETTERS:
        raise PolicyReadError(
            f"{path.name}: this PDF has no text layer (it looks scanned). Export the policy from Word as .docx or "
            "a text PDF, or run it through OCR first / هذا الملف صور ممسوحة بلا نص: صدّر السياسة من Word بصيغة "
            ".docx أو PDF نصي، أو حوّلها بالتعرّف الضوئي على النص أولاً."
        )
    return text


def read_policy(path: Path) -> str:
    """The policy's raw text, whatever its format; raises :class:`PolicyReadError`."""
    if not path.is_file():
        raise PolicyReadError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in _TEXT_SUFFIXES:
        try:
            return path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise PolicyReadError(f"{path.name}: not UTF-8 text; save it as UTF-8") from None
    if suffix == ".docx":
        return _docx_text(path)
    if suffix == ".pdf":
        return _pdf_text(path)
    raise PolicyReadError(f"{path.name}: unsupported file type '{suffix}' (use .txt, .md, .docx or .pdf)")
