"""English and Thai: choosing the reader's language, the switch, and locale-aware formats."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from core import formatting, i18n
from prongsai.app import LOCALE_DIR, create_app

BANGKOK = ZoneInfo("Asia/Bangkok")
THAI_NAV = "ใบอนุญาต"  # "Permits" in the main navigation


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


# ---- choosing the language -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("th", "th"),
        ("th-TH,th;q=0.9,en;q=0.8", "th"),
        ("en-GB,en;q=0.9,th;q=0.8", "en"),
        ("fr-FR, th;q=0.5, en;q=0.4", "th"),
        ("en;q=0.2, th;q=0.9", "th"),
        ("th;q=0, en", "en"),
        ("fr, de", None),
        ("*", None),
        ("", None),
        ("th;q=abc, ;;;, en-US", "en"),
        ("x" * 5000, None),
    ],
)
def test_accept_language_picks_the_best_supported_language(header, expected):
    assert i18n.from_accept_language(header) == expected


def test_an_explicit_choice_beats_the_browser_and_the_default():
    choose = i18n.negotiate
    assert choose(query="th", cookie="en", accept_language="en", default="en") == "th"
    assert choose(query=None, cookie="th", accept_language="en", default="en") == "th"
    assert choose(query="xx", cookie="th", accept_language="en", default="en") == "th"
    assert choose(query=None, cookie="fr", accept_language="th", default="en") == "th"
    assert choose(query=None, cookie=None, accept_language="de", default="th") == "th"


def test_a_page_follows_accept_language(client):
    page = client.get("/signin", headers={"accept-language": "th-TH,th;q=0.9"})
    assert page.status_code == 200
    assert html_lang(page.text) == "th"
    assert page.headers["content-language"] == "th"
    assert "Accept-Language" in page.headers["vary"]
    assert "<h1>เข้าสู่ระบบ</h1>" in page.text
    assert THAI_NAV in page.text
    english = client.get("/signin", headers={"accept-language": "en-GB"})
    assert html_lang(english.text) == "en"
    assert "<h1>Sign in</h1>" in english.text


def test_the_cookie_beats_accept_language_and_the_query_beats_the_cookie(client):
    client.cookies.set("lang", "en")
    page = client.get("/signin", headers={"accept-language": "th"})
    assert html_lang(page.text) == "en"
    assert html_lang(client.get("/signin?lang=th").text) == "th"
    client.cookies.set("lang", "klingon")  # a cookie we never set is ignored
    assert html_lang(client.get("/signin", headers={"accept-language": "th"}).text) == "th"


def test_the_deployment_default_applies_when_the_reader_says_nothing(settings, engine, clock):
    thai_first = create_app(
        settings.model_copy(update={"default_locale": "th"}), clock=clock, engine=engine
    )
    with TestClient(thai_first, base_url="https://testserver") as client:
        assert html_lang(client.get("/signin").text) == "th"
        assert html_lang(client.get("/signin", headers={"accept-language": "en"}).text) == "en"


def test_error_pages_speak_the_readers_language(client):
    page = client.get("/no-such-page", headers={"accept-language": "th"})
    assert page.status_code == 404
    assert html_lang(page.text) == "th"
    assert THAI_NAV in page.text
    assert "<h1>ไม่พบหน้าที่ต้องการ</h1>" in page.text
    assert "ไม่มีข้อมูลที่ /no-such-page" in page.text
    english = client.get("/no-such-page")
    assert "<h1>Not found</h1>" in english.text
    assert "There is nothing at /no-such-page." in english.text


# ---- the switch ----------------------------------------------------------------------------


def test_the_switch_sets_the_cookie_and_returns_to_the_same_page(client):
    response = client.get("/lang", params={"to": "th", "next": "/permits?status=paused&type=FOD"})
    assert response.status_code == 303
    assert response.headers["location"] == "/permits?status=paused&type=FOD"
    assert client.cookies.get("lang") == "th"
    page = client.get(response.headers["location"])
    assert html_lang(page.text) == "th"
    back = client.get("/lang", params={"to": "en", "next": "/signin"})
    assert back.headers["location"] == "/signin"
    assert client.cookies.get("lang") == "en"


def test_the_switch_links_on_a_page_point_back_at_that_page(client):
    page = client.get("/signin?next=/account&lang=th").text
    link = re.search(r'<a href="([^"]+)" lang="en" hreflang="en">English</a>', page).group(1)
    assert link.replace("&amp;", "&") == "/lang?to=en&next=%2Fsignin%3Fnext%3D%252Faccount"
    response = client.get(link.replace("&amp;", "&"))
    assert response.headers["location"] == "/signin?next=%2Faccount"
    assert '<span lang="th" aria-current="true">ไทย</span>' in page


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\tevil",
        "",
        "http:/evil.example",
    ],
)
def test_the_switch_never_redirects_off_the_site(client, target):
    response = client.get("/lang", params={"to": "th", "next": target})
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_an_unknown_language_changes_nothing(client):
    response = client.get("/lang", params={"to": "xx", "next": "/permits"})
    assert response.status_code == 303
    assert response.headers["location"] == "/permits"
    assert "lang" not in client.cookies


# ---- formats -------------------------------------------------------------------------------

MORNING = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok


def test_thai_dates_count_years_in_the_buddhist_era():
    def when(value, style):
        return formatting.format_when(value, style, zone=BANGKOK, locale="th")

    assert when(MORNING, "date") == "26 พ.ย. 2569"
    assert when(MORNING, "datetime") == "26 พ.ย. 2569 10:00"
    assert when(MORNING, "seconds") == "26 พ.ย. 2569 10:00:00"
    assert when(MORNING, "long") == "26 พฤศจิกายน พ.ศ. 2569"
    assert when(date(2026, 11, 26), "date") == "26 พ.ย. 2569"
    # New Year's Eve in UTC is already New Year's Day in Bangkok, and a new Buddhist year.
    assert when(datetime(2026, 12, 31, 20, 0, tzinfo=UTC), "date") == "1 ม.ค. 2570"


def test_english_dates_stay_unambiguous_iso():
    def when(value, style):
        return formatting.format_when(value, style, zone=BANGKOK, locale="en")

    assert when(MORNING, "date") == "2026-11-26"
    assert when(MORNING, "datetime") == "2026-11-26 10:00"
    assert when(MORNING, "long") == "26 November 2026"
    assert when(None, "date") == ""
    assert when(datetime(2026, 11, 26, 3, 0), "datetime") == "2026-11-26 10:00"  # noqa: DTZ001 -- naive is UTC


def test_localtime_keeps_machine_formats_and_localises_the_rest():
    i18n.set_locale("th")
    try:
        assert formatting.localtime(MORNING, zone=BANGKOK) == "26 พ.ย. 2569 10:00"
        assert formatting.localtime(MORNING, "%Y-%m-%d", zone=BANGKOK) == "26 พ.ย. 2569"
        assert (
            formatting.localtime(MORNING, "%Y-%m-%d %H:%M:%S", zone=BANGKOK)
            == "26 พ.ย. 2569 10:00:00"
        )
        # The value of a datetime-local input must stay what the browser parses.
        assert formatting.localtime(MORNING, "%Y-%m-%dT%H:%M", zone=BANGKOK) == "2026-11-26T10:00"
        assert formatting.localtime(None, zone=BANGKOK) == ""
    finally:
        i18n.set_locale("en")
    assert formatting.localtime(MORNING, zone=BANGKOK) == "2026-11-26 10:00"


def test_recorded_iso_times_read_as_local_dates_and_other_values_pass_through():
    recorded = "2026-12-05T15:36:00.000000Z"  # how an amendment records the deadline it moved
    assert formatting.format_recorded(recorded, zone=BANGKOK) == "2026-12-05 22:36"
    i18n.set_locale("th")
    try:
        assert formatting.format_recorded(recorded, zone=BANGKOK) == "5 ธ.ค. 2569 22:36"
    finally:
        i18n.set_locale("en")
    assert formatting.format_recorded("Two more hospitals", zone=BANGKOK) == "Two more hospitals"
    assert formatting.format_recorded("2026-13-45T99:00", zone=BANGKOK) == "2026-13-45T99:00"
    assert formatting.format_recorded(12, zone=BANGKOK) == "12"


def test_money_numbers_and_shares_follow_the_locale():
    for locale in ("en", "th"):
        assert (
            formatting.format_money(Decimal("3200000.50"), "THB", locale=locale) == "฿3,200,000.50"
        )
        assert (
            formatting.format_money(320000050, "THB", minor=True, locale=locale) == "฿3,200,000.50"
        )
        assert formatting.format_money(-1500, "THB", locale=locale) == "-฿1,500.00"
        assert formatting.format_number(1234567.891, locale=locale) == "1,234,567.891"
        assert formatting.format_number(Decimal("12.345"), 1, locale=locale) == "12.3"
        assert formatting.format_share(0.873, locale=locale) == "87%"
    assert formatting.format_money(Decimal("99.5"), "USD", locale="en") == "$99.50"
    assert formatting.format_money(Decimal("99.5"), "USD", locale="th") == "US$ 99.50"
    assert formatting.format_money(1000, "JPY", locale="en") == "¥1,000"
    assert formatting.format_money(None, "THB") == ""


def test_the_filters_use_the_requests_locale(app):
    env = app.state.templates.env
    template = env.from_string(
        "{{ when | date }}|{{ when | datetime }}|{{ amount | money }}|{{ big | number }}|"
        "{{ _('Permits') }}|{{ ngettext('%(num)s application', '%(num)s applications', 2) }}"
    )
    values = {"when": MORNING, "amount": Decimal("48900000"), "big": 12345}
    assert template.render(values) == (
        "2026-11-26|2026-11-26 10:00|฿48,900,000.00|12,345|Permits|2 applications"
    )
    i18n.set_locale("th")
    try:
        assert template.render(values) == (
            "26 พ.ย. 2569|26 พ.ย. 2569 10:00|฿48,900,000.00|12,345|ใบอนุญาต|2 คำขอ"
        )
    finally:
        i18n.set_locale("en")


# ---- the catalogue -------------------------------------------------------------------------


def test_the_thai_catalogue_is_well_formed_and_its_placeholders_match():
    with (LOCALE_DIR / "th" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="th")
    assert not list(catalog.check()), "the .po file has errors"
    translated = [m for m in catalog if m.id and m.string and "fuzzy" not in m.flags]
    assert len(translated) > 100
    # Placeholders (Python's and the scripts' {name}) and markup survive; a percent sign is
    # escaped (%%) or spelt out (ร้อยละ), never bare: templates %-format every message.
    keep = re.compile(r"%\(\w+\)s|\{\w+\}|</?\w+")
    for message in translated:
        source = message.id if isinstance(message.id, str) else message.id[1]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert sorted(keep.findall(source)) == sorted(keep.findall(target)), message.id
        assert not re.search(r"%(?!\(\w+\)s)", target.replace("%%", "")), message.id


def test_a_rules_message_stays_english_and_is_said_again_in_the_readers_language(app):
    from procurement.bids import rules as bid_rules

    assert app  # its catalogues are loaded
    problem = bid_rules.lot_prices_problem([(3, 100)], lot_count=2, total=100)
    assert problem == "there is no lot 3; the lots are 1 to 2"
    assert type(str(problem)) is str  # what a record stores is plain English
    both = i18n.joined("; ", [problem, "as typed"])
    assert both == "there is no lot 3; the lots are 1 to 2; as typed"
    assert i18n.localized("not a rule's message") == "not a rule's message"
    assert i18n.localized(i18n.joined("; ", [])) == ""
    i18n.set_locale("th")
    try:
        assert i18n.localized(problem) == "ไม่มีรายการที่ 3 รายการมีตั้งแต่ 1 ถึง 2"
        assert i18n.localized(both) == "ไม่มีรายการที่ 3 รายการมีตั้งแต่ 1 ถึง 2; as typed"
        floor = bid_rules.within_reserve(90, reserve=100, floor_rate_bp=9500)
        assert floor == "below the floor of 95.00% of the reserve price"
        assert i18n.localized(floor) == "ต่ำกว่าเกณฑ์ขั้นต่ำร้อยละ 95.00 ของราคาอ้างอิง"
    finally:
        i18n.set_locale("en")
    assert i18n.localized(problem) == "there is no lot 3; the lots are 1 to 2"


# ---- concurrency ---------------------------------------------------------------------------


def test_concurrent_readers_in_two_languages_never_see_each_others(client):
    def fetch(n: int) -> tuple[str, str]:
        locale = ("en", "th")[n % 2]
        path = "/signin" if n % 3 else f"/missing-{n}"
        page = client.get(path, params={"lang": locale}).text
        return locale, page

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, range(160)))
    for locale, page in results:
        assert html_lang(page) == locale
        assert (THAI_NAV in page) == (locale == "th")
        assert ('href="/permits">Permits</a>' in page) == (locale == "en")


def _thai_catalogue():
    with (LOCALE_DIR / "th" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale="th")


def test_every_catalogue_entry_is_translated_and_none_is_fuzzy():
    missing = []
    for message in _thai_catalogue():
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert missing == [], "untranslated or fuzzy in th/messages.po (run make messages): " + repr(
        missing[:20]
    )


def test_every_string_the_code_marks_is_in_the_catalogue():
    """Extracting again finds nothing the catalogue lacks (`make messages` was run)."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = LOCALE_DIR.parent.parent
    with (root / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in _thai_catalogue() if m.id}
    extracted = {
        message if isinstance(message, str) else message[0]
        for _name, _line, message, _comments, _context in extract_from_dir(
            root, method_map, options_map, keywords=DEFAULT_KEYWORDS
        )
    }
    assert len(extracted) > 500
    assert sorted(extracted - known) == [], "run make messages and translate"


def test_chart_years_and_months_are_in_the_buddhist_era_for_thai_readers():
    assert formatting.period_label("2026", locale="th") == "2569"
    assert formatting.period_label("2026-11", locale="th") == "พ.ย. 2569"
    assert formatting.period_label("2026-11", locale="en") == "2026-11"
    assert formatting.period_label("Goods", locale="th") == "Goods"
