/* "Load more" by fetch (the link works without JavaScript too), with aria-busy on the feed while it loads. */
import { announce } from "./announce.js";
import { byId, each, parse, plural } from "./dom.js";
import { enhance } from "./enhance.js";

export function loadMoreByFetch(base, feed, pending) {
  if (!feed.loadMore) return;
  const posts = feed.feed;
  feed.loadMore.addEventListener("click", (e) => {
    const link = feed.loadMore;
    e.preventDefault();
    if (posts.getAttribute("aria-busy") === "true") return;
    posts.setAttribute("aria-busy", "true");
    link.textContent = "Loading…";
    fetch(base + "more?before=" + encodeURIComponent(link.getAttribute("data-cursor")))
      .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then((body) => {
        let added = 0;
        each(parse(body.html).querySelectorAll("article"), (el) => {
          if (byId(el.id) || pending.has(el.id)) return;
          posts.appendChild(el);
          enhance(el);
          added++;
        });
        if (body.next) {
          link.setAttribute("data-cursor", body.next);
          link.href = base + "?before=" + body.next;
          link.textContent = "Load more posts";
        } else {
          link.parentNode.remove();
          feed.loadMore = null;
        }
        feed.renumber();
        announce(plural(added, "more post") + " loaded");
      })
      .catch(() => { if (feed.loadMore) feed.loadMore.textContent = "Load more posts (try again)"; })
      .then(() => posts.setAttribute("aria-busy", "false"));
  });
}
