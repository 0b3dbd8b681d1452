"""Publishing committed changes to a GRIP proxy (Pushpin, or Fastly Fanout): the readers it holds get each change.

With ``DATELINE_GRIP_URL`` set, ``get_broker()`` is a ``GripBroker``: every change is handed to the process's own
broker (the live edges still need it: their rings answer resumes and Pushpin's recovery requests) and published
once, by the process that committed it, to the proxy's EPCP publish endpoint (``<url>/publish/``) as an
``http-stream`` item:

    {"channel": "dateline-<blog id>", "id": "<seq>", "prev-id": "<seq - 1>",
     "formats": {"http-stream": {"content": "<the SSE frame the edge writes>"}}}

``id``/``prev-id`` chain the seqs. Pushpin writes an item to a held reader only when its ``prev-id`` is the last id
that reader got; otherwise (an item lost, or two writers' items arriving out of order) it asks the reader's
``Grip-Link`` for what is missing (``live/grip.py``), so the chain, not this publisher, is what makes delivery exact.

A publish never runs in the committing request: ``publish`` queues the change and returns. One thread per process
posts the queue in batches, and retries while the proxy is down (doubling the wait up to ``MAX_RETRY_SECONDS``). The
queue is bounded: past ``MAX_PENDING`` changes the oldest are dropped, and the readers recover them through their
links when the proxy is back (or reconnect with ``Last-Event-ID`` if it restarted and lost them).
"""

from __future__ import annotations

import atexit
import collections
import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable

from dateline.broker.base import Broker, Listener
from dateline.broker.messages import ChangeMessage

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "dateline-"
BATCH = 200  # items per publish request: one request carries a burst of posts
MAX_PENDING = 10_000
MAX_RETRY_SECONDS = 5.0
TIMEOUT_SECONDS = 5.0
FLUSH_AT_EXIT_SECONDS = 3.0  # a CLI command that wrote a change waits this long at most for its publish


def channel(blog_id: int) -> str:
    """The GRIP channel of one blog: its id, not its slug, so a blog made again under an old slug is a new chain."""
    return f"{CHANNEL_PREFIX}{blog_id}"


def item(message: ChangeMessage) -> dict[str, object]:
    return {
        "channel": channel(message.blog_id),
        "id": str(message.seq),
        "prev-id": str(message.seq - 1),
        "formats": {"http-stream": {"content": message.frame.decode()}},
    }


class GripPublisher:
    """A queue of changes and the thread that posts them to ``<url>/publish/``."""

    def __init__(self, url: str, token: str = "", post: Callable[[bytes], None] | None = None) -> None:
        self.endpoint = url.rstrip("/") + "/publish/"
        self.token = token
        self._post = post or self._http_post
        self._pending: collections.deque[ChangeMessage] = collections.deque()
        self._lock = threading.Condition()
        self._thread: threading.Thread | None = None
        self._busy = False
        self.published = 0
        self.dropped = 0
        self.failures = 0

    def publish(self, message: ChangeMessage) -> None:
        with self._lock:
            if len(self._pending) >= MAX_PENDING:
                self._pending.popleft()
                self.dropped += 1
            self._pending.append(message)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="grip-publisher", daemon=True)
                self._thread.start()
                atexit.register(self.flush, FLUSH_AT_EXIT_SECONDS)
            self._lock.notify()

    def flush(self, timeout: float) -> bool:
        """Wait until every queued change is published (True), or ``timeout`` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return True

    def _run(self) -> None:
        wait = 0.1
        while True:
            with self._lock:
                while not self._pending:
                    self._lock.wait()
                batch = [self._pending[i] for i in range(min(BATCH, len(self._pending)))]
                self._busy = True
            body = json.dumps({"items": [item(m) for m in batch]}, separators=(",", ":")).encode()
            try:
                self._post(body)
            except Exception as exc:  # the proxy is down or refused: keep the batch, try again later
                self.failures += 1
                log.warning("GRIP publish to %s failed (%s); retrying in %.1f s", self.endpoint, exc, wait)
                with self._lock:
                    self._busy = False
                    self._lock.notify_all()
                time.sleep(wait)
                wait = min(wait * 2, MAX_RETRY_SECONDS)
                continue
            wait = 0.1
            with self._lock:
                # Drop what was sent; the deque may have lost its oldest to the bound meanwhile.
                sent = {id(m) for m in batch}
                while self._pending and id(self._pending[0]) in sent:
                    self._pending.popleft()
                self.published += len(batch)
                self._busy = False
                self._lock.notify_all()

    def _http_post(self, body: bytes) -> None:
        request = urllib.request.Request(self.endpoint, data=body, method="POST",  # noqa: S310 (a configured URL)
                                         headers={"Content-Type": "application/json"})
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read()


class GripBroker:
    """The process's broker, plus a publish of every change to the GRIP proxy."""

    def __init__(self, inner: Broker, publisher: GripPublisher) -> None:
        self.inner = inner
        self.publisher = publisher

    def publish(self, message: ChangeMessage) -> None:
        self.inner.publish(message)
        self.publisher.publish(message)

    async def subscribe(self, listener: Listener, on_connect: Callable[[], None] | None = None) -> None:
        await self.inner.subscribe(listener, on_connect)

    async def unsubscribe(self, listener: Listener) -> None:
        await self.inner.unsubscribe(listener)

