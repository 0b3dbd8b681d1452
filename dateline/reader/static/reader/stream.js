/* The browser's one client of the live protocol (docs/live.md), shared by the reader page, the embed widget and the
 * newsroom desk. It hands `apply` every change exactly once, in seq order, starting after the seq the page was
 * rendered at (so nothing falls between render and subscribe):
 * - EventSource on /live/<slug>/events?after=<seq>; the browser resumes a dropped stream with Last-Event-ID.
 * - A seq at or below ours is a duplicate (ignored). One that skips ahead is held, and the missing ones are fetched
 *   from /changes?after=<seq>; the held ones are applied as soon as their turn comes.
 * - /changes may answer in pages ("more": true: ask again at once) or with "reset": true, as the stream may send
 *   `reset`: our position is gone and no change can repair the page, so it reloads.
 * - While the stream is down we poll /changes every 10 s. `cache: "no-cache"` revalidates (a cheap 304) instead of
 *   reusing a stale answer; shared caches still serve every up-to-date reader the same object.
 * Event type names come from the generated events.js, never spelled here. */
import { EventType, CHANGE_TYPES } from "./events.js";

export { EventType };

const POLL_MS = 10000;
// A closed stream (an HTTP error, not a drop) is not retried by the browser: we reopen it from our seq later.
const REOPEN_MS = 30000;
// A failed gap fill while the stream is up is retried after this long (the stream may stay quiet for minutes).
const RETRY_MS = 3000;
// Changes held past a gap; beyond this the catch-up brings them anyway, so holding more would only cost memory.
const MAX_HELD = 5000;

function changeOf(item) {
  return typeof item.data === "string" ? JSON.parse(item.data) : (item.data || item);
}

/* follow({slug, seq, apply, reload, onState}): start following a blog. `apply(change)` gets each change once, in
 * order; `reload()` is called on a reset (default: reload the page); `onState("live" | "down")` reports the stream.
 * Returns {seq(), stop()}. */
export function follow(options) {
  const apply = options.apply;
  const reload = options.reload || (() => location.reload());
  const onState = options.onState || (() => {});
  const base = "/live/" + encodeURIComponent(options.slug) + "/";
  const held = new Map();
  let at = options.seq || 0;
  let polling = null, retry = null, inFlight = false, again = false, source = null, stopped = false;

  // Apply a change if it is the next one; hold it if it is ahead. False when something is missing before it.
  function offer(change) {
    if (!change || typeof change.seq !== "number" || change.seq <= at) return true;
    if (change.seq > at + 1) {
      if (held.size < MAX_HELD) held.set(change.seq, change);
      return false;
    }
    at = change.seq;
    apply(change);
    while (held.has(at + 1)) {
      const next = held.get(at + 1);
      held.delete(at + 1);
      at = next.seq;
      apply(next);
    }
    for (const seq of held.keys()) if (seq <= at) held.delete(seq);
    return true;
  }

  function reset() {
    stop();
    reload();
  }

  function catchUp() {
    if (stopped) return;
    if (inFlight) { again = true; return; }
    inFlight = true;
    clearTimeout(retry);
    fetch(base + "changes?after=" + at, { cache: "no-cache", headers: { Accept: "application/json" } })
      .then((r) => { if (!r.ok) throw new Error("changes: HTTP " + r.status); return r.json(); })
      .then((body) => {
        if (body.reset) { reset(); return; }
        (body.changes || []).forEach((item) => offer(changeOf(item)));
        if (body.more) again = true; // paged: fetch the rest now
      }, () => {
        // Unreachable for now: the next poll or event asks again; a hole behind held changes is retried soon.
        if (held.size && !polling) retry = setTimeout(catchUp, RETRY_MS);
      })
      .finally(() => {
        inFlight = false;
        if (again) { again = false; catchUp(); }
      });
  }

  function startPolling() {
    if (polling || stopped) return;
    catchUp();
    polling = setInterval(catchUp, POLL_MS);
  }
  function stopPolling() { clearInterval(polling); polling = null; }

  function onEvent(event) {
    let change;
    try { change = JSON.parse(event.data); } catch (err) { return; } // not ours (a proxy's page?): skip it
    if (!offer(change)) catchUp();
  }

  function connect() {
    if (stopped) return;
    if (!window.EventSource) { startPolling(); return; }
    source = new EventSource(base + "events?after=" + at);
    CHANGE_TYPES.forEach((type) => source.addEventListener(type, onEvent));
    source.addEventListener(EventType.RESET, reset);
    source.onopen = () => { stopPolling(); onState("live"); };
    source.onerror = () => {
      onState("down");
      startPolling();
      if (source.readyState === EventSource.CLOSED) { source = null; setTimeout(connect, REOPEN_MS); }
    };
  }

  function stop() {
    stopped = true;
    stopPolling();
    clearTimeout(retry);
    if (source) source.close();
    source = null;
  }

  connect();
  return { seq: () => at, stop };
}
