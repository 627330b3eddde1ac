"""Passages in another language than the page's carry their `lang`."""

from __future__ import annotations

from core import i18n
from core.lang import language_of, local_name, marked


def test_text_is_recognised_as_thai_english_or_mixed():
    assert language_of("กองพัสดุ กรุงเทพมหานคร") == "th"
    assert language_of("Department of Highways") == "en"
    assert language_of("Flood pumps (บำรุงรักษาเครื่องสูบน้ำ)") is None
    assert language_of("BLD-2026-000042") == "en"


def test_an_english_title_on_a_thai_page_is_marked_and_a_thai_one_is_not():
    i18n.set_locale("th")
    try:
        assert marked("Asphalt resurfacing") == '<span lang="en">Asphalt resurfacing</span>'
        assert marked("ถนน <b>") == "ถนน &lt;b&gt;"
        assert local_name("Department of Highways", "กรมทางหลวง") == "กรมทางหลวง"
        assert local_name("Siam Civil Works", None) == '<span lang="en">Siam Civil Works</span>'
    finally:
        i18n.set_locale("en")
    assert local_name("Department of Highways", "กรมทางหลวง") == "Department of Highways"
    assert marked("กรมทางหลวง") == '<span lang="th">กรมทางหลวง</span>'


def test_each_half_of_a_bilingual_title_is_marked_on_the_page_of_the_other_language():
    title = "Flood pump maintenance (บำรุงรักษาเครื่องสูบน้ำ)"
    assert marked(title) == 'Flood pump maintenance (<span lang="th">บำรุงรักษาเครื่องสูบน้ำ</span>)'
    i18n.set_locale("th")
    try:
        assert marked(title) == '<span lang="en">Flood pump maintenance</span> (บำรุงรักษาเครื่องสูบน้ำ)'
    finally:
        i18n.set_locale("en")
