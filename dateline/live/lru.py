"""A least-recently-used cache bounded by bytes, for answers whose sizes differ by five orders of magnitude.

``/changes`` keeps whole answers: up-to-date readers all ask for the same tiny one, while one ``after`` far back is
the whole ring (megabytes). A bound on the number of answers is no bound on memory — 64 answers of a blog of long
posts took a process from 92 to 489 MB with 40 requests — so this one counts bytes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ByteLRU(Generic[K, V]):
    def __init__(self, max_bytes: int, max_item_bytes: int) -> None:
        self.max_bytes, self.max_item_bytes = max_bytes, max_item_bytes
        self.bytes = 0
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: K, value: V, size: int) -> None:
        """Keep ``value`` (``size`` bytes), dropping the least recently used; one over ``max_item_bytes`` is not
        kept at all (it would push out many small, busy answers to make room for one rare one)."""
        if size > self.max_item_bytes:
            return
        old = self._items.pop(key, None)
        if old is not None:
            self.bytes -= old[1]
        while self._items and self.bytes + size > self.max_bytes:
            self.bytes -= self._items.popitem(last=False)[1][1]
        self._items[key] = (value, size)
        self.bytes += size

    def discard(self, keep: Callable[[K], bool]) -> None:
        """Drop every item whose key ``keep`` refuses."""
        for key in [key for key in self._items if not keep(key)]:
            self.bytes -= self._items.pop(key)[1]
