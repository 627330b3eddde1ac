"""Child process for the concurrent-writer test: append entries, one per transaction."""

import sys
from datetime import UTC, datetime

from sqlmodel import Session

from core.db import make_engine
from core.ledger import service


def main(url: str, label: str, count: int) -> None:
    engine = make_engine(url)
    for n in range(count):
        with Session(engine) as session:
            service.append(
                session,
                entry_type="test.writer.appended",
                payload={"writer": label, "n": n},
                now=datetime.now(UTC),
            )
            session.commit()
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
