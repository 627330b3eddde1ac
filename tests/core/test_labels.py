"""Codes are written as words, in the reader's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core import i18n
from prongsai.app import LOCALE_DIR, _label_book


@pytest.fixture
def book():
    i18n._catalogues.update(i18n.load_catalogues(LOCALE_DIR))
    yield _label_book()
    i18n.set_locale("en")


def test_a_log_entry_type_reads_as_words_in_both_languages(book):
    assert book.label("procurement.bid.sealed", "entry") == "Bid sealed"
    i18n.set_locale("th")
    assert book.label("procurement.bid.sealed", "entry") == "ยื่นข้อเสนอแบบปิดผนึก"


def test_a_permit_stage_takes_its_names_from_the_definition(book):
    assert book.label("BLD:plan_review", "stage") == "Plan and structural review"
    i18n.set_locale("th")
    assert book.label("FOD:hygiene_inspection", "stage") == "ตรวจสุขลักษณะ"


def test_an_unknown_code_is_still_written_as_words(book):
    assert book.label("some_new_state", "status") == "Some new state"
    assert book.label("procurement.thing.happened_today", "entry") == "Happened today"
    assert book.label(None) == ""


def test_every_entry_type_the_code_records_has_a_label(book):
    root = Path(LOCALE_DIR).parent.parent
    recorded = set()
    for package in ("core", "procurement", "permits"):
        for path in (root / package).rglob("*.py"):
            recorded |= set(
                re.findall(r'"((?:procurement|permits|core)\.[a-z_]+\.[a-z_]+)"', path.read_text())
            )
    # Scheduler job names share the shape but are never log entries.
    jobs = {
        name for name in recorded if name.split(".")[1] in {"tenders", "awards", "notifications"}
    }
    jobs |= {"permits.stage.mark_overdue", "core.accounts.send_mail", "core.ledger.frontier"}
    jobs |= {"procurement.insights.refresh", "permits.insights.refresh", "core.organisations.count"}
    unlabelled = sorted(name for name in recorded - jobs if ("entry", name) not in book.messages)
    assert unlabelled == []


def test_a_label_of_a_constant_is_not_frozen_in_the_language_that_compiled_it(book):
    from jinja2 import Environment

    from core.templating import per_request

    env = Environment(autoescape=True)
    env.filters["human"] = per_request(book.label)
    template = env.from_string('{{ "procurement.bid.sealed" | human("entry") }}')
    assert template.render() == "Bid sealed"
    i18n.set_locale("th")
    assert template.render() == "ยื่นข้อเสนอแบบปิดผนึก"
