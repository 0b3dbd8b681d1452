/* One change applied to the reader page: the fragment it carries goes in its place. Idempotent per post: a
 * replayed change gives the same page. (The stream client decides which changes come, once each and in order.) */
import { announceNew } from "./announce.js";
import { byId, parse } from "./dom.js";
import { enhance } from "./enhance.js";
import { EventType } from "./events.js";

const POST_CHANGES = new Set([EventType.POST_PUBLISHED, EventType.POST_UPDATED, EventType.POST_PINNED,
  EventType.POST_UNPINNED]);

export function createApplier(main, feed, pending) {
  // Insert or replace a post where it belongs now. isNew: a publish event, which is new unless it is a restored
  // post (no newer than the newest the page has shown).
  function upsert(html, isNew) {
    const el = parse(html).querySelector("article");
    if (!el) return;
    const id = el.id, old = byId(id);
    if (pending.update(id, html)) return;
    isNew = isNew && !old && feed.isNewest(el);
    feed.seen(el);
    if (isNew && !feed.atTop()) { pending.add(id, html); return; }
    const hadFocus = old && old.contains(document.activeElement), wasInFeed = old && old.parentNode === feed.feed;
    feed.steady(() => {
      if (old) old.remove();
      if (feed.place(el, wasInFeed)) enhance(el);
    });
    if (hadFocus && el.isConnected) el.focus({ preventScroll: true });
    if (isNew) announceNew(1);
  }

  // A post being removed while it has focus hands focus to its neighbour.
  function remove(id) {
    pending.drop(id);
    const old = byId(id);
    if (!old) return;
    const next = old.nextElementSibling || old.previousElementSibling;
    const hadFocus = old.contains(document.activeElement);
    feed.steady(() => old.remove());
    if (hadFocus && next && next.tagName === "ARTICLE") next.focus({ preventScroll: true });
  }

  function replaceBox(id, html) {
    const el = parse(html).querySelector("#" + id), old = byId(id);
    if (!el || !old) return;
    feed.steady(() => old.replaceWith(el));
  }

  return function apply(change) {
    main.setAttribute("data-seq", change.seq);
    const type = change.type;
    if (type === EventType.POST_DELETED) remove("post-" + change.post.id);
    else if (POST_CHANGES.has(type)) upsert(change.html, type === EventType.POST_PUBLISHED);
    else if (type === EventType.KEY_POINTS_UPDATED) replaceBox("key-points", change.html);
    else if (type === EventType.BLOG_UPDATED || type === EventType.BLOG_ENDED) {
      replaceBox("blog-header", change.html);
      if (change.key_points_html) replaceBox("key-points", change.key_points_html);
      const h1 = document.querySelector("#blog-header h1");
      if (h1) pending.retitle(h1);
    }
    feed.setCount(change.post_count);
    feed.renumber();
  };
}
