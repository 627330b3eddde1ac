"""The deploying body's identity on every page: its colours (a stylesheet made from settings,
as the content security policy allows no inline style), its emblem and the favicon."""

from __future__ import annotations

import base64
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from core.settings import Settings
from core.web import SettingsDep

router = APIRouter(include_in_schema=False)
DEFAULT_EMBLEM = Path(__file__).parent / "static" / "emblem.svg"
EMBLEM_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}
CACHE = "public, max-age=3600"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """The WCAG relative luminance of a #rrggbb colour."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def ink_on(colour: str) -> str:
    """White or near-black, whichever reads better on `colour` (WCAG contrast ratio)."""
    light = (1.05) / (luminance(colour) + 0.05)
    dark = (luminance(colour) + 0.05) / (luminance("#1b1f24") + 0.05)
    return "#ffffff" if light >= dark else "#1b1f24"


def darker(colour: str, factor: float = 0.75) -> str:
    """`colour` darkened, for hover and pressed states."""
    r, g, b = (round(int(colour[i : i + 2], 16) * factor) for i in (1, 3, 5))
    return f"#{r:02x}{g:02x}{b:02x}"


def identity_css(colour: str) -> str:
    """The tokens a deployment's colour sets (core/static/prongsai.css reads them)."""
    colour = colour.lower()
    return (
        f":root {{ --brand: {colour}; --brand-ink: {ink_on(colour)};"
        f" --brand-dark: {darker(colour)}; }}\n"
    )


@router.get("/identity.css")
def identity_stylesheet(settings: SettingsDep) -> Response:
    """The deploying body's colours as CSS custom properties."""
    return Response(
        identity_css(settings.brand_colour),
        media_type="text/css",
        headers={"cache-control": CACHE},
    )


def _emblem_path(emblem_file: Path | None) -> Path:
    usable = (
        emblem_file is not None
        and emblem_file.suffix.lower() in EMBLEM_TYPES
        and emblem_file.is_file()
    )
    return emblem_file if usable and emblem_file is not None else DEFAULT_EMBLEM


def _emblem(settings: Settings) -> tuple[bytes, str]:
    """The emblem's bytes and media type: the deployment's file, else Prongsai's in its colour."""
    path = _emblem_path(settings.emblem_file)
    if path == DEFAULT_EMBLEM:
        svg = path.read_text().replace("#0b5cad", settings.brand_colour.lower())
        return svg.encode(), "image/svg+xml"
    return path.read_bytes(), EMBLEM_TYPES[path.suffix.lower()]


def emblem_data_uri(settings: Settings) -> str:
    """The emblem as a data URI, for documents (a PDF fetches nothing from the server)."""
    content, media_type = _emblem(settings)
    return f"data:{media_type};base64,{base64.b64encode(content).decode()}"


@router.get("/emblem")
@router.get("/favicon.ico")
def emblem(settings: SettingsDep) -> Response:
    """The deploying body's emblem (settings' emblem_file, else Prongsai's in the body's
    colour); also the favicon, so no page asks for one in vain."""
    path = _emblem_path(settings.emblem_file)
    if path == DEFAULT_EMBLEM:
        content, media_type = _emblem(settings)
        return Response(content, media_type=media_type, headers={"cache-control": CACHE})
    return FileResponse(
        path, media_type=EMBLEM_TYPES[path.suffix.lower()], headers={"cache-control": CACHE}
    )
