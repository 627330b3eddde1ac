"""The crash campaign's short form: three `kill -9`s of a real server during a bid burst with
Idempotency-Keys and retries, the last while the opening job may be running, then the history
check of bench/crash_campaign.py (the 20-kill figures are in BENCHMARKS.md)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

CAMPAIGN = Path(__file__).resolve().parents[2] / "bench" / "crash_campaign.py"


@pytest.fixture(scope="module")
def campaign():
    spec = importlib.util.spec_from_file_location("crash_campaign", CAMPAIGN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_three_kills_lose_no_acknowledged_bid_and_open_the_tender_once(
    campaign, fresh_database, capsys
):
    # Few suppliers and a short burst: the history is what is checked, not the load. A restart
    # takes 2-4 s here with compiled modules kept (4-9 s when every start compiled them
    # again); the deadline leaves each 8 s, and a slower one only makes a late retry a refusal
    # after the deadline (what a supplier would see). About 35 s, most of it waiting on the
    # server.
    status = campaign.main(
        [
            "--database",
            fresh_database,
            "--kills",
            "3",
            "--suppliers",
            "6",
            "--rounds",
            "2",
            "--burst-seconds",
            "4",
            "--settle",
            "4",
            "--restart-allowance",
            "8",
        ]
    )
    report = capsys.readouterr().out
    assert status == 0, report
    result = json.loads(report[report.index("{") :])
    assert result["problems"] == []
    assert result["openings"] == 1
    assert result["acknowledged"] >= 1  # bids went through between the kills
