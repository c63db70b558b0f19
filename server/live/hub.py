"""The subscribers of one server process, by shop, and the pokes they are waiting for."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import defaultdict


class Subscriber:
    """One open event stream; ``head`` is the newest head it has been offered."""

    def __init__(self, shop_id: str, head: int) -> None:
        self.shop_id = shop_id
        self.head = head
        self.event = asyncio.Event()
        self.closed = False

    def offer(self, head: int) -> None:
        # Pokes coalesce: a slow reader gets the newest head once, not every step to it.
        if head > self.head:
            self.head = head
            self.event.set()

    def close(self) -> None:
        self.closed = True
        self.event.set()


class Hub:
    """Fan-out of head changes to this process's subscribers (thread-safe ``publish``)."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscriber]] = defaultdict(set)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self, shop_id: str, head: int) -> Subscriber:
        sub = Subscriber(shop_id, head)
        with self._lock:
            self._subscribers[shop_id].add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            subs = self._subscribers.get(sub.shop_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subscribers[sub.shop_id]

    def shops(self) -> list[str]:
        with self._lock:
            return list(self._subscribers)

    def count(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._subscribers.values())

    def publish(self, shop_id: str, head: int) -> None:
        """Tell the shop's subscribers its head is now ``head``; callable from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop is shutting down
            loop.call_soon_threadsafe(self._deliver, shop_id, head)

    def _deliver(self, shop_id: str, head: int) -> None:
        with self._lock:
            subs = list(self._subscribers.get(shop_id, ()))
        for sub in subs:
            sub.offer(head)

    def close_all(self) -> None:
        with self._lock:
            subs = [s for group in self._subscribers.values() for s in group]
        loop = self._loop
        for sub in subs:
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(sub.close)
