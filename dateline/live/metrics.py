"""Prometheus metrics of the live edge, rendered in the text exposition format (no client library needed).

The numbers are kept per process. ``/metrics`` answers for the whole ``dateline serve``: with ``--workers N`` the
workers share one port, so a scrape reaches one of them at random, and that one adds its siblings' latest
snapshots (``shared_metrics.py``, through Redis) to its own — readers, counters and histogram buckets all sum.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import Any

# Publish→write latency buckets, in seconds: the bar is 0.25 s p99 to the last of 10,000 readers.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

Snapshot = dict[str, Any]  # {metric name: its sample()}, as JSON


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(float(value))


def _total(samples: Sequence[Any]) -> float:
    """The sum of the samples that are numbers (a sibling's missing or malformed one counts as nothing)."""
    return sum(s for s in samples if isinstance(s, int | float))


class Counter:
    kind = "counter"

    def __init__(self, name: str, help_: str) -> None:
        self.name, self.help, self.value = name, help_, 0

    def inc(self, amount: int = 1) -> None:
        self.value += amount

    def sample(self) -> float:
        return self.value

    def render(self, samples: Sequence[Any]) -> str:
        return (f"# HELP {self.name} {self.help}\n# TYPE {self.name} {self.kind}\n"
                f"{self.name} {_number(_total(samples))}\n")


class Gauge(Counter):
    """A value read when sampled, so it can never drift from what it measures."""

    kind = "gauge"

    def __init__(self, name: str, help_: str, read: Callable[[], float]) -> None:
        super().__init__(name, help_)
        self.read = read

    def sample(self) -> float:
        return self.read()


class Histogram:
    def __init__(self, name: str, help_: str, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.name, self.help, self.buckets = name, help_, buckets
        self.counts = [0] * (len(buckets) + 1)  # the last slot is +Inf
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.buckets, value)] += 1
        self.sum += value
        self.count += 1

    def sample(self) -> list[float]:
        """The per-bucket counts, then the sum (the count is the counts' total)."""
        return [*self.counts, self.sum]

    def render(self, samples: Sequence[Any]) -> str:
        # A sample with other buckets (a sibling on another version, mid-deploy) cannot be added bucket by bucket.
        samples = [s for s in samples if isinstance(s, list) and len(s) == len(self.counts) + 1]
        counts = [sum(column) for column in zip(*(s[:-1] for s in samples), strict=True)]
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        cumulative = 0
        for bound, count in zip(self.buckets, counts, strict=False):
            cumulative += count
            lines.append(f'{self.name}_bucket{{le="{bound:g}"}} {cumulative}')
        total = sum(counts)
        lines.append(f'{self.name}_bucket{{le="+Inf"}} {total}')
        lines.append(f"{self.name}_sum {sum(s[-1] for s in samples):.6f}")
        lines.append(f"{self.name}_count {total}")
        return "\n".join(lines) + "\n"


class LiveMetrics:
    """The edge's metrics. ``readers`` is read from the hub when sampled, so it can never drift."""

    def __init__(self, readers: Callable[[], float]) -> None:
        self.readers = Gauge("dateline_live_readers", "Connected SSE readers.", readers)
        self.published = Counter("dateline_live_changes_published_total",
                                 "Changes published (committed and announced by the broker) that reached the server.")
        self.changes = Counter("dateline_live_changes_delivered_total",
                               "Changes delivered to readers (each counted once per process, however many readers).")
        self.dropped = Counter("dateline_live_readers_dropped_total",
                               "Readers disconnected because their send buffer passed the limit (they resume).")
        self.gap_fills = Counter("dateline_live_gap_fills_total",
                                 "Times missed or reordered changes were read from the database.")
        self.latency = Histogram("dateline_live_fanout_seconds",
                                 "From broker publish (after commit), or the change row's creation when it was read "
                                 "from the database, to the change written to every reader.")
        self.broadcast = Histogram("dateline_live_broadcast_seconds",
                                   "Time to write one change to every reader of its blog (the fan-out loop).")
        self.parts = (self.readers, self.published, self.changes, self.dropped, self.gap_fills, self.latency,
                      self.broadcast)

    def snapshot(self) -> Snapshot:
        """This process's numbers, as JSON-able data (what a worker shares with its siblings)."""
        return {part.name: part.sample() for part in self.parts}

    def render(self, siblings: Sequence[Snapshot] = ()) -> bytes:
        """Prometheus text: this process's numbers, taken now, plus its siblings' latest snapshots."""
        snapshots = [self.snapshot(), *siblings]
        text = "".join(part.render([s.get(part.name) for s in snapshots]) for part in self.parts)
        workers = Gauge("dateline_live_workers", "Worker processes whose numbers this answer adds up.", float)
        return (text + workers.render([len(snapshots)])).encode()
