"""The process's recorder of sealed bids: one thread that records them in batches.

In a server, one `Sequencer` thread per process takes every bid its requests have sealed and
records them with `recording.record`: while one batch commits the next gathers, so the batch
grows with the load and a lone bid is recorded at once (no waiting for company). Other
processes' sequencers queue on the same row locks, so bids on one tender stay ordered across
processes too.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import timedelta

from sqlmodel import Session

from core.clock import Clock
from core.errors import DomainError
from core.i18n import N_, gettext, speaking
from core.ledger.keys import LogSigner
from core.settings import Settings
from procurement.bids.recording import Recorded, SealedBid, record
from procurement.exceptions import BidNotRecorded

log = logging.getLogger(__name__)

MAX_BATCH = 256  # bids per transaction: enough to share one commit among a burst's requests
WAIT = timedelta(seconds=60)  # a request's longest wait for its batch before it gives up
NOT_RECORDED = N_(
    "Your bid could not be confirmed just now. Send it again with the same Idempotency-Key: "
    "it is never recorded twice."
)


class Sequencer:
    """The process's recorder of sealed bids: requests hand it their bid and wait; its thread
    records whatever has gathered as one batch (module docstring). The thread starts on the
    first bid and ends after a quiet spell, so an idle app holds no thread."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        *,
        clock: Clock,
        settings: Settings,
        signer: LogSigner | None,
        idle: float = 5.0,
    ) -> None:
        self._session = session_factory
        self._clock, self._settings, self._signer = clock, settings, signer
        self._idle = idle
        self._queue: queue.Queue[tuple[SealedBid, Future[Recorded]]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        # One session for the thread's batches, kept between them: it remembers the tree's
        # right edge its appends left (core.ledger.service), so the next batch need not read it.
        self._open: Session | None = None

    def submit(self, bid: SealedBid) -> Recorded:
        """Record one bid with whatever else is waiting; its outcome, or its refusal raised."""
        done: Future[Recorded] = Future()
        self._queue.put((bid, done))
        self._ensure_running()
        try:
            return done.result(timeout=WAIT.total_seconds())
        except TimeoutError:
            raise BidNotRecorded(gettext(NOT_RECORDED)) from None

    def _ensure_running(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="bid-sequencer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self._idle)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._close()
                        self._thread = None
                        return
                continue
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._record(batch)

    def _record(self, batch: list[tuple[SealedBid, Future[Recorded]]]) -> None:
        outcomes = self.record([bid for bid, _ in batch])
        for (_, done), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, DomainError):
                done.set_exception(outcome)
            else:
                done.set_result(outcome)

    def record(self, bids: list[SealedBid]) -> list[Recorded | DomainError]:
        """Record one batch now, in a session of its own; a batch the database refuses is
        recorded again bid by bid, so one bad bid fails alone."""
        try:
            return self._attempt(bids)
        except Exception:
            if len(bids) == 1:
                log.exception("recording a bid failed")
                with speaking(bids[0].locale):
                    return [BidNotRecorded(gettext(NOT_RECORDED))]
            log.warning("a batch of %d bids failed; recording them one by one", len(bids))
            return [outcome for bid in bids for outcome in self.record([bid])]

    def _attempt(self, bids: list[SealedBid]) -> list[Recorded | DomainError]:
        session = self._open = self._open or self._session()
        try:
            return record(
                session, bids, clock=self._clock, settings=self._settings, signer=self._signer
            )
        except BaseException:
            self._close()
            raise

    def _close(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None
