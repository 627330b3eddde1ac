"""PDFs render English and Thai with real glyphs: the text reads back out of the file."""

import shutil
import subprocess

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment, PackageLoader

from core.pdf import render_pdf

TEST_TEMPLATE = """{% extends "core/pdf/document.html" %}
{% block body %}<h1>{{ title }}</h1><p lang="th">{{ thai }}</p><p>{{ english }}</p>{% endblock %}
"""


@pytest.fixture
def env():
    return Environment(
        loader=ChoiceLoader([DictLoader({"test.html": TEST_TEMPLATE}), PackageLoader("core")]),
        autoescape=True,
    )


def pdf_text(pdf: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils is needed: make test installs it"
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


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
