"""A permit page misses no change made between its render and its live stream connecting."""

from __future__ import annotations

import re

import httpx

from tests.permits.test_stream import advance, live, read_events  # noqa: F401


def shown_index(base: str, number: str) -> int:
    """The log index of the newest change the rendered page shows (what its script sends)."""
    page = httpx.get(f"{base}/permits/{number}").text
    return int(re.search(r'data-after-index="(\d+)"', page).group(1))


def test_a_change_between_render_and_connect_is_replayed(live):  # noqa: F811
    shown = shown_index(live["url"], live["number"])
    api = httpx.get(f"{live['url']}/api/permits/{live['number']}").json()
    assert shown == max(t["ledger_index"] for t in api["transitions"])
    advance(live)  # after the render, before the stream connects
    url = f"{live['url']}/api/permits/{live['number']}/stream?after_index={shown}"
    with httpx.Client(timeout=15) as client, client.stream("GET", url) as response:
        events, _ = read_events(response, want=1)
    assert events, "the change made before connecting was not replayed"
    assert events[0]["data"]["payload"]["action"] == "advance"
    assert events[0]["data"]["payload"]["ledger_index"] > shown


def test_a_page_rendered_after_a_change_is_not_sent_it_again(live):  # noqa: F811
    advance(live)
    shown = shown_index(live["url"], live["number"])  # the page already shows that change
    url = f"{live['url']}/api/permits/{live['number']}/stream?after_index={shown}"
    with httpx.Client(timeout=15) as client, client.stream("GET", url) as response:
        advance(live)  # the next change: the first the stream should send
        events, _ = read_events(response, want=1)
    assert events[0]["data"]["payload"]["ledger_index"] > shown


def test_the_after_parameter_resumes_like_last_event_id(live):  # noqa: F811
    url = f"{live['url']}/api/permits/{live['number']}/stream"
    with httpx.Client(timeout=15) as client, client.stream("GET", url) as response:
        advance(live)
        first, _ = read_events(response, want=1)
    event_id = int(first[0]["id"])
    with (
        httpx.Client(timeout=15) as client,
        client.stream("GET", f"{url}?after={event_id - 1}") as response,
    ):
        replayed, _ = read_events(response, want=1)
    assert replayed[0]["id"] == str(event_id)


def test_the_permit_page_script_sends_the_index(live):  # noqa: F811
    script = httpx.get(f"{live['url']}/static/permits-live.js").text
    assert 'getAttribute("data-after-index")' in script
    assert '"?after_index=" + shown' in script
