"""One change as the edge keeps it: its SSE frame, encoded once and written to every reader as it is."""

from __future__ import annotations

import json
from typing import Any

from dateline.events import subject
from dateline.live.wire import encode_event


class Event:
    """One change, as the edge keeps it: its SSE frame, encoded once.

    The JSON that /changes serves is the frame's ``data:`` line, so it is read from the frame (``data``) rather
    than kept a second time: a change's text is most of its size, and the ring holds a thousand of them per blog.
    """

    __slots__ = ("frame", "seq", "_data", "_subject")

    def __init__(self, seq: int, type_: str, data: str, subject: str | None = None) -> None:
        self.seq = seq
        self._subject = subject or None  # "" (a row from before subjects were stored, a test's row): read it
        self.frame = encode_event(seq, type_, data)
        # JSON with a raw line break (none of ours: actions write compact JSON) is split over several data lines
        # in the frame: only then is the text kept as it is.
        self._data = data.encode() if "\n" in data or "\r" in data else None

    @property
    def data(self) -> bytes | memoryview:
        """The change's JSON: a view of the frame between ``data: `` and the final blank line, not a copy."""
        if self._data is not None:
            return self._data
        return memoryview(self.frame)[self.frame.index(b"\ndata: ") + 7:-2]

    def parsed(self) -> dict[str, Any]:
        """The change's JSON as a dict (an empty one if it is not an object: nothing to compact then)."""
        try:
            data = json.loads(bytes(self.data))
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def subject(self) -> str:
        """What the change is about (``dateline.events.subject``), read from its JSON when first asked."""
        if self._subject is None:
            self._subject = subject(self.parsed())
        return self._subject

    def learn_subject(self, data: dict[str, Any]) -> None:
        """Keep the subject of ``data``, this event's JSON already parsed by the caller."""
        self._subject = subject(data)
