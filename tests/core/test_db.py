"""SQLite writers take turns in arrival order; readers never wait for them."""

import threading
import time

import pytest
from sqlalchemy import text
from sqlmodel import Session

from core.db import _WriterQueue, make_engine, read_only, snapshot


def test_writers_are_served_in_arrival_order():
    queue = _WriterQueue(timeout=5)
    order, started = [], []
    queue._acquire()  # a writer is busy

    def writer(n):
        started.append(n)
        queue._acquire()
        order.append(n)
        queue._release()

    threads = []
    for n in range(5):
        threads.append(threading.Thread(target=writer, args=(n,)))
        threads[-1].start()
        while len(started) <= n:
            time.sleep(0.001)
        time.sleep(0.02)  # let it queue before the next one arrives
    queue._release()
    for t in threads:
        t.join()
    assert order == [0, 1, 2, 3, 4]


def test_a_writer_that_waits_too_long_gives_up_and_leaves_the_queue_usable():
    queue = _WriterQueue(timeout=0.05)
    queue._acquire()
    with pytest.raises(TimeoutError, match="busy with other writers"):
        queue._acquire()
    queue._release()
    queue._acquire()  # free again
    queue._release()


def test_a_reader_reads_while_a_writer_holds_its_turn(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    with engine.connect() as writer:
        writer.begin()
        writer.execute(text("INSERT INTO t VALUES (1)"))
        with read_only(engine).connect() as reader:
            assert reader.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
        writer.commit()
    engine.dispose()


def test_a_snapshot_session_reads_one_moment_however_many_queries_it_makes(engine):
    """The bulk file reads its releases in keyset pages on such a session: a release committed
    between two pages (under a lower id, on PostgreSQL) must not half-appear."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE snapshot_probe (n INTEGER)"))
    try:
        count = text("SELECT count(*) FROM snapshot_probe")
        with Session(snapshot(engine)) as reader:
            assert reader.execute(count).scalar_one() == 0
            with engine.begin() as writer:
                writer.execute(text("INSERT INTO snapshot_probe VALUES (1)"))
            assert reader.execute(count).scalar_one() == 0
        with Session(snapshot(engine)) as reader:
            assert reader.execute(count).scalar_one() == 1
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE snapshot_probe"))
