/* Where posts go on a live page: the pinned section or the feed, newest first by (published_at, id); the feed's
 * ARIA positions; the post count; and the reader's place kept while anything above them changes. */
import { articles, byId, each, plural } from "./dom.js";

function key(el) { return [Date.parse(el.getAttribute("data-published")) || 0, +el.getAttribute("data-post-id")]; }
function after(x, y) { return x[0] !== y[0] ? x[0] > y[0] : x[1] > y[1]; }
export function newer(a, b) { return after(key(a), key(b)); }

export function createFeed(main) {
  const feed = byId("posts"), pinned = byId("pinned");
  const self = {
    feed,
    pinned,
    postCount: parseInt(main.getAttribute("data-post-count"), 10) || 0,
    loadMore: byId("load-more"),
    // The embed shows a window of the newest posts (data-window) and never grows: it has no "Load more", so once
    // it shows fewer posts than the stream holds ("clipped"), a post older than its last is not its business.
    windowSize: parseInt(main.getAttribute("data-window"), 10) || 0,
    clipped: false,
    // The newest post this page has shown or queued (deleted ones included). A publish event also means "restored"
    // (decisions.md): a post no newer than this one is an old post coming back, so it goes in its place by its
    // published_at and is not counted or announced as new.
    newest: [0, 0],
  };
  self.clipped = self.windowSize > 0 && articles(feed).length < self.postCount - articles(pinned).length;

  self.seen = (el) => { const k = key(el); if (after(k, self.newest)) self.newest = k; };
  self.isNewest = (el) => after(key(el), self.newest);
  each(main.querySelectorAll("article[data-post-id]"), self.seen);

  self.renumber = () => {
    const list = articles(feed), size = Math.max(list.length, self.postCount - articles(pinned).length);
    list.forEach((a, i) => {
      a.setAttribute("role", "article");
      a.setAttribute("aria-posinset", i + 1);
      a.setAttribute("aria-setsize", self.loadMore ? size : list.length);
    });
    pinned.hidden = articles(pinned).length === 0;
    const empty = byId("empty-note");
    if (empty) empty.hidden = list.length + articles(pinned).length > 0;
  };

  self.setCount = (n) => {
    if (typeof n !== "number") return;
    self.postCount = n;
    const c = byId("post-count");
    if (c) c.textContent = plural(n, "Post");
  };

  // Keep what the reader looks at still: note the first visible element's position, mutate, scroll by its move.
  // (Browser scroll anchoring is off in the CSS so it cannot correct twice.)
  self.steady = (fn) => {
    let anchor = null, top = 0;
    if (window.scrollY > 0) {
      const cands = main.querySelectorAll("article.post, #key-points, #blog-header, .stream-bar");
      for (let i = 0; i < cands.length; i++) {
        const r = cands[i].getBoundingClientRect();
        if (r.bottom > 0 && r.height) { anchor = cands[i]; top = r.top; break; }
      }
    }
    fn();
    if (anchor && anchor.isConnected) {
      const d = anchor.getBoundingClientRect().top - top;
      if (d) window.scrollBy(0, d);
    }
  };

  self.atTop = () => feed.getBoundingClientRect().top >= 0;

  // Is a post within the part of the stream this page shows? (Older ones come with "Load more", or, in the embed,
  // not at all: an edit of an old post must not append it to the widget.)
  function inLoadedRange(el) {
    if (!self.loadMore && !self.clipped) return true;
    const list = articles(feed), last = list[list.length - 1];
    return !last || newer(el, last);
  }

  // Put a post where it belongs; false if it is not this page's to show. wasInFeed: an edit of a post the feed
  // shows keeps it, even the last one (which the range is measured by).
  self.place = (el, wasInFeed) => {
    const box = el.getAttribute("data-pinned") === "true" ? pinned : feed;
    if (box === feed && !wasInFeed && !inLoadedRange(el)) return false;
    const list = articles(box);
    let i = 0;
    while (i < list.length && !newer(el, list[i])) i++;
    box.insertBefore(el, list[i] || null);
    // A window keeps its size: the oldest posts leave as new ones arrive (possibly this one, if it is the oldest).
    const shown = articles(feed);
    while (self.windowSize && shown.length > self.windowSize) { shown.pop().remove(); self.clipped = true; }
    return el.isConnected;
  };

  return self;
}
