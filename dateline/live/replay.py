"""Replay: the changes after a seq — from the ring, else from the ``Change`` table, else a reset.

One function for both ways a reader catches up: the SSE stream (``sse.py``) replays before it follows the channel,
and ``/changes`` (``changes.py``) answers with the same changes as JSON. The rules (docs/live.md):

* ``after`` beyond the latest change (a seq this process has not reached even after a refresh): **reset**;
* ``after`` within the ring: the ring's events, no database query and no await;
* older: at most ``CATCH_UP_LIMIT`` rows from the database. Rows that do not start right after ``after`` were pruned:
  **reset**. A stream joins the rows to the ring's tail when they reach it, else resets (a reader that far behind
  reloads); ``/changes`` answers a page instead (``more``), so every retained change stays replayable from 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dateline.live.channel import Channel
from dateline.live.config import CATCH_UP_LIMIT
from dateline.live.event import Event
from dateline.live.store import Store

AHEAD = "ahead of this blog's latest change"
NOT_RETAINED = "older than the changes retained"


@dataclass(slots=True)
class Replay:
    seq: int  # where the answer brings the reader: the last change given, or the latest one on a reset
    events: list[Event] = field(default_factory=list)
    reset: str | None = None  # why the changes cannot be replayed (the reader reloads the page), or None
    more: bool = False  # a first page only: ask again from ``seq``


async def replay(store: Store, ch: Channel, after: int, latest: int | None = None) -> Replay:
    """The changes of ``ch`` after ``after``.

    ``latest`` — for /changes: the answer for exactly (after, latest), a page when the database has more than
    ``CATCH_UP_LIMIT`` of them. ``None`` — for a stream: up to what the channel has delivered when the answer is
    ready. Either way nothing suspends after the last look at the ring, so a stream that follows the channel as
    soon as this returns meets the live events without a gap.
    """
    upto = ch.last_seq if latest is None else latest
    if after > upto:
        return Replay(upto, reset=AHEAD)
    if after >= ch.ring_floor:
        return Replay(upto, [event for event in ch.events_after(after) if event.seq <= upto])
    rows = await store.changes_after(ch.blog_id, after, CATCH_UP_LIMIT)
    if latest is None:
        upto = ch.last_seq  # the ring may have moved on during the query
    rows = [row for row in rows if row.seq <= upto]
    if not rows or rows[0].seq != after + 1:
        return Replay(upto, reset=NOT_RETAINED)  # pruned
    events = [Event(row.seq, row.type, row.data) for row in rows]
    last = rows[-1].seq
    if last == upto:
        return Replay(upto, events)
    if latest is not None:
        # More than CATCH_UP_LIMIT behind: the first page. ``seq`` is where it brings the client (so even a client
        # that ignores ``more`` never skips a change); ``more`` says to ask again at once.
        return Replay(last, events, more=True)
    if last >= ch.ring_floor:  # the rows reach the ring, which has the rest
        events.extend(ch.events_after(last))
        return Replay(upto, events)
    return Replay(upto, reset=NOT_RETAINED)
