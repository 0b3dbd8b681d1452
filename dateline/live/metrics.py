"""Prometheus metrics of the live edge, rendered in the text exposition format (no client library needed).

Counters and histograms are per process; with ``--workers N`` each worker answers for itself, so scrape each one
(or sum them: every worker serves its own readers).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

# Publish→write latency buckets, in seconds: the bar is 0.25 s p99 to the last of 10,000 readers.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Counter:
    def __init__(self, name: str, help_: str) -> None:
        self.name, self.help, self.value = name, help_, 0

    def inc(self, amount: int = 1) -> None:
        self.value += amount

    def render(self) -> str:
        return f"# HELP {self.name} {self.help}\n# TYPE {self.name} counter\n{self.name} {self.value}\n"


class Gauge:
    def __init__(self, name: str, help_: str, read: Callable[[], float]) -> None:
        self.name, self.help, self.read = name, help_, read

    def render(self) -> str:
        return f"# HELP {self.name} {self.help}\n# TYPE {self.name} gauge\n{self.name} {self.read():g}\n"


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

    def render(self) -> str:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        cumulative = 0
        for bound, count in zip(self.buckets, self.counts, strict=False):
            cumulative += count
            lines.append(f'{self.name}_bucket{{le="{bound:g}"}} {cumulative}')
        lines.append(f'{self.name}_bucket{{le="+Inf"}} {self.count}')
        lines.append(f"{self.name}_sum {self.sum:.6f}")
        lines.append(f"{self.name}_count {self.count}")
        return "\n".join(lines) + "\n"


class LiveMetrics:
    """The edge's metrics. ``readers`` is read from the hub when scraped, so it can never drift."""

    def __init__(self, readers: Callable[[], float]) -> None:
        self.readers = Gauge("dateline_live_readers", "Connected SSE readers.", readers)
        self.published = Counter("dateline_live_changes_published_total",
                                 "Changes published (committed and announced by the broker) that reached this process.")
        self.changes = Counter("dateline_live_changes_delivered_total",
                               "Changes delivered to this process's readers (each counted once, however many readers).")
        self.dropped = Counter("dateline_live_readers_dropped_total",
                               "Readers disconnected because their send buffer passed the limit (they resume).")
        self.gap_fills = Counter("dateline_live_gap_fills_total",
                                 "Times missed or reordered changes were read from the database.")
        self.latency = Histogram("dateline_live_fanout_seconds",
                                 "From broker publish (after commit) to the change written to every reader.")
        self.broadcast = Histogram("dateline_live_broadcast_seconds",
                                   "Time to write one change to every reader of its blog (the fan-out loop).")

    def render(self) -> bytes:
        parts = (self.readers, self.published, self.changes, self.dropped, self.gap_fills, self.latency, self.broadcast)
        return "".join(p.render() for p in parts).encode()
