"""PDFs render English and Thai with real glyphs: the text reads back out of the file; every
document is on the deploying body's letterhead, and a heading never ends a page."""

import subprocess

import pytest
from jinja2 import DictLoader

from core.pdf import qr_data_uri, render_pdf
from core.templating import make_templates
from tests.pdfs import pdf_text

TEST_TEMPLATE = """{% extends "core/pdf/document.html" %}
{% block body %}<h1>{{ title }}</h1><p lang="th">{{ thai }}</p><p>{{ english }}</p>{% endblock %}
"""
RECORD_TEMPLATE = """{% extends "core/pdf/document.html" %}
{% set doc_kind = "Test record" %}{% set reference = "REF-42" %}
{% set record_url = public_url("/records/42") %}{% set log_index = 7 %}
{% block body %}<div class="spacer" style="height: {{ spacer_mm }}mm"></div>
<h2>The heading</h2><p>What the heading heads.</p>{% endblock %}
"""


@pytest.fixture
def env(settings):
    env = make_templates(
        settings.model_copy(update={"body_name": "Udon Thani City", "body_name_th": "นครอุดรธานี"}),
        ["core"],
    ).env
    env.loader.loaders.insert(
        0, DictLoader({"test.html": TEST_TEMPLATE, "record.html": RECORD_TEMPLATE})
    )
    return env


def test_thai_and_english_text_read_back_from_the_pdf(env, tmp_path):
    thai = "ใบอนุญาตก่อสร้างอาคาร กรุงเทพมหานคร"
    pdf = render_pdf(
        env,
        "test.html",
        {"title": "Building permit", "thai": thai, "english": "Issued to the public record."},
    )
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf, tmp_path)
    assert "Building permit" in text
    assert "Issued to the public record." in text
    assert "ใบอนุญาตก่อสร้างอาคาร" in text
    assert "กรุงเทพมหานคร" in text


def test_thai_is_set_in_a_font_that_has_thai_glyphs(env, tmp_path):
    pdf = render_pdf(env, "test.html", {"title": "T", "thai": "สวัสดี", "english": "E"})
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Loma" in fonts or "NotoSansThai" in fonts, fonts


def test_user_text_is_escaped_not_rendered_as_markup(env, tmp_path):
    pdf = render_pdf(env, "test.html", {"title": "<b>x</b>", "thai": "ก", "english": "e"})
    assert "<b>x</b>" in pdf_text(pdf, tmp_path)


def test_the_letterhead_names_the_body_and_the_record_from_settings(env, settings, tmp_path):
    text = pdf_text(render_pdf(env, "record.html", {"spacer_mm": 1}), tmp_path)
    assert "Udon Thani City" in text
    assert "นครอุดรธานี" in text
    assert "Test record" in text
    assert "REF-42" in text
    base = str(settings.public_base_url).rstrip("/")
    assert f"{base}/records/42" in text
    assert f"{base}/transparency/log/7" in text


def test_a_qr_code_is_an_svg_image():
    assert qr_data_uri("https://example.org/x").startswith("data:image/svg+xml;base64,")


def test_a_heading_never_ends_a_page(env, tmp_path):
    """Pushes the heading down 3 mm at a time across the page's foot (a dozen renders, a few
    seconds): on every page it is followed by the paragraph it heads."""
    seen_on_second_page = False
    for spacer_mm in range(190, 226, 3):
        pdf = render_pdf(env, "record.html", {"spacer_mm": spacer_mm})
        pages = pdf_text(pdf, tmp_path).split("\f")
        (page,) = [p for p in pages if "The heading" in p]
        assert "What the heading heads." in page, (spacer_mm, page)
        seen_on_second_page |= pages.index(page) > 0
    assert seen_on_second_page, "the test never pushed the heading over a page break"
