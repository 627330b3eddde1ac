"""Links name the address the deployment is served at: `make run` passes on the port it serves,
and every absolute link (pages, feeds, exports, PDFs, the log's name, OCDS) follows it."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from core.settings import Settings
from tests.procurement.test_ocds import run_lifecycle
from tests.procurement.test_pdfs import pdf_text

ROOT = Path(__file__).resolve().parents[2]
ELSEWHERE = "http://127.0.0.1:8080"


def make_run(tmp_path: Path, **variables: str) -> dict[str, str]:
    """`make run` with a stand-in `prongsai` that reports the settings it was given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    report = tmp_path / "report"
    stand_in = bin_dir / "prongsai"
    stand_in.write_text(
        f'#!/bin/sh\necho "$1 $PRONGSAI_PUBLIC_BASE_URL $PRONGSAI_DATA_DIR $*" >> {report}\n'
    )
    stand_in.chmod(0o755)
    for made in ("python", ".installed"):
        (bin_dir / made).touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRONGSAI_")}
    env.update(variables)
    result = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "run", f"BIN={bin_dir}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return {line.split()[0]: line for line in report.read_text().splitlines()}


def test_make_run_passes_the_port_it_serves_on_to_every_command(tmp_path):
    commands = make_run(tmp_path, PORT="8080")
    assert set(commands) == {"migrate", "demo", "serve"}
    for line in commands.values():
        # the log's name follows the address, so another address keeps its own data folder
        assert line.split()[1:3] == [ELSEWHERE, "var/8080"]
    assert commands["serve"].endswith("--host 127.0.0.1 --port 8080")


def test_make_run_keeps_a_deployments_own_public_address(tmp_path):
    commands = make_run(
        tmp_path,
        PORT="8080",
        HOST="0.0.0.0",  # noqa: S104 -- what make run is given, not bound here
        PRONGSAI_PUBLIC_BASE_URL="https://p.example",
    )
    assert commands["serve"].split()[1] == "https://p.example"
    assert commands["serve"].endswith("--host 0.0.0.0 --port 8080")


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        database_url=database_url,
        secret_key="test-secret-key-of-decent-length",
        run_scheduler=False,
        public_base_url=ELSEWHERE,
    )


def absolute_links(text: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)]+", text))


def test_every_absolute_link_follows_the_public_address(client, session, clock, tmp_path):
    run_lifecycle(client, session, clock)
    tender_id = client.get("/api/tenders").json()[0]["id"]
    ours = {
        "/feeds/tenders.atom": client.get("/feeds/tenders.atom").text,
        "/api/ocds/releases": client.get("/api/ocds/releases?limit=1").text,
        "/data": client.get("/data").text,
        "/transparency": client.get("/transparency").text,
        "notice.pdf": pdf_text(client.get(f"/tenders/{tender_id}/notice.pdf").content, tmp_path),
    }
    for where, text in ours.items():
        links = {
            link
            for link in absolute_links(text)
            if "127.0.0.1" in link or "testserver" in link or "localhost" in link
        }
        assert links, f"{where} has no link to this deployment"
        assert all(link.startswith(ELSEWHERE) for link in links), (where, links)
    assert client.get("/api/ledger/public-key").json()["origin"] == "127.0.0.1:8080/prongsai-log"
