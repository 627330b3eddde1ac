"""PDF documents (notices, receipts, certificates) rendered from Jinja2 templates by WeasyPrint."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment


def render_pdf(
    env: Environment, template: str, context: dict[str, Any], *, base_url: str | None = None
) -> bytes:
    """Render a template to HTML, then to PDF bytes (A4, Thai-capable fonts)."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF work needs.
    from weasyprint import HTML

    html = env.get_template(template).render(**context)
    return HTML(string=html, base_url=base_url).write_pdf()
