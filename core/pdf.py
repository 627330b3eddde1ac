"""PDF documents (notices, receipts, certificates) rendered from Jinja2 templates by WeasyPrint.

Every document extends core/pdf/document.html: the deploying body's letterhead (its emblem and
name in both languages, from the same settings as the web pages), the document's kind and
reference, and a QR code of the record's public page with the addresses of that page and of its
transparency-log entry, so a printed copy leads back to the record anyone can check.
"""

from __future__ import annotations

import base64
from typing import Any

import segno
from jinja2 import Environment

from core.settings import Settings


def render_pdf(
    env: Environment, template: str, context: dict[str, Any], *, base_url: str | None = None
) -> bytes:
    """Render a template to HTML, then to PDF bytes (A4, Thai-capable fonts)."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF work needs.
    from weasyprint import HTML

    html = env.get_template(template).render(**context)
    return HTML(string=html, base_url=base_url).write_pdf()


def public_url(settings: Settings, path: str) -> str:
    """The absolute address of a public page, from its path ("/tenders/7")."""
    return f"{str(settings.public_base_url).rstrip('/')}/{path.lstrip('/')}"


def log_entry_url(settings: Settings, index: int) -> str:
    """The public page of one transparency-log entry."""
    return public_url(settings, f"/transparency/log/{index}")


def qr_data_uri(url: str) -> str:
    """A QR code of a URL, as an SVG data URI a document embeds."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
