"""Publish events from a process of its own.

Usage: python publish_events.py DATABASE_URL commit=SUBJECT rollback=SUBJECT ...
Each argument is one transaction publishing `tests.child.published` about SUBJECT, then
committed or rolled back, in the order given.
"""

from __future__ import annotations

import os
import sys

from sqlmodel import Session

from core.clock import system_clock
from core.db import make_engine
from core.events import publish


def main(url: str, steps: list[str]) -> None:
    """Run each step in its own transaction."""
    engine = make_engine(url)
    try:
        for step in steps:
            outcome, subject = step.split("=", 1)
            with Session(engine) as session:
                publish(
                    session,
                    name="tests.child.published",
                    payload={"pid": os.getpid()},
                    now=system_clock(),
                    subject=subject,
                )
                if outcome == "commit":
                    session.commit()
                else:
                    session.rollback()
    finally:
        engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
