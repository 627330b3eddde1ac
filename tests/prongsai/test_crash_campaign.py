"""The crash campaign's short form (bench/crash_campaign.py, 3 kills): suppliers bid with
Idempotency-Keys and retries while the server is killed with SIGKILL and restarted, the last
time just after the opening; every acknowledged bid is kept, none twice, no key stays stuck, the
tender opens exactly once and the log verifies, with every receipt's proof."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_three_kills_lose_nothing_and_open_once(fresh_database):
    campaign = subprocess.run(
        [
            sys.executable,
            "bench/crash_campaign.py",
            *("--database", fresh_database),
            *("--kills", "3", "--suppliers", "4", "--rounds", "2"),
            *("--burst-seconds", "4", "--settle", "4", "--restart-allowance", "5"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    report = json.loads(campaign.stdout)
    assert report["problems"] == [], campaign.stderr[-2000:]
    assert campaign.returncode == 0
    assert report["kills"] == 3
    assert report["acknowledged"] >= 8  # each supplier's two versions answered (replays too)
    assert report["bids_stored"] == 8  # each version stored once, the second replacing the first
    assert report["openings"] == 1
