"""Reading a PDF back as its reader would: its text (pdftotext), and the QR codes printed on
its pages (rendered by pdftoppm, decoded by zxing-cpp)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

# Codes a document must never print as they are stored: a reader sees words.
RAW_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")
# tests.factories names its organisations after their kind ("Test buying_entity 3").
FACTORY_NAME = re.compile(r"Test [a-z_]+\s+\d+")


def raw_keys(text: str) -> list[str]:
    """The codes printed as they are stored (floor_plan, lowest_price), not as words."""
    return RAW_KEY.findall(FACTORY_NAME.sub("", text))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The text of every page, in reading order."""
    assert pdf.startswith(b"%PDF-"), pdf[:200]
    assert shutil.which("pdftotext"), "poppler-utils is needed: make test installs it"
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def flat(text: str) -> str:
    """The text without line breaks, for a long value (a URL, a hash) the page wraps."""
    return re.sub(r"\s*\n\s*", "", text)


def has_url(text: str, url: str) -> bool:
    """Is `url` printed, perhaps wrapped over lines? pdftotext drops a hyphen that ends a
    line (it takes it for a word's hyphenation), so hyphens are not compared."""
    return url.replace("-", "") in flat(text).replace("-", "")


def qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    """What each QR code printed on the document's first page says."""
    import zxingcpp
    from PIL import Image

    path = tmp_path / "qr.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
    )
    (image,) = tmp_path.glob("page*.png")
    return [r.text for r in zxingcpp.read_barcodes(Image.open(image))]
