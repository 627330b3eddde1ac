"""Advance an application from a process of its own: advance.py URL NUMBER EMAIL DIR"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlmodel import Session

from core.auth import service as auth_service
from core.clock import system_clock
from core.db import make_engine
from core.settings import Settings
from permits import service
from permits.rules import Action


def main(url: str, number: str, email: str, data_dir: str) -> None:
    """One advance, committed."""
    engine = make_engine(url)
    settings = Settings(data_dir=Path(data_dir), database_url=url, secret_key="k" * 32)
    try:
        with Session(engine) as session:
            officer = auth_service.get_user_by_email(session, email=email)
            service.act(
                session,
                number=number,
                action=Action.ADVANCE,
                actor=officer,
                now=system_clock(),
                settings=settings,
            )
    finally:
        engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:5])
