/* New posts held back while the reader is scrolled into the stream: a "N new posts" button and "(N) " in the
 * title. Clicking inserts them and moves focus to the newest; scrolling back to the top inserts them too. Focus
 * moves only when the reader clicks. */
import { announce } from "./announce.js";
import { byId, parse, plural } from "./dom.js";
import { enhance } from "./enhance.js";

export function createPending(feed) {
  let items = []; // [{id, html}], oldest first
  let baseTitle = document.title;
  const button = byId("new-posts");

  function show() {
    const n = items.length;
    document.title = n ? "(" + n + ") " + baseTitle : baseTitle;
    if (!button) return;
    button.hidden = !n;
    button.textContent = plural(n, "new post");
    if (n) announce(plural(n, "new post"));
  }

  function flush(focusFirst) {
    if (!items.length) return;
    const waiting = items;
    items = [];
    show();
    let first = null;
    waiting.forEach((p) => {
      const el = parse(p.html).querySelector("article");
      if (!el) return;
      const old = byId(el.id);
      if (old) old.remove();
      if (feed.place(el)) {
        enhance(el);
        if (!first || el.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING) first = el;
      }
    });
    feed.renumber();
    if (focusFirst && first) { first.scrollIntoView({ block: "start" }); first.focus({ preventScroll: true }); }
  }

  if (button) button.addEventListener("click", () => flush(true));
  window.addEventListener("scroll", () => { if (items.length && window.scrollY < 10) flush(false); }, { passive: true });

  return {
    has: (id) => items.some((p) => p.id === id),
    // A newer version of a waiting post replaces it in the queue; true if the post was waiting.
    update(id, html) {
      const queued = items.find((p) => p.id === id);
      if (queued) queued.html = html;
      return Boolean(queued);
    },
    add(id, html) { items.push({ id, html }); show(); },
    drop(id) { items = items.filter((p) => p.id !== id); show(); },
    // The blog was renamed: <title> is "<h1 text> | <publisher>".
    retitle(h1) {
      baseTitle = h1.textContent.replace(/\s+/g, " ").trim() + baseTitle.slice(baseTitle.lastIndexOf(" | "));
      show();
    },
  };
}
