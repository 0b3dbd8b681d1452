"""The unit the broker carries: one committed change of one blog, and its Server-Sent Events frame.

The frame is written here, once, because two parts send it: the live edge to its own readers (``live/wire.py``),
and the GRIP publisher to Pushpin's readers (``broker/grip.py``). A reader must get the same bytes either way.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class ChangeMessage:
    blog_id: int
    slug: str
    seq: int
    type: str
    data: str  # the event's JSON, exactly as it goes on the wire
    # Wall-clock time (time.time()) at which the broker was handed the change, after commit; 0.0 when unknown.
    # The live edge uses it for the publish→write latency histogram on /metrics.
    published_at: float = 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> ChangeMessage:
        fields = json.loads(raw)
        return cls(
            blog_id=int(fields["blog_id"]), slug=str(fields["slug"]), seq=int(fields["seq"]),
            type=str(fields["type"]), data=str(fields["data"]),
            published_at=float(fields.get("published_at") or 0.0),
        )

    @property
    def frame(self) -> bytes:
        return sse_frame(self.seq, self.type, self.data)


def sse_frame(seq: int, type_: str, data: str) -> bytes:
    """One SSE event. JSON without indentation has no raw line breaks, but split defensively if one sneaks in.

        id: <seq>
        event: <type>
        data: <json>
        <blank line>
    """
    if "\n" in data or "\r" in data:
        lines = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        payload = "".join(f"data: {line}\n" for line in lines)
    else:
        payload = f"data: {data}\n"
    return f"id: {seq}\nevent: {type_}\n{payload}\n".encode()
