"""Group commit for webhook deliveries: one publish and one transaction for many requests.

A delivery is only answered once its events are confirmed by the broker and its id and dead
letters are committed. Doing that per request costs two or three durable writes each; under
load, requests arrive together, so one thread takes every delivery waiting and, in one
transaction, inserts their ids (the insert says which were taken before, or earlier in the
same group), publishes the new ones' events as CloudEvents batch messages and waits for the
broker's confirm, adds their dead letters and commits; only then is each request answered.

The committer runs on the server's event loop, not in a thread of its own: the commit blocks
the loop for a few milliseconds, during which new requests wait in the socket buffers and then
form the next, bigger group. A separate thread was measured slower: it and the loop handed the
GIL back and forth (a request waited up to a switch interval each time). One committer also
means one publisher and no race between two copies of a delivery in this process.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from canonical import Envelope
from connectors.sdk.deadletter import DeadLetter
from connectors.sdk.webhook import DeliveryKey
from hub.api.webhook_ledger import DeliveryLedger
from hub.connector_bus import HubEventBus

__all__ = ["DeliveryCommitter", "PendingDelivery", "Taken"]

log = logging.getLogger(__name__)

#: the most deliveries one group commits
MAX_GROUP = 512


@dataclass(slots=True)
class PendingDelivery:
    """A verified, translated delivery waiting to be made durable."""

    instance: str
    delivery_id: str
    events: list[Envelope[Any]]
    letters: list[DeadLetter]
    #: every key that makes it a duplicate (the delivery id first); default: the id alone
    keys: list[DeliveryKey] = field(default_factory=list)
    #: resolved on the event loop once the delivery is durable (set by ``take``)
    done: asyncio.Future[Taken] | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Taken:
    """What became of a delivery: taken now, or a duplicate of one taken before."""

    duplicate: bool
    event_ids: list[str]


class DeliveryCommitter:
    """Makes webhook deliveries durable, a group at a time, on the event loop."""

    def __init__(self, engine: Engine, bus: HubEventBus) -> None:
        self.engine = engine
        self.bus = bus
        self.ledger = DeliveryLedger(engine)
        self._queue: asyncio.Queue[PendingDelivery] | None = None
        self._task: asyncio.Task[None] | None = None

    async def take(self, pending: PendingDelivery) -> Taken:
        """Queue ``pending`` and return once it is durable (or raise why it is not)."""
        loop = asyncio.get_running_loop()
        if self._queue is None or self._task is None or self._task.done():
            self._queue = asyncio.Queue()
            self._task = loop.create_task(self._run(self._queue))
        pending.done = loop.create_future()
        self._queue.put_nowait(pending)
        return await pending.done

    async def _run(self, q: asyncio.Queue[PendingDelivery]) -> None:
        while True:
            group = [await q.get()]
            while len(group) < MAX_GROUP and not q.empty():
                group.append(q.get_nowait())
            # a request whose client went away was cancelled: nothing answered 2xx, so its peer
            # sends it again; leave it out rather than answer nobody
            group = [p for p in group if p.done is not None and not p.done.cancelled()]
            if not group:
                continue
            try:
                outcomes = self.commit(group)
            except Exception as exc:  # every request of the group is told, none is lost
                log.warning("webhook group of %d not taken: %s", len(group), exc)
                for p in group:
                    if p.done is not None and not p.done.done():
                        p.done.set_exception(exc)
                continue
            for p, taken in zip(group, outcomes, strict=True):
                if p.done is not None and not p.done.done():  # its client may have gone
                    p.done.set_result(taken)
            # let the requests that arrived meanwhile be read before the next group
            await asyncio.sleep(0)

    def commit(self, group: list[PendingDelivery]) -> list[Taken]:
        """Take the new deliveries (keys inserted), publish their events, then commit."""
        # a delivery sharing any key with an earlier one of the group is a copy of it
        seen: set[tuple[str, str]] = set()
        by_instance: dict[str, list[PendingDelivery]] = {}
        for p in group:
            keys = {(p.instance, k.value) for k in _keys(p)}
            if keys.isdisjoint(seen):
                by_instance.setdefault(p.instance, []).append(p)
            seen |= keys
        with self.engine.begin() as conn:
            fresh: list[PendingDelivery] = []
            for instance, pending in by_instance.items():
                verdicts = DeliveryLedger.take(
                    conn, instance, [(_keys(p), [e.id for e in p.events]) for p in pending]
                )
                fresh += [p for p, new in zip(pending, verdicts, strict=True) if new]
            # confirmed before the ids commit: a failed publish rolls them back (peer re-sends)
            self.bus.publish([e for p in fresh for e in p.events])
            HubEventBus.dead_letter_in(conn, [d for p in fresh for d in p.letters])
        fresh_ids = {id(p) for p in fresh}
        return [
            Taken(False, [e.id for e in p.events]) if id(p) in fresh_ids else Taken(True, [])
            for p in group
        ]


def _keys(pending: PendingDelivery) -> list[DeliveryKey]:
    return pending.keys or [DeliveryKey(pending.delivery_id)]
