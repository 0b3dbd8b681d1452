"""One change as the edge keeps it: its SSE frame, encoded once and written to every reader as it is."""

from __future__ import annotations

from dateline.live.wire import encode_event


class Event:
    """One change, as the edge keeps it: its SSE frame, encoded once.

    The JSON that /changes serves is the frame's ``data:`` line, so it is read from the frame (``data``) rather
    than kept a second time: a change's text is most of its size, and the ring holds a thousand of them per blog.
    """

    __slots__ = ("frame", "seq", "_data")

    def __init__(self, seq: int, type_: str, data: str) -> None:
        self.seq = seq
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
